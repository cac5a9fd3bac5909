"""The ownership section: every catalog, schema and table with its owners, and coverage."""

from __future__ import annotations

from govkit.audit.model import Finding, OwnerRow, Ownership, finding
from govkit.audit.principals import Directory
from govkit.privileges import SecurableType
from govkit.resolve import DesiredEnvironment
from govkit.state import Securable, State

_OWNED = (SecurableType.CATALOG, SecurableType.SCHEMA, SecurableType.TABLE)


def _row(
    key: tuple[SecurableType, str],
    live: Securable | None,
    desired: Securable | None,
    accountable: str | None,
    directory: Directory,
) -> OwnerRow:
    owner = live.owner if live is not None else None
    flags: list[str] = []
    kind = directory.kind(owner) if owner is not None else "unknown"
    if owner is not None:
        if kind == "user":
            flags.append("individual")
        standing = directory.standing(owner)
        if standing != "ok":
            flags.append(standing)
    if accountable is None:
        flags.append("no-accountable-owner")
    elif directory.has_enabled_member(accountable) is False:
        flags.append("accountable-owner-without-enabled-member")
    if live is None:
        flags.append("not-live")
    if desired is None:
        flags.append("not-in-spec")
    elif live is not None and desired.owner != owner:
        flags.append("owner-differs")
    return OwnerRow(
        type=key[0].value,
        name=key[1],
        owner=owner,
        owner_label=directory.label(owner) if owner else None,
        owner_kind=kind,
        desired_owner=desired.owner if desired is not None else None,
        accountable_owner=accountable,
        flags=tuple(flags),
    )


def _findings(row: OwnerRow, directory: Directory) -> list[Finding]:
    out = []
    if row.owner is not None and "departed" in row.flags:
        out.append(
            finding(
                "GOV601",
                "error",
                "ownership",
                row.name,
                f"{row.type} {row.name} is owned by {directory.show(row.owner)}, who is "
                "no longer in the directory (departed or disabled)",
            )
        )
    if row.owner is not None and "unknown" in row.flags:
        out.append(
            finding(
                "GOV602",
                "error",
                "ownership",
                row.name,
                f"{row.type} {row.name} is owned by {row.owner}, a principal that "
                "neither the identities nor the spec know",
            )
        )
    if row.type == "table" and not _accountable(row):
        why = (
            "declares no accountable owner"
            if row.accountable_owner is None
            else f"has accountable owner {row.accountable_owner}, which has no enabled member"
        )
        out.append(
            finding(
                "GOV603",
                "warning",
                "ownership",
                row.name,
                f"table {row.name} {why}: nobody answers for it (its Unity Catalog owner "
                f"{directory.show(row.owner) if row.owner else 'is not known'} does not count)",
            )
        )
    return out


def _accountable(row: OwnerRow) -> bool:
    return row.accountable_owner is not None and (
        "accountable-owner-without-enabled-member" not in row.flags
    )


def _percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 100.0


def build_ownership(
    env: DesiredEnvironment, live: State, directory: Directory, complete: bool, note: str | None
) -> tuple[Ownership, list[Finding]]:
    """Rows for the securables of the spec and of the live State; coverage over live tables."""
    lives = {(s.type, s.name): s for s in live.securables if s.type in _OWNED}
    desired = {(s.type, s.name): s for s in env.state.securables if s.type in _OWNED}
    accountable = {(s.type, s.name): s.accountable_owner for s in env.securables}
    keys = sorted({*lives, *desired}, key=lambda k: (k[0].order, k[1]))
    rows = [_row(k, lives.get(k), desired.get(k), accountable.get(k), directory) for k in keys]
    findings = [f for row in rows for f in _findings(row, directory)]
    tables = [r for r in rows if r.type == "table" and r.owner is not None]
    owned = [r for r in tables if r.owner_kind in ("group", "service_principal")]
    covered = [r for r in tables if _accountable(r)]
    section = Ownership(
        complete=complete,
        note=note,
        tables=len(tables),
        tables_owned_by_groups_or_service_principals=len(owned),
        coverage_percent=_percent(len(owned), len(tables)),
        tables_with_accountable_owner=len(covered),
        accountable_coverage_percent=_percent(len(covered), len(tables)),
        rows=tuple(rows),
    )
    return section, findings
