"""Compare a desired State with a live State: set algebra on securable keys, then field deltas.

Pure: values in, a `DriftReport` out. The work is one dict join on `Securable.key`, so it is
linear in the number of securables.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from govkit.drift.model import (
    Authority,
    Change,
    ChangeKind,
    Compared,
    DriftReport,
    Ignored,
    LiveInfo,
    Mark,
    summarise,
)
from govkit.privileges import SecurableType
from govkit.state import MAINTAINED_CATALOGS, Securable, State

Key = tuple[str, str]

# Securables that live inside a catalog: their first name part is the catalog.
_IN_CATALOG = frozenset(
    {SecurableType.SCHEMA, SecurableType.TABLE, SecurableType.VOLUME, SecurableType.FUNCTION}
)
# What Terraform cannot create or own: tables come from pipelines; drift emits SQL instead.
_NOT_BY_APPLY = frozenset({SecurableType.TABLE, SecurableType.FUNCTION})

# A missing table's grants would fail the apply: `--emit absent-tables` makes the stacks skip them.
_NOT_CREATED = {
    SecurableType.TABLE: "the apply does not create tables; the pipeline that creates it has not "
    "run, and its grants wait for it where `govkit drift --emit absent-tables` lists it",
    SecurableType.FUNCTION: "the apply does not create functions; the pipeline that creates it "
    "has not run",
}

REVOKES = "the next apply revokes it"
LEFT_ALONE = "unmanaged, left alone"
# An ignored principal's grant that the apply replaces all the same.
NOT_SPARED = "drift.ignore_principals spares no grant the apply sets"


@dataclass(frozen=True)
class ExpiredGrant:
    """A declared grant past its expiry: left out of the desired State, revoked if still live."""

    key: Key
    principal: str  # as Unity Catalog names it
    privileges: tuple[str, ...]
    expires: str


@dataclass(frozen=True)
class Desired:
    """The desired side: its State, the authority per securable, and what expired."""

    state: State
    # Securables absent from the map are authoritative (the default of the spec).
    authority: Mapping[Key, Authority] = field(default_factory=dict)
    expired: tuple[ExpiredGrant, ...] = ()
    # Unity Catalog name -> declared name, so that reports show both.
    names: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DriftOptions:
    """Principals never fought over (as Unity Catalog names them), and the unmanaged scope."""

    ignore_principals: frozenset[str] = frozenset()
    include_all: bool = False


@dataclass
class _Collector:
    options: DriftOptions
    expired: Mapping[tuple[Key, str], ExpiredGrant]
    changes: list[Change] = field(default_factory=list)
    ignored: Counter[str] = field(default_factory=Counter)


def _indexes(
    want: tuple[Securable, ...], have: tuple[Securable, ...]
) -> tuple[dict[object, Securable], dict[object, Securable]]:
    """Both sides indexed alike: by name when names are unique, else by `Securable.key`."""
    by_name_want: dict[object, Securable] = {s.name: s for s in want}
    by_name_have: dict[object, Securable] = {s.name: s for s in have}
    if len(by_name_want) == len(want) and len(by_name_have) == len(have):
        # The common case, and cheaper: a name is a plain string to hash. Types still match
        # below, so a catalog never pairs with an external location of the same name.
        return by_name_want, by_name_have
    return {s.key: s for s in want}, {s.key: s for s in have}


def diff_states(desired: Desired, live: State, options: DriftOptions) -> DriftReport:
    """Every difference between `desired` and `live`, sorted by securable, kind and principal."""
    want, have = _indexes(desired.state.securables, live.securables)
    out = _Collector(options, _merge_expired(desired.expired))
    undeclared = [have[key] for key in have.keys() - want.keys()]
    for key, d in want.items():
        live_securable = have.get(key)
        if live_securable is None or live_securable.type is not d.type:
            out.changes.append(_missing(d))
            if live_securable is not None:
                undeclared.append(live_securable)
        elif live_securable != d:  # equal in every field (most are): nothing to compare
            _compare(d, live_securable, desired.authority, out)
    if undeclared:
        catalogs = {d.name for d in want.values() if d.type is SecurableType.CATALOG}
        in_scope = (s for s in undeclared if _in_scope(s, catalogs, options.include_all))
        out.changes.extend(_unmanaged(s) for s in in_scope)
    changes = tuple(sorted(out.changes, key=Change.sort_key))
    named = {p for c in changes for p in (c.principal, _str(c.expected), _str(c.actual)) if p}
    named |= options.ignore_principals
    return DriftReport(
        environment=desired.state.environment or live.environment or "",
        live=LiveInfo(source=live.source, taken_at=live.taken_at),
        include_all=options.include_all,
        compared=Compared(desired=len(want), live=len(have)),
        summary=summarise(changes, sum(out.ignored.values())),
        ignored=Ignored(
            principals=tuple(sorted(options.ignore_principals)),
            changes=dict(sorted(out.ignored.items())),
        ),
        names={u: desired.names[u] for u in sorted(named) if desired.names.get(u, u) != u},
        changes=changes,
    )


def _merge_expired(grants: tuple[ExpiredGrant, ...]) -> dict[tuple[Key, str], ExpiredGrant]:
    """One entry per securable and principal, even when several declared grants expired."""
    out: dict[tuple[Key, str], ExpiredGrant] = {}
    for g in grants:
        prior = out.get((g.key, g.principal))
        if prior is not None:
            privileges = tuple(sorted({*prior.privileges, *g.privileges}))
            g = ExpiredGrant(g.key, g.principal, privileges, max(prior.expires, g.expires))
        out[(g.key, g.principal)] = g
    return out


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _in_scope(s: Securable, catalogs: set[str], include_all: bool) -> bool:
    if include_all:
        # The catalogs Databricks maintains are nobody's drift, unless the spec declares one.
        top = s.name.split(".", 1)[0]
        inside = s.type in _IN_CATALOG or s.type is SecurableType.CATALOG
        return not inside or top in catalogs or top not in MAINTAINED_CATALOGS
    return s.type in _IN_CATALOG and s.name.split(".", 1)[0] in catalogs


def _missing(d: Securable) -> Change:
    how = _NOT_CREATED.get(d.type, "the next apply creates it")
    return Change(
        kind=ChangeKind.MISSING_SECURABLE,
        mark="+",
        securable_type=d.type,
        securable=d.name,
        expected=d.owner,
        consequence=how,
    )


def _unmanaged(s: Securable) -> Change:
    return Change(
        kind=ChangeKind.UNMANAGED_SECURABLE,
        mark="!",
        securable_type=s.type,
        securable=s.name,
        actual=s.owner,
        consequence=LEFT_ALONE,
    )


def _compare(
    d: Securable, live: Securable, authority: Mapping[Key, Authority], out: _Collector
) -> None:
    if d.owner is not None and d.owner != live.owner:
        out.changes.append(_owner(d, live))
    if d.isolation_mode is not None and d.isolation_mode != live.isolation_mode:
        out.changes.append(
            Change(
                kind=ChangeKind.ISOLATION_MISMATCH,
                mark="~",
                securable_type=d.type,
                securable=d.name,
                expected=d.isolation_mode,
                actual=live.isolation_mode,
                consequence="the next apply sets the isolation mode",
            )
        )
    if d.workspace_ids is not None and set(d.workspace_ids) != set(live.workspace_ids or ()):
        out.changes.append(_bindings(d, live))
    if d.type in _STORAGE and d.isolation_mode is None and live.isolation_mode == "ISOLATED":
        out.changes.append(_storage_isolated(d, live))
    demoted = set(live.read_only_workspaces or ()) & set(d.workspace_ids or ())
    if demoted:
        out.changes.append(_demoted(d, sorted(demoted)))
    if d.type is SecurableType.CATALOG or _declares_storage(d):
        out.changes.extend(_storage_changes(d, live))
    if d.grants != live.grants:
        # Looked up only here: most securables have equal grants, and the key costs a tuple.
        mode = authority.get(d.key, "authoritative")
        out.changes.extend(_grant_changes(d, live, mode, out))


# Storage field -> (its change, what the next apply does). A catalog's storage_root is ForceNew
# in the provider: Terraform plans to replace the catalog rather than move it.
_STORAGE_FIELDS: tuple[tuple[str, ChangeKind, str], ...] = (
    (
        "storage_root",
        ChangeKind.STORAGE_ROOT_MISMATCH,
        "the next apply plans to replace the catalog (storage_root forces a new one)",
    ),
    ("url", ChangeKind.URL_MISMATCH, "the next apply sets the URL"),
    ("credential", ChangeKind.CREDENTIAL_MISMATCH, "the next apply sets the storage credential"),
    ("read_only", ChangeKind.READ_ONLY_MISMATCH, "the next apply sets read_only"),
)


def _storage_changes(d: Securable, live: Securable) -> Iterator[Change]:
    """Where the data lives: a catalog's storage root (declared or not: without one the
    metastore's is meant), a location's URL, credential and mode, a credential's mode."""
    catalog = d.type is SecurableType.CATALOG
    for name, kind, consequence in _STORAGE_FIELDS:
        want, have = getattr(d, name), getattr(live, name)
        compared = want is not None or (catalog and name == "storage_root")
        if compared and _storage_value(want) != _storage_value(have):
            yield Change(
                kind=kind,
                mark="~",
                securable_type=d.type,
                securable=d.name,
                expected=want,
                actual=have,
                consequence=consequence,
            )


