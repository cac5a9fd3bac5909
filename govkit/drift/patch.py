"""The YAML patch that adopts the live state into the spec, for a reviewer to apply.

Each change becomes an edit against a spec file, or an entry of `not_adopted` saying why it
cannot be adopted. A grant to a principal the spec does not declare comes with the edit that
declares it. `govkit.drift.adopt` then checks the patched spec the way `govkit validate` does and
moves whatever would not validate to `not_adopted`, so that a patch govkit emits validates.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml

from govkit.diagnostics import Path
from govkit.drift.model import Change, ChangeKind, DriftReport

Op = Literal["append", "set", "add", "remove", "drop_privileges"]
_UUID = re.compile(r"^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$", re.IGNORECASE)
ADOPTED = "adopted from the live state by govkit drift"


@dataclass(frozen=True)
class SpecIndex:
    """Where the spec declares things, so that a patch can point at them."""

    # (type, full name) -> (file, document path of the securable)
    securables: Mapping[tuple[str, str], tuple[str, Path]] = field(default_factory=dict)
    # (type, full name, Unity Catalog principal) -> (file, document path of each grant entry)
    grants: Mapping[tuple[str, str, str], tuple[tuple[str, Path], ...]] = field(
        default_factory=dict
    )
    # Unity Catalog names of the declared principals, and the file new ones are declared in.
    declared: frozenset[str] = frozenset()
    principals_file: str | None = None
    # In a protected environment the deployer owns everything: no live owner can be adopted.
    protected_by: str | None = None


@dataclass(frozen=True)
class Edit:
    """One edit of one spec file; `after` names edits it needs (a principal's declaration)."""

    change: str
    securable: str
    file: str
    at: Path
    op: Op
    value: Any
    after: tuple[int, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        at = ".".join(str(p) for p in self.at) or "(the whole file)"
        return {"change": self.change, "securable": self.securable, "file": self.file, "at": at,
                self.op: self.value}  # fmt: skip


@dataclass(frozen=True)
class Refusal:
    change: str
    securable: str
    why: str

    def as_dict(self) -> dict[str, str]:
        return {"change": self.change, "securable": self.securable, "why": self.why}


@dataclass
class Patch:
    edits: list[Edit] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)


def _declaration(uc_name: str, environment: str) -> tuple[str, str, dict[str, Any]]:
    """(section, declared name, entry) declaring a principal Unity Catalog knows as `uc_name`."""
    if "@" in uc_name:
        return "users", uc_name, {"environments": [environment]}
    if _UUID.match(uc_name):
        entry = {"application_id": uc_name, "environments": [environment]}
        return "service_principals", f"sp-{uc_name[:8]}", entry
    return "groups", uc_name, {"description": ADOPTED}


class _Planner:
    def __init__(self, report: DriftReport, index: SpecIndex) -> None:
        self.report = report
        self.index = index
        self.patch = Patch()
        self._declared: dict[str, tuple[str, int | None]] = {}  # uc name -> (name, edit)

    def refuse(self, c: Change, why: str) -> None:
        self.patch.refused.append(Refusal(c.kind.value, _label(c), why))

    def add(self, c: Change, file: str, at: Path, op: Op, value: Any, *after: int) -> int:
        self.patch.edits.append(Edit(c.kind.value, _label(c), file, at, op, value, after))
        return len(self.patch.edits) - 1

    def principal(self, c: Change, uc_name: str) -> tuple[str, tuple[int, ...]] | None:
        """The declared name of `uc_name`, declaring it first when the spec does not."""
        known = self.report.names.get(uc_name)
        if known is not None or uc_name in self.index.declared:
            return known or uc_name, ()
        if uc_name not in self._declared:
            if self.index.principals_file is None:
                return None
            section, name, entry = _declaration(uc_name, self.report.environment)
            edit = self.add(c, self.index.principals_file, (section,), "add", {name: entry})
            self._declared[uc_name] = (name, edit)
        name, edit_no = self._declared[uc_name]
        return name, (() if edit_no is None else (edit_no,))

    def change(self, c: Change) -> None:
        where = self.index.securables.get((c.securable_type.value, c.securable))
        if c.kind is ChangeKind.UNEXPECTED_GRANT and where is not None:
            self.grant(c, where)
        elif c.kind is ChangeKind.OWNER_MISMATCH and where is not None:
            self.owner(c, where)
        elif c.kind is ChangeKind.MISSING_SECURABLE and where is not None:
            self.add(c, where[0], where[1], "remove", True)
        elif c.kind in (ChangeKind.MISSING_GRANT, ChangeKind.EXPIRED_GRANT_LIVE):
            self.declared_grant(c)
        elif c.kind in _STORAGE_KEYS and where is not None:
            self.storage(c, where)

    def grant(self, c: Change, where: tuple[str, Path]) -> None:
        named = self.principal(c, c.principal or "")
        if named is None:
            self.refuse(c, f"{c.principal} is not declared and the spec has no principal file")
            return
        grant = {"principal": named[0], "privileges": list(c.privileges),
                 "environments": [self.report.environment], "reason": ADOPTED}  # fmt: skip
        self.add(c, where[0], (*where[1], "grants"), "append", grant, *named[1])

    def owner(self, c: Change, where: tuple[str, Path]) -> None:
        if self.index.protected_by is not None:
            self.refuse(
                c,
                f"in protected environment {self.report.environment} the deployer "
                f"{self.index.protected_by} owns every securable and the spec's owner is the "
                "accountable owner; restore the owner with `--emit sql`",
            )
            return
        named = self.principal(c, str(c.actual))
        if named is None:
            self.refuse(c, f"{c.actual} is not declared and the spec has no principal file")
            return
        self.add(c, where[0], (*where[1], "owner"), "set", named[0], *named[1])

    def storage(self, c: Change, where: tuple[str, Path]) -> None:
        key = _STORAGE_KEYS[c.kind]
        if c.actual is None:
            self.refuse(c, f"the live {key} is unset; remove `{key}` from the spec by hand")
            return
        # A domain declares a storage root per environment; a location its fields directly.
        at = (
            (key, self.report.environment) if c.kind is ChangeKind.STORAGE_ROOT_MISMATCH else (key,)
        )
        self.add(c, where[0], (*where[1], *at), "set", c.actual)

    def declared_grant(self, c: Change) -> None:
        key = (c.securable_type.value, c.securable, c.principal or "")
        entries = self.index.grants.get(key, ())
        if not entries:
            return
        file, at = entries[0]
        if c.kind is ChangeKind.MISSING_GRANT:
            # The grant may come from an access level: the reviewer turns it into privileges.
            self.add(c, file, at, "drop_privileges", list(c.privileges))
        else:
            # Adopting an expired grant means renewing it: the reviewer picks the new date.
            self.add(c, file, (*at, "expires"), "set", "YYYY-MM-DD (a new date)")


# Storage changes -> the spec key that declares the field.
_STORAGE_KEYS = {
    ChangeKind.STORAGE_ROOT_MISMATCH: "storage_root",
    ChangeKind.URL_MISMATCH: "url",
    ChangeKind.CREDENTIAL_MISMATCH: "credential",
    ChangeKind.READ_ONLY_MISMATCH: "read_only",
}


def _label(c: Change) -> str:
    return f"{c.securable_type.value} {c.securable}"


# Given the planned edits, the positions of those that would not validate, each with why.
Checker = Callable[[Sequence[Edit]], dict[int, str]]


def plan_patch(report: DriftReport, index: SpecIndex, check: Checker | None = None) -> Patch:
    """Edits that adopt the live state, minus those `check` refuses (and the edits after them)."""
    planner = _Planner(report, index)
    for c in report.changes:
        planner.change(c)
    patch = planner.patch
    refused = check(patch.edits) if check is not None else {}
    if not refused:
        return patch
    for i, e in enumerate(patch.edits):  # an edit after a refused one is refused with it
        if i not in refused and any(a in refused for a in e.after):
            refused[i] = refused[next(a for a in e.after if a in refused)]
    needed = {a for i, e in enumerate(patch.edits) if i not in refused for a in e.after}
    for i, e in enumerate(patch.edits):  # a declaration only the refused edits needed goes too
        if e.op == "add" and i not in needed:
            refused.setdefault(i, "not needed")
    kept = [e for i, e in enumerate(patch.edits) if i not in refused]
    gone = [Refusal(e.change, e.securable, refused[i]) for i, e in enumerate(patch.edits)
            if i in refused and e.op != "add"]  # fmt: skip
    return Patch([*(_renumbered(e, patch.edits, kept) for e in kept)], [*patch.refused, *gone])


def _renumbered(edit: Edit, before: list[Edit], kept: list[Edit]) -> Edit:
    after = tuple(kept.index(before[a]) for a in edit.after)
    return Edit(edit.change, edit.securable, edit.file, edit.at, edit.op, edit.value, after)


def emit_yaml(report: DriftReport, index: SpecIndex, check: Checker | None = None) -> str:
    """A YAML patch document that adopts the live state into the spec, for a reviewer to apply."""
    patch = plan_patch(report, index, check)
    doc = {
        "format": "govkit.spec-patch/v1",
        "environment": report.environment,
        "edits": [e.as_dict() for e in patch.edits],
        "not_adopted": [r.as_dict() for r in patch.refused],
    }
    header = (
        "# govkit drift: adopt the live state into the spec (the alternative to --emit sql).\n"
        "# Each edit names a spec file and a dotted path in it; review, then edit the files.\n"
        "# `not_adopted` lists the changes the spec cannot take, and why.\n"
    )
    return header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
