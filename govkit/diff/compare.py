"""The access change between two desired States of one environment: pure, values in and out.

Grants are compared as declared (per group, per securable). Effective access is compared only
where it can change: on securables whose grants or owner changed, or that appeared or went, and
on everything below them (a catalog-level SELECT reads as every table in it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from govkit.access import AccessIndex, Kind, effective_access
from govkit.identity.document import Identities
from govkit.state import Securable, State

Access = Literal["read", "write", "could_grant"]
ACCESSES: tuple[Access, ...] = ("read", "write", "could_grant")


@dataclass(frozen=True)
class GrantDelta:
    """Privileges one principal gains and loses directly on one securable."""

    securable_type: str
    securable: str
    principal: str  # as Unity Catalog names it
    added: tuple[str, ...]
    removed: tuple[str, ...]
    # (expires or None, reason) of each head entry that grants what is added, for reviewers
    terms: tuple[tuple[str | None, str], ...] = ()


@dataclass(frozen=True)
class AccessDelta:
    """Securables one person (or, without identities, grantee) starts or stops reaching."""

    principal: str
    kind: Kind
    access: Access
    gained: tuple[str, ...]
    lost: tuple[str, ...]


@dataclass(frozen=True)
class Renewal:
    """The same privileges of one principal on one securable, with other terms: a renewal."""

    securable_type: str
    securable: str
    principal: str  # as Unity Catalog names it
    privileges: tuple[str, ...]
    before: tuple[tuple[str | None, str], ...]  # (expires or None, reason) of the entries
    after: tuple[tuple[str | None, str], ...]


@dataclass(frozen=True)
class EnvironmentDiff:
    environment: str
    grants: tuple[GrantDelta, ...]
    access: tuple[AccessDelta, ...]
    renewals: tuple[Renewal, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.grants or self.access or self.renewals)


def _by_key(state: State | None) -> dict[tuple[str, str], Securable]:
    return {} if state is None else {(s.type.value, s.name): s for s in state.securables}


def grant_deltas(base: State | None, head: State | None) -> list[GrantDelta]:
    """Direct grants that differ, sorted by securable then principal."""
    before, after = _by_key(base), _by_key(head)
    out = []
    for key in sorted(set(before) | set(after)):
        old = before[key].grants if key in before else {}
        new = after[key].grants if key in after else {}
        for principal in sorted(set(old) | set(new)):
            was, now = set(old.get(principal, ())), set(new.get(principal, ()))
            if was != now:
                out.append(
                    GrantDelta(
                        key[0],
                        key[1],
                        principal,
                        tuple(sorted(now - was)),
                        tuple(sorted(was - now)),
                    )
                )
    return out


def _touched(
    before: dict[tuple[str, str], Securable], after: dict[tuple[str, str], Securable]
) -> set[str]:
    """Names of securables whose grants or owner changed, or that exist on one side only."""
    names = set()
    for key in set(before) | set(after):
        old, new = before.get(key), after.get(key)
        if old is None or new is None or old.grants != new.grants or old.owner != new.owner:
            names.add(key[1])
    return names


def _below(names: set[str], candidates: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Candidates that are one of `names` or lie inside one of them."""
    out = []
    for key in candidates:
        name = key[1]
        parts = name.split(".")
        if any(".".join(parts[:i]) in names for i in range(1, len(parts) + 1)):
            out.append(key)
    return out


def access_deltas(
    base: State | None, head: State | None, identities: Identities | None
) -> list[AccessDelta]:
    """Who starts or stops reading, writing or being able to grant, and on what."""
    before, after = _by_key(base), _by_key(head)
    touched = _touched(before, after)
    if not touched:
        return []
    indexes: list[AccessIndex | None] = [
        effective_access(s, identities) if s is not None else None for s in (base, head)
    ]
    gained: dict[tuple[str, Access], list[str]] = defaultdict(list)
    lost: dict[tuple[str, Access], list[str]] = defaultdict(list)
    kinds: dict[str, Kind] = {}
    for key in sorted(_below(touched, set(before) | set(after))):
        sides = []
        for index, securables in zip(indexes, (before, after), strict=True):
            securable = securables.get(key)
            sides.append(None if index is None or securable is None else index.names(securable))
        for access in ACCESSES:
            old = getattr(sides[0], access) if sides[0] is not None else frozenset()
            new = getattr(sides[1], access) if sides[1] is not None else frozenset()
            for name in new - old:
                gained[(name, access)].append(key[1])
            for name in old - new:
                lost[(name, access)].append(key[1])
    for name, _ in (*gained, *lost):
        if name not in kinds:
            index = indexes[1] or indexes[0]
            assert index is not None  # a change means one side exists
            kinds[name] = index.principal_kind(name)
    return [
        AccessDelta(name, kinds[name], access, tuple(gained.get(k, ())), tuple(lost.get(k, ())))
        for k in sorted(set(gained) | set(lost), key=lambda k: (k[0], ACCESSES.index(k[1])))
        for name, access in [k]
    ]


def diff_environment(
    environment: str, base: State | None, head: State | None, identities: Identities | None
) -> EnvironmentDiff:
    return EnvironmentDiff(
        environment,
        tuple(grant_deltas(base, head)),
        tuple(access_deltas(base, head, identities)),
    )