def _declares_storage(d: Securable) -> bool:
    # Only a declared field is compared (besides a catalog's storage root): most securables,
    # tables and schemas, declare none, and skip the loop.
    return not (
        d.url is None and d.credential is None and d.read_only is None and d.storage_root is None
    )


def _storage_value(value: object) -> object:
    # The provider suppresses a diff in a trailing slash of a URL or a storage root.
    return value.rstrip("/") if isinstance(value, str) else value


def _owner(d: Securable, live: Securable) -> Change:
    how = (
        "Terraform does not own it; restore it with `govkit drift --emit sql`"
        if d.type in _NOT_BY_APPLY
        else "the next apply sets the owner"
    )
    return Change(
        kind=ChangeKind.OWNER_MISMATCH,
        mark="~",
        securable_type=d.type,
        securable=d.name,
        expected=d.owner,
        actual=live.owner,
        consequence=how,
    )


def _bindings(d: Securable, live: Securable) -> Change:
    want = set(d.workspace_ids or ())
    have = set(live.workspace_ids or ())
    parts = []
    if want - have:
        parts.append("the next apply binds " + ", ".join(map(str, sorted(want - have))))
    if have - want:
        # databricks_workspace_binding only adds bindings; it never removes others.
        parts.append(
            "apply does not unbind "
            + ", ".join(map(str, sorted(have - want)))
            + " (use the workspace bindings API)"
        )
    return Change(
        kind=ChangeKind.BINDING_MISMATCH,
        mark="~",
        securable_type=d.type,
        securable=d.name,
        expected=tuple(sorted(want)),
        actual=tuple(sorted(have)),
        consequence="; ".join(parts),
    )


