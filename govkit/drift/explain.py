"""Explained drift: join changes with `system.access.audit` events to say who made them, when.

Audit rows come from a file (JSON lines, or a JSON list, of `system.access.audit`-shaped rows) or
from the warehouse. Parsing is lenient about how a warehouse serialises maps and structs (as JSON
text or as objects) and strict about what it needs: a row without a time or a securable is
skipped, never guessed.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from govkit.drift.model import Change, ChangeKind, DriftReport, Explanation

PERMISSIONS_ACTION = "updatePermissions"
# Where Unity Catalog audit events name the securable, by action family: updatePermissions in
# `securable_full_name`; updateSchema and updateTables in `full_name_arg`; updateCatalog,
# updateExternalLocation and updateStorageCredential in `name_arg`, as their REST paths name
# them (PATCH /api/2.1/unity-catalog/catalogs/{name_arg}). Sources: Databricks audit log
# reference, "Unity Catalog events" (docs.databricks.com/en/admin/account-settings/audit-logs),
# and the Unity Catalog REST reference (docs.databricks.com/api/workspace/catalogs/update).
_NAME_KEYS = ("securable_full_name", "full_name_arg", "name_arg", "full_name", "name")
# The securable type an update action is about; updatePermissions says it in `securable_type`.
_ACTION_TYPES = {
    "updateCatalog": "catalog",
    "updateSchema": "schema",
    "updateTables": "table",
    "updateTable": "table",
    "updateVolume": "volume",
    "updateFunction": "function",
    "updateExternalLocation": "external_location",
    "updateStorageCredential": "storage_credential",
    "updateConnection": "connection",
}


class AuditFormatError(ValueError):
    """An audit file that is not rows of `system.access.audit`."""


@dataclass(frozen=True)
class PrivilegeChange:
    principal: str
    add: frozenset[str]
    remove: frozenset[str]


@dataclass(frozen=True)
class AuditEvent:
    """One permissions or ownership change from the audit log."""

    at: str
    actor: str
    action: str
    securable: str
    privilege_changes: tuple[PrivilegeChange, ...] = ()
    owner: str | None = None
    # `SecurableType` value; None when the row does not say (then any type of that name)
    securable_type: str | None = None


def _as_mapping(value: Any) -> Mapping[str, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return {}
    return value if isinstance(value, Mapping) else {}


def _privilege_changes(raw: Any) -> tuple[PrivilegeChange, ...]:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            return ()
    if not isinstance(raw, list):
        return ()
    out = []
    for item in raw:
        if isinstance(item, Mapping) and isinstance(item.get("principal"), str):
            out.append(
                PrivilegeChange(
                    item["principal"],
                    frozenset(str(p).replace(" ", "_").upper() for p in item.get("add") or ()),
                    frozenset(str(p).replace(" ", "_").upper() for p in item.get("remove") or ()),
                )
            )
    return tuple(out)


def parse_event(row: Mapping[str, Any]) -> AuditEvent | None:
    """An audit row as an event, or None when it is not a permissions or ownership change."""
    action = str(row.get("action_name") or "")
    params = _as_mapping(row.get("request_params"))
    securable = next((str(params[k]) for k in _NAME_KEYS if params.get(k)), "")
    at = str(row.get("event_time") or "")
    actor = row.get("user_email") or _as_mapping(row.get("user_identity")).get("email") or ""
    if not securable or not at:
        return None
    response = _as_mapping(row.get("response"))
    status = response.get("status_code")
    if status is not None and str(status) != "200":
        return None  # a refused request changed nothing
    if action == PERMISSIONS_ACTION:
        changes = _privilege_changes(params.get("changes"))
        kind = str(params.get("securable_type") or "").lower().replace("-", "_") or None
        if not changes:
            return None
        return AuditEvent(at, str(actor), action, securable, changes, securable_type=kind)
    if action.startswith("update") and params.get("owner"):
        kind = _ACTION_TYPES.get(action)
        return AuditEvent(
            at, str(actor), action, securable, owner=str(params["owner"]), securable_type=kind
        )
    return None


def parse_audit_text(text: str) -> list[AuditEvent]:
    """Events from a JSON list of rows or from JSON lines; other rows are ignored."""
    stripped = text.lstrip()
    try:
        if stripped.startswith("["):
            rows = json.loads(stripped)
        else:
            rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    except json.JSONDecodeError as exc:
        raise AuditFormatError(
            f"not JSON lines or a JSON list: {exc.msg} at line {exc.lineno}"
        ) from None
    if not all(isinstance(r, Mapping) for r in rows):
        raise AuditFormatError("every audit row must be a JSON object")
    return [e for r in rows if (e := parse_event(r)) is not None]


def _matches(change: Change, event: AuditEvent) -> bool:
    if event.securable_type not in (None, change.securable_type.value):
        return False  # a credential and a catalog may share a name
    if change.kind is ChangeKind.OWNER_MISMATCH:
        return event.owner is not None and event.owner == change.actual
    wanted = set(change.privileges)
    for pc in event.privilege_changes:
        if pc.principal != change.principal:
            continue
        moved = pc.remove if change.kind is ChangeKind.MISSING_GRANT else pc.add
        if wanted & moved or "ALL_PRIVILEGES" in moved:
            return True
    return False


_EXPLAINED = frozenset(
    {
        ChangeKind.OWNER_MISMATCH,
        ChangeKind.UNEXPECTED_GRANT,
        ChangeKind.MISSING_GRANT,
        ChangeKind.EXPIRED_GRANT_LIVE,
    }
)


def explain(report: DriftReport, events: Iterable[AuditEvent]) -> DriftReport:
    """Each owner or grant change with the latest audit event that made it, when there is one."""
    by_securable: dict[str, list[AuditEvent]] = defaultdict(list)
    for e in events:
        by_securable[e.securable.lower()].append(e)
    for found in by_securable.values():
        found.sort(key=lambda e: e.at, reverse=True)  # ISO times sort as text; latest first
    changes = []
    for c in report.changes:
        if c.kind in _EXPLAINED:
            event = next(
                (e for e in by_securable.get(c.securable.lower(), ()) if _matches(c, e)), None
            )
            if event is not None:
                why = Explanation(actor=event.actor, at=event.at, action=event.action)
                c = c.model_copy(update={"explanation": why})
        changes.append(c)
    return report.model_copy(update={"changes": tuple(changes)})


# Actions that change grants or owners of Unity Catalog securables.
AUDIT_ACTIONS = (
    PERMISSIONS_ACTION,
    "updateCatalog",
    "updateSchema",
    "updateTables",
    "updateTable",
    "updateVolume",
    "updateFunction",
    "updateExternalLocation",
    "updateStorageCredential",
    "updateConnection",
)
# The warehouse filters: govkit reads only the rows that can explain a change. `:since` is an
# ISO timestamp computed by the caller, so that the statement stays plain SELECT ... WHERE.
AUDIT_SQL = (
    "SELECT event_time, user_identity.email AS user_email, action_name, request_params,"
    " response.status_code AS status_code"
    " FROM system.access.audit"
    " WHERE service_name = 'unityCatalog'"
    " AND action_name IN (" + ", ".join(f"'{a}'" for a in AUDIT_ACTIONS) + ")"
    " AND event_time >= :since"
    " ORDER BY event_time"
)


def rows_to_events(rows: Iterable[Mapping[str, Any]]) -> list[AuditEvent]:
    """Events from warehouse rows (a flat `status_code` column stands in for `response`)."""
    out = []
    for row in rows:
        if "status_code" in row and "response" not in row:
            row = {**row, "response": {"status_code": row["status_code"]}}
        event = parse_event(row)
        if event is not None:
            out.append(event)
    return out
