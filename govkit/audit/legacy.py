"""The audit's section on access outside Unity Catalog: the paths, per workspace and owner.

The count of paths is the figure the platform team reports upward, with the goal 0. In a
protected environment every path is an error finding (so `govkit audit` exits 2 while one is
left); elsewhere a note that does not fail the audit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from govkit.audit.model import (
    AuditReport,
    Finding,
    LegacyAccess,
    LegacyPath,
    Severity,
    finding,
)
from govkit.legacy.document import LegacyAccess as LegacyDoc
from govkit.legacy.paths import KIND_TITLES, KINDS, PathKind, access_paths, unread_workspaces
from govkit.resolve import DesiredEnvironment

CODES: dict[PathKind, str] = {
    "instance_profile": "GOV631",
    "storage_key": "GOV635",
    "hive_table_acl": "GOV632",
    "no_isolation": "GOV633",
    "legacy_access_mode": "GOV634",
}
_FIX: dict[PathKind, str] = {
    "instance_profile": "move its users to a storage credential and external location, then "
    "remove the instance profile",
    "storage_key": "move its users to a storage credential and external location, then remove "
    "the key from the spark conf and rotate it",
    "hive_table_acl": "upgrade its tables to Unity Catalog and give the cluster a Unity Catalog "
    "access mode",
    "no_isolation": "give the cluster a Unity Catalog access mode (standard or dedicated)",
    "legacy_access_mode": "give the cluster a Unity Catalog access mode (standard or dedicated)",
}


# Who answers for an instance profile or a storage key: they have no creator of their own.
WORKSPACE_ADMINS = "workspace admins"


def _note(gap: str | None, unread: list[int]) -> str | None:
    if gap or not unread:
        return gap
    return "this section is incomplete: workspaces not read: " + ", ".join(map(str, unread))


def _labeller(names: Mapping[str, str]) -> Callable[[str], str]:
    def label(uc_name: str) -> str:
        declared = names.get(uc_name)
        return f"{uc_name} ({declared})" if declared and declared != uc_name else uc_name

    return label


def _finding(path: LegacyPath, severity: Severity) -> Finding:
    kind: PathKind = path.kind
    owner = path.owner
    where = f"workspace {path.workspace_id}: {path.subject}"
    message = (
        f"{KIND_TITLES[kind]} reads data outside Unity Catalog ({path.detail}; owner {owner}); "
        f"{_FIX[kind]}"
    )
    return finding(CODES[kind], severity, "legacy", where, message)


def build_legacy(
    env: DesiredEnvironment,
    doc: LegacyDoc | None,
    gap: str | None,
    names: Mapping[str, str] | None = None,
) -> tuple[LegacyAccess, list[Finding]]:
    """The section and its findings: errors in a protected environment, notes elsewhere.

    `gap` says what the input lacks; a workspace of the environment that the document does
    not mention makes the section incomplete too.
    """
    note = _note(gap, unread_workspaces(env.workspaces, doc) if doc is not None else [])
    paths = tuple(
        LegacyPath(
            workspace_id=p.workspace_id, kind=p.kind, subject=p.subject,
            owner=p.owner or WORKSPACE_ADMINS,
            detail=p.detail, used_by=p.used_by,
        )
        for p in (access_paths(doc, _labeller(names or {})) if doc is not None else ())
    )  # fmt: skip
    severity: Severity = "error" if env.protected else "note"
    section = LegacyAccess(
        complete=note is None,
        note=note,
        protected=env.protected,
        workspaces=tuple(env.workspaces),
        workspaces_read=tuple(w.workspace_id for w in doc.workspaces) if doc else (),
        paths_count=len(paths),
        by_kind={k: sum(1 for p in paths if p.kind == k) for k in KINDS},
        paths=paths,
    )
    return section, [_finding(p, severity) for p in paths]


LEGACY_HEADERS = ["workspace", "kind", "subject", "owner", "detail", "used by"]


def legacy_rows(section: LegacyAccess) -> list[list[object]]:
    """The paths as table rows, the same in every format."""
    return [
        [p.workspace_id, KIND_TITLES[p.kind], p.subject, p.owner,
         p.detail, "; ".join(p.used_by)]
        for p in section.paths
    ]  # fmt: skip


def legacy_summary(report: AuditReport) -> str:
    """One sentence: the count, what it is made of, and whether it fails the audit."""
    section = report.legacy
    env = report.evidence.environment
    if not section.workspaces_read:
        return f"No workspace of {env} was read: the count of access paths is unknown."
    kinds = ", ".join(
        f"{n} {KIND_TITLES[k]}{'' if n == 1 else 's'}"
        for k, n in section.by_kind.items()
        if n and k in KINDS
    )
    read = f"{len(section.workspaces_read)} of {len(section.workspaces)} workspaces read"
    rule = "each is an error in a protected environment" if section.protected else "notes only"
    return f"{section.paths_count} access paths outside Unity Catalog in {env} (goal 0; {read})" + (
        f": {kinds}; {rule}." if kinds else "."
    )