def _spared(principal: str, d: Securable, authority: Authority) -> bool:
    """Whether the apply leaves the principal's grants here alone, so drift may ignore them.

    `databricks_grants` (authoritative) replaces every principal's grants with the declared
    ones, and a declared principal's `databricks_grant` (additive) sets exactly its privileges:
    only an undeclared principal on an additive securable is left alone. `ignore_principals`
    cannot spare more than the apply does (the provider's catalog/resource_grants.go).
    """
    return authority == "additive" and principal not in d.grants


_STORAGE = frozenset({SecurableType.STORAGE_CREDENTIAL, SecurableType.EXTERNAL_LOCATION})


def _storage_isolated(d: Securable, live: Securable) -> Change:
    """A credential or location isolated out of band: declared open to the metastore's
    workspaces, now reachable only from those bound to it. The compiled resource sets no
    isolation_mode, which the provider keeps Optional+Computed: the apply leaves it."""
    bound = ", ".join(map(str, live.workspace_ids or ())) or "none"
    return Change(
        kind=ChangeKind.ISOLATION_MISMATCH,
        mark="~",
        securable_type=d.type,
        securable=d.name,
        expected="OPEN",
        actual="ISOLATED",
        consequence=(
            f"the next apply leaves it (bound to workspaces: {bound}); set isolation_mode "
            "ISOLATION_MODE_OPEN through the API"
        ),
    )


