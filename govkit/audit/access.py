"""The effective-access section: readers and writers down to people, and the grants to question.

Readers of thousands of tables are the same few sets of people; each distinct set is listed
once and the securables point at it, so the report grows with the estate, not with
securables x people.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from govkit.access import AccessIndex
from govkit.audit.duties import build_duties
from govkit.audit.model import (
    Access,
    AccessRow,
    DirectGrant,
    DisabledMember,
    DriftRow,
    ExpiringGrant,
    Finding,
    PeopleSet,
    ProtectedWriter,
    SetMember,
    Severity,
    finding,
)
from govkit.audit.principals import Directory
from govkit.drift.model import ChangeKind, DriftReport
from govkit.resolve import DesiredEnvironment
from govkit.spec.build import Spec
from govkit.state import State

EXPIRY_WINDOW_DAYS = 30

_DRIFT_SEVERITY: dict[ChangeKind, Severity] = {
    ChangeKind.MISSING_SECURABLE: "warning",
    ChangeKind.UNMANAGED_SECURABLE: "note",
    ChangeKind.OWNER_MISMATCH: "error",
    ChangeKind.ISOLATION_MISMATCH: "error",
    ChangeKind.BINDING_MISMATCH: "error",
    ChangeKind.BINDING_TYPE_MISMATCH: "error",
    ChangeKind.MISSING_GRANT: "warning",
    ChangeKind.UNEXPECTED_GRANT: "error",
    ChangeKind.EXPIRED_GRANT_LIVE: "error",
    ChangeKind.STORAGE_ROOT_MISMATCH: "error",
    ChangeKind.URL_MISMATCH: "error",
    ChangeKind.CREDENTIAL_MISMATCH: "error",
    ChangeKind.READ_ONLY_MISMATCH: "error",
}


class _Sets:
    """Distinct sets of principals, numbered in order of first use."""

    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        self.ids: dict[frozenset[str], int] = {}

    def id(self, names: frozenset[str]) -> int | None:
        if not names:
            return None
        found = self.ids.get(names)
        if found is None:
            found = self.ids[names] = len(self.ids) + 1
        return found

    def sets(self) -> tuple[PeopleSet, ...]:
        kind, disabled = self.directory.kind, self.directory.disabled
        return tuple(
            PeopleSet(
                id=i,
                members=tuple(
                    SetMember(principal=n, kind=kind(n), disabled=disabled(n)) for n in sorted(s)
                ),
            )
            for s, i in self.ids.items()
        )


class _People:
    """Splits a set of names into people (and service principals) and unresolved groups: a
    group counts as nobody, and the row that holds one says its counts are incomplete."""

    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        self._split: dict[frozenset[str], tuple[frozenset[str], tuple[str, ...], int]] = {}

    def __call__(self, names: frozenset[str]) -> tuple[frozenset[str], tuple[str, ...], int]:
        found = self._split.get(names)
        if found is None:
            kind, disabled = self.directory.kind, self.directory.disabled
            groups = tuple(sorted(n for n in names if kind(n) == "group"))
            people = names.difference(groups) if groups else names
            off = sum(1 for n in people if disabled(n))
            found = self._split[names] = (people, groups, off)
        return found


def _rows(live: State, index: AccessIndex, sets: _Sets) -> list[AccessRow]:
    rows = []
    split = _People(sets.directory)
    for s in live.securables:
        names = index.names(s)
        read, unread, off = split(names.read)
        write, unwritten, _ = split(names.write)
        grant, ungranted, _ = split(names.could_grant)
        unresolved = tuple(sorted({*unread, *unwritten, *ungranted}))
        rows.append(
            AccessRow(
                type=s.type.value,
                name=s.name,
                readers=len(read),
                writers=len(write),
                could_grant=len(grant),
                read_set=sets.id(read),
                write_set=sets.id(write),
                grant_set=sets.id(grant),
                read_through=index.grantees(s, "read"),
                write_through=index.grantees(s, "write"),
                disabled_readers=off,
                unresolved_groups=unresolved,
                complete=not unresolved,
            )
        )
    return rows


def _disabled(
    live: State, rows: list[AccessRow], sets: tuple[PeopleSet, ...], index: AccessIndex
) -> list[DisabledMember]:
    """Disabled accounts in any reader or writer set, with how much they still reach."""
    uses: Counter[tuple[str, int]] = Counter()
    first: dict[tuple[str, int], AccessRow] = {}
    for row in rows:
        for access, set_id in (("read", row.read_set), ("write", row.write_set)):
            if set_id is not None:
                uses[access, set_id] += 1
                first.setdefault((access, set_id), row)
    counts: dict[str, list[int]] = {}
    example: dict[str, tuple[str, AccessRow]] = {}
    for people in sets:
        for m in people.members:
            if not m.disabled:
                continue
            for i, access in enumerate(("read", "write")):
                n = uses.get((access, people.id), 0)
                if n:
                    counts.setdefault(m.principal, [0, 0])[i] += n
                    example.setdefault(m.principal, (access, first[access, people.id]))
    by_name = {s.name: s for s in live.securables}
    out = []
    for name in sorted(counts):
        access, row = example[name]
        holder = index.holder(by_name[row.name], "read" if access == "read" else "write", name)
        out.append(
            DisabledMember(
                principal=name,
                kind=index.principal_kind(name),
                reads=counts[name][0],
                writes=counts[name][1],
                example=holder.lines()[0] if holder is not None else f"{access} {row.name}",
            )
        )
    return out


def _protected_writers(
    env: DesiredEnvironment, live: State, index: AccessIndex, directory: Directory
) -> list[ProtectedWriter]:
    """People (and groups whose members are unknown) who can write in a protected environment."""
    if not env.protected:
        return []
    counts: Counter[str] = Counter()
    first: dict[str, str] = {}
    for s in live.securables:
        for name in index.names(s).write:
            if directory.kind(name) != "service_principal":
                counts[name] += 1
                first.setdefault(name, s.name)
    out = []
    for name in sorted(counts):
        holder = next(h for h in index.on(first[name]).write if h.principal == name)
        out.append(
            ProtectedWriter(
                principal=name,
                kind=directory.kind(name),
                securables=counts[name],
                example=holder.lines()[0],
            )
        )
    return out


def _direct_grants(env: DesiredEnvironment, live: State, directory: Directory) -> list[DirectGrant]:
    """Live grants to individual people, or to principals that no longer exist."""
    declared = {(s.name, p) for s in env.state.securables for p in s.grants}
    out = []
    for s in live.securables:
        for principal, privileges in s.grants.items():
            standing = directory.standing(principal)
            if directory.kind(principal) != "user" and standing == "ok":
                continue
            out.append(
                DirectGrant(
                    securable=s.name,
                    type=s.type.value,
                    principal=principal,
                    privileges=privileges,
                    declared=(s.name, principal) in declared,
                    departed=standing != "ok",
                )
            )
    return out


def _expiring(spec: Spec, env: DesiredEnvironment, today: dt.date) -> list[ExpiringGrant]:
    out = []
    for g in env.grants:
        if g.expires is None:
            continue
        days = (g.expires - today).days
        if 0 <= days <= EXPIRY_WINDOW_DAYS:
            out.append(
                ExpiringGrant(
                    securable=g.securable,
                    principal=spec.uc_name(g.principal),
                    privileges=g.privileges,
                    expires=g.expires.isoformat(),
                    days_left=days,
                    reason=g.reason,
                )
            )
    return sorted(out, key=lambda e: (e.expires, e.securable, e.principal))


def _drift(report: DriftReport | None) -> list[DriftRow]:
    if report is None:
        return []
    return [
        DriftRow(
            code=c.kind.code,
            kind=c.kind.value,
            mark=c.mark,
            securable=c.securable,
            principal=c.principal,
            privileges=c.privileges,
            consequence=c.consequence,
            actor=c.explanation.actor if c.explanation else None,
            at=c.explanation.at if c.explanation else None,
        )
        for c in report.changes
    ]


def _findings(
    env: DesiredEnvironment,
    writers: list[ProtectedWriter],
    disabled: list[DisabledMember],
    direct: list[DirectGrant],
    drift: list[DriftRow],
    directory: Directory,
) -> list[Finding]:
    out = [
        finding(
            "GOV611",
            "error",
            "access",
            w.principal,
            f"{directory.show(w.principal)} is not a service principal and can write "
            f"{w.securables} securable(s) in protected environment {env.name}: {w.example}",
        )
        for w in writers
    ]
    out += [
        finding(
            "GOV613",
            "warning",
            "access",
            m.principal,
            f"{directory.show(m.principal)} is disabled in the identities but still reads "
            f"{m.reads} and writes {m.writes} securable(s) in {env.name} through a group: "
            f"{m.example}",
        )
        for m in disabled
    ]
    out += [
        finding(
            "GOV612",
            "error",
            "access",
            d.securable,
            f"{directory.show(d.principal)} holds {', '.join(d.privileges)} on {d.type} "
            f"{d.securable} "
            "but is not in the directory (departed or unknown)",
        )
        for d in direct
        if d.departed
    ]
    for d in drift:
        who = f" (by {d.actor} at {d.at})" if d.actor else ""
        what = f"{', '.join(d.privileges)} on " if d.privileges else ""
        to = f" to {directory.show(d.principal)}" if d.principal else ""
        out.append(
            finding(
                d.code,
                _DRIFT_SEVERITY[ChangeKind(d.kind)],
                "ownership" if d.kind == ChangeKind.OWNER_MISMATCH.value else "access",
                d.securable,
                f"{d.kind.replace('_', ' ')}: {what}{d.securable}{to}{who}; {d.consequence}",
            )
        )
    return out


def build_access(
    spec: Spec,
    env: DesiredEnvironment,
    live: State,
    index: AccessIndex,
    directory: Directory,
    drift: DriftReport | None,
    today: dt.date,
    complete: bool,
    note: str | None,
) -> tuple[Access, list[Finding]]:
    """The access section of `env` over its live State, and its findings."""
    sets = _Sets(directory)
    rows = _rows(live, index, sets)
    writers = _protected_writers(env, live, index, directory)
    direct = _direct_grants(env, live, directory)
    drift_rows = _drift(drift)
    people_sets = sets.sets()
    disabled = _disabled(live, rows, people_sets, index)
    duties, duty_findings = build_duties(spec, env, live, index, directory)
    section = Access(
        complete=complete,
        note=note,
        people=sum(1 for _ in index.people()),
        rows=tuple(rows),
        sets=people_sets,
        protected_writers=tuple(writers),
        disabled_members=tuple(disabled),
        incomplete_securables=sum(1 for r in rows if not r.complete),
        renamed_groups=dict(index.aliases),
        separation_of_duties=duties,
        direct_grants=tuple(direct),
        expiring=tuple(_expiring(spec, env, today)),
        drift=tuple(drift_rows),
    )
    return section, [
        *_findings(env, writers, disabled, direct, drift_rows, directory),
        *duty_findings,
    ]
