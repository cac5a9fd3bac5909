"""`govkit diff` as a value: both revisions evaluated, compared environment by environment.

Each side goes through the pipeline (load, model, resolve, policy) from in-memory files, so
neither revision is checked out. Findings are compared without their line numbers, which an
edit above them shifts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from govkit.diagnostics import Diagnostic, Severity, locate
from govkit.diff.compare import EnvironmentDiff, GrantDelta, Renewal, diff_environment
from govkit.diff.revision import Sides
from govkit.drift import DriftOptions, diff_states
from govkit.drift.desired import desired_side, ignored_principals
from govkit.drift.model import Change, ChangeKind
from govkit.guard import Finding, check_states
from govkit.identity.document import Identities
from govkit.policy import check_policies
from govkit.resolve import DesiredEnvironment, resolve
from govkit.spec.build import Spec, load_spec
from govkit.state import State, make_state

_REVOKED = (ChangeKind.UNEXPECTED_GRANT, ChangeKind.EXPIRED_GRANT_LIVE)


class SideError(Exception):
    """A revision whose spec does not load; `diagnostics` says why."""

    def __init__(self, side: str, diagnostics: list[Diagnostic]) -> None:
        super().__init__(f"the spec at {side} does not load")
        self.side = side
        self.diagnostics = diagnostics


@dataclass(frozen=True)
class Side:
    spec: Spec | None  # None: no spec at this revision (reads as empty)
    environments: tuple[DesiredEnvironment, ...]
    findings: tuple[Diagnostic, ...]


def evaluate(
    spec_dir: str, overrides: Mapping[str, bytes | None], today: dt.date, label: str
) -> Side:
    """One revision through the pipeline; findings kept even when some are errors."""
    if not any(v is not None for v in overrides.values()):
        return Side(None, (), ())
    loaded = load_spec(spec_dir, overrides)
    if loaded.spec is None:
        errors = [d for d in loaded.diagnostics if d.severity is Severity.ERROR]
        raise SideError(label, locate(errors, loaded.sources))
    environments = resolve(loaded.spec, today)
    found = [*loaded.diagnostics, *check_policies(loaded.spec, environments, today)]
    return Side(loaded.spec, environments, tuple(locate(found, loaded.sources)))


@dataclass(frozen=True)
class Revocation:
    """A live grant that the next authoritative apply revokes (made out of band, or expired)."""

    environment: str
    change: Change


@dataclass(frozen=True)
class AccessDiff:
    base: str
    head: str
    changed_files: tuple[str, ...]
    people: bool  # effective access is in people (identities given), else in grantees
    environments: tuple[EnvironmentDiff, ...]
    introduced: tuple[Diagnostic, ...]
    fixed: tuple[Diagnostic, ...]
    revocations: tuple[Revocation, ...]
    names: Mapping[str, str]  # Unity Catalog name -> declared name, where they differ
    # What the mass-revoke guard refuses in protected environments (empty: nothing).
    destructive: tuple[Finding, ...] = ()

    @property
    def changed(self) -> bool:
        envs = any(e.changed for e in self.environments)
        return envs or bool(self.introduced or self.fixed or self.revocations)


def _finding_key(d: Diagnostic) -> tuple[str, str, str, str]:
    return (d.file, d.code, d.severity.value, d.message)


def _states(side: Side) -> dict[str, State]:
    return {e.name: e.state for e in side.environments}


def _revocations(head: Side, lives: Sequence[State]) -> list[Revocation]:
    if head.spec is None:
        return []
    by_env = {e.name: e for e in head.environments}
    out = []
    for live in lives:
        env = by_env.get(live.environment or "")
        if env is None:
            continue
        options = DriftOptions(ignore_principals=ignored_principals(head.spec))
        report = diff_states(desired_side(head.spec, env), live, options)
        out += [
            Revocation(env.name, c) for c in report.changes if c.kind in _REVOKED and c.mark == "-"
        ]
    return out


def _destructive(base: Side, head: Side) -> list[Finding]:
    """The guard over each environment of the base: a protected one may not lose too much.

    An environment the head no longer declares keeps the base's protection, so deleting it
    from the organisation file cannot slip a wipe past the guard.
    """
    if base.spec is None:
        return []
    percent = (head.spec or base.spec).organisation.mass_revoke_percent
    after = _states(head)
    findings: list[Finding] = []
    for env in base.environments:
        empty = make_state("spec", (), environment=env.name)
        findings += check_states(
            env.state,
            after.get(env.name, empty),
            protected=env.protected,
            percent=percent,
            environment=env.name,
        )
    return findings


def destructive_between(
    spec_dir: str, sides: Sides, labels: tuple[str, str], today: dt.date
) -> list[Finding]:
    """The guard alone between two sides (load them whole: a share is of a whole environment)."""
    base = evaluate(spec_dir, sides.base, today, labels[0])
    head = evaluate(spec_dir, sides.head, today, labels[1])
    return _destructive(base, head)


def access_diff(
    spec_dir: str,
    sides: Sides,
    labels: tuple[str, str],
    today: dt.date,
    identities: Identities | None,
    lives: Sequence[State] = (),
) -> AccessDiff:
    """The whole access diff between the two sides of `sides`."""
    base = evaluate(spec_dir, sides.base, today, labels[0])
    head = evaluate(spec_dir, sides.head, today, labels[1])
    before, after = _states(base), _states(head)
    order = [e.name for e in head.environments] + [
        e.name for e in base.environments if e.name not in after
    ]
    environments = tuple(
        _with_terms(diff_environment(env, before.get(env), after.get(env), identities), base, head)
        for env in order
    )
    old = {_finding_key(d): d for d in base.findings}
    new = {_finding_key(d): d for d in head.findings}
    return AccessDiff(
        base=labels[0],
        head=labels[1],
        changed_files=sides.changed,
        people=identities is not None,
        environments=environments,
        introduced=tuple(d for k, d in new.items() if k not in old),
        fixed=tuple(d for k, d in old.items() if k not in new),
        revocations=tuple(_revocations(head, lives)),
        names=_names(head, base),
        destructive=tuple(_destructive(base, head)),
    )


_Terms = tuple[tuple[str | None, str], ...]
_Declared = dict[tuple[str, str, str], list[tuple[frozenset[str], str | None, str]]]


def _declared(side: Side, environment: str) -> _Declared:
    """(type, securable, Unity Catalog name) -> (privileges, expires, reason) of each entry."""
    env = next((e for e in side.environments if e.name == environment), None)
    out: _Declared = {}
    if env is None or side.spec is None:
        return out
    for g in (*env.grants, *env.storage_grants):
        expires = g.expires.isoformat() if g.expires else None
        key = (g.securable_type.value, g.securable, side.spec.uc_name(g.principal))
        out.setdefault(key, []).append((frozenset(g.privileges), expires, g.reason))
    return out


def _sorted_terms(found: set[tuple[str | None, str]]) -> _Terms:
    return tuple(sorted(found, key=lambda t: (t[0] or "9999", t[1])))


def _with_terms(diff: EnvironmentDiff, base: Side, head: Side) -> EnvironmentDiff:
    """Each added grant with the expiry and reason of the entries that declare it, and the
    grants whose privileges stay but whose terms change (renewals)."""
    now, was = _declared(head, diff.environment), _declared(base, diff.environment)

    def terms(delta: GrantDelta) -> _Terms:
        entries = now.get((delta.securable_type, delta.securable, delta.principal), [])
        return _sorted_terms({(e, r) for p, e, r in entries if p & set(delta.added)})

    grants = tuple(replace(g, terms=terms(g)) if g.added else g for g in diff.grants)
    changed = {(g.securable_type, g.securable, g.principal) for g in diff.grants}
    renewals = []
    for key in sorted(now.keys() & was.keys() - changed):
        by_privileges: dict[frozenset[str], list[set[tuple[str | None, str]]]] = {}
        for side, entries in enumerate((was[key], now[key])):
            for privileges, expires, reason in entries:
                pair = by_privileges.setdefault(privileges, [set(), set()])
                pair[side].add((expires, reason))
        for privileges, (before, after) in sorted(
            by_privileges.items(), key=lambda i: sorted(i[0])
        ):
            if before and after and before != after:
                renewals.append(
                    Renewal(
                        *key, tuple(sorted(privileges)), _sorted_terms(before), _sorted_terms(after)
                    )
                )
    return replace(diff, grants=grants, renewals=tuple(renewals))


def _names(*sides: Side) -> dict[str, str]:
    out: dict[str, str] = {}
    for side in sides:
        if side.spec is not None:
            for uc, name in side.spec.declared_names.items():
                if uc != name:
                    out.setdefault(uc, name)
    return out