def _demoted(d: Securable, demoted: list[int]) -> Change:
    """Declared workspaces bound read-only. The compiled databricks_workspace_binding says
    BINDING_TYPE_READ_WRITE; the provider reads binding_type back and, every attribute being
    ForceNew (resource_workspace_binding.go), replaces the binding: read-write again."""
    ids = ", ".join(map(str, demoted))
    return Change(
        kind=ChangeKind.BINDING_TYPE_MISMATCH,
        mark="~",
        securable_type=d.type,
        securable=d.name,
        expected=(),
        actual=tuple(demoted),
        consequence=f"the next apply binds {ids} read-write again (it replaces the binding)",
    )


@dataclass(frozen=True)
class _GrantDelta:
    securable: Securable
    principal: str
    want: tuple[str, ...]
    have: tuple[str, ...]
    authority: Authority

    def change(
        self,
        kind: ChangeKind,
        mark: Mark,
        privileges: tuple[str, ...],
        consequence: str,
        expires: str | None = None,
    ) -> Change:
        return Change(
            kind=kind,
            mark=mark,
            securable_type=self.securable.type,
            securable=self.securable.name,
            principal=self.principal,
            privileges=privileges,
            expected=self.want,
            actual=self.have,
            authority=self.authority,
            expires=expires,
            consequence=consequence,
        )


def _grant_changes(
    d: Securable, live: Securable, authority: Authority, out: _Collector
) -> Iterator[Change]:
    for principal in sorted(d.grants.keys() | live.grants.keys()):
        want = d.grants.get(principal, ())
        have = live.grants.get(principal, ())
        if want == have:
            continue
        if principal in out.options.ignore_principals and _spared(principal, d, authority):
            out.ignored[principal] += 1
            continue
        delta = _GrantDelta(d, principal, want, have, authority)
        missing = tuple(p for p in want if p not in have)
        if missing:
            yield delta.change(ChangeKind.MISSING_GRANT, "+", missing, "the next apply grants it")
        extra = tuple(p for p in have if p not in want)
        expired = out.expired.get((d.key, principal))
        lapsed = tuple(p for p in extra if expired and p in expired.privileges)
        if expired is not None and lapsed:
            yield delta.change(
                ChangeKind.EXPIRED_GRANT_LIVE,
                "-",
                lapsed,
                f"expired on {expired.expires}; {REVOKES}",
                expires=expired.expires,
            )
            extra = tuple(p for p in extra if p not in lapsed)
        if extra:
            # Additive: govkit owns only the principals declared on the securable.
            managed = authority == "authoritative" or principal in d.grants
            how = REVOKES if managed else LEFT_ALONE
            if managed and principal in out.options.ignore_principals:
                how = f"{REVOKES} ({NOT_SPARED})"
            yield delta.change(ChangeKind.UNEXPECTED_GRANT, "-" if managed else "!", extra, how)
