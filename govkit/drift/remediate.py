"""Remediation: SQL that restores the spec, or a YAML patch that adopts the live state instead.

A reviewer picks one. The SQL is Databricks SQL with every identifier in backticks; the YAML is a
standalone patch document that names the spec file and the place in it for each edit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from govkit.diagnostics import Path
from govkit.drift.describe import describe
from govkit.drift.model import Change, ChangeKind, DriftReport
from govkit.privileges import SecurableType

# Securable type -> the SQL keyword in GRANT ... ON <kw> and ALTER <kw> ... OWNER TO.
_SQL_TYPE = {
    SecurableType.CATALOG: "CATALOG",
    SecurableType.SCHEMA: "SCHEMA",
    SecurableType.TABLE: "TABLE",
    SecurableType.VOLUME: "VOLUME",
    SecurableType.FUNCTION: "FUNCTION",
    SecurableType.EXTERNAL_LOCATION: "EXTERNAL LOCATION",
    SecurableType.STORAGE_CREDENTIAL: "STORAGE CREDENTIAL",
    SecurableType.CONNECTION: "CONNECTION",
    SecurableType.METASTORE: "METASTORE",
}
_DOTTED = frozenset(
    {SecurableType.SCHEMA, SecurableType.TABLE, SecurableType.VOLUME, SecurableType.FUNCTION}
)


def quote(identifier: str) -> str:
    """A backtick-quoted SQL identifier; a backtick inside is doubled."""
    return "`" + identifier.replace("`", "``") + "`"


def securable_sql(type_: SecurableType, name: str) -> str:
    """`CATALOG \\`a\\`` or `TABLE \\`a\\`.\\`b\\`.\\`c\\``; metastore grants name no object."""
    if type_ is SecurableType.METASTORE:
        return "METASTORE"
    parts = name.split(".") if type_ in _DOTTED else [name]
    return f"{_SQL_TYPE[type_]} {'.'.join(quote(p) for p in parts)}"


def _privileges_sql(privileges: tuple[str, ...]) -> str:
    # SQL spells privileges with spaces (USE CATALOG); the API with underscores.
    return ", ".join(p.replace("_", " ") for p in privileges)


def _statement(c: Change) -> str | None:
    on = securable_sql(c.securable_type, c.securable)
    if c.kind is ChangeKind.MISSING_GRANT and c.principal:
        return f"GRANT {_privileges_sql(c.privileges)} ON {on} TO {quote(c.principal)};"
    revoke = c.kind is ChangeKind.EXPIRED_GRANT_LIVE or (
        c.kind is ChangeKind.UNEXPECTED_GRANT and c.mark == "-"
    )
    if revoke and c.principal:
        return f"REVOKE {_privileges_sql(c.privileges)} ON {on} FROM {quote(c.principal)};"
    if (
        c.kind is ChangeKind.OWNER_MISMATCH
        and isinstance(c.expected, str)
        and c.securable_type is not SecurableType.METASTORE
    ):
        return f"ALTER {on} OWNER TO {quote(c.expected)};"
    return None


def emit_sql(report: DriftReport) -> str:
    """GRANT, REVOKE and ALTER ... OWNER TO statements that make the live state match the spec.

    What SQL cannot restore (a missing securable, isolation, bindings) or must not touch (an
    unmanaged grant under additive authority) is listed as a comment.
    """
    lines = [
        f"-- govkit drift: restore the spec in {report.environment}",
        f"-- {len(report.changes)} change(s); review before running on a SQL warehouse",
    ]
    for c in report.changes:
        statement = _statement(c)
        if statement is None:
            text = f"{c.securable_type.value} {c.securable}: {describe(c, report.names)}"
            statement = f"-- not by SQL: {text}; {c.consequence}".replace("\n", " ")
        lines.append(statement)
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class SpecIndex:
    """Where the spec declares things, so that a patch can point at them."""

    # (type, full name) -> (file, document path of the securable)
    securables: Mapping[tuple[str, str], tuple[str, Path]] = field(default_factory=dict)
    # (type, full name, Unity Catalog principal) -> (file, document path of each grant entry)
    grants: Mapping[tuple[str, str, str], tuple[tuple[str, Path], ...]] = field(
        default_factory=dict
    )


def _dotted(path: Path) -> str:
    return ".".join(str(p) for p in path)


def _edit(c: Change, report: DriftReport, index: SpecIndex) -> dict[str, Any] | None:
    key = (c.securable_type.value, c.securable)
    where = index.securables.get(key)
    declared = report.names.get(c.principal or "", c.principal)
    if c.kind is ChangeKind.UNEXPECTED_GRANT and where is not None:
        return {
            "file": where[0],
            "at": _dotted((*where[1], "grants")),
            "append": {
                "principal": declared,
                "privileges": list(c.privileges),
                "environments": [report.environment],
                "reason": "adopted from the live state by govkit drift",
            },
        }
    if c.kind is ChangeKind.OWNER_MISMATCH and where is not None:
        owner = report.names.get(str(c.actual), c.actual)
        return {"file": where[0], "at": _dotted((*where[1], "owner")), "set": owner}
    if c.kind is ChangeKind.MISSING_SECURABLE and where is not None:
        at = _dotted(where[1]) or "(the whole domain file)"
        return {"file": where[0], "at": at, "remove": True}
    entries = index.grants.get((*key, c.principal or ""), ())
    if c.kind is ChangeKind.MISSING_GRANT and entries:
        # The grant may come from an access level: the reviewer turns it into privileges.
        return {
            "file": entries[0][0],
            "at": _dotted(entries[0][1]),
            "drop_privileges": list(c.privileges),
        }
    if c.kind is ChangeKind.EXPIRED_GRANT_LIVE and entries:
        # Adopting an expired grant means renewing it: the reviewer picks the new date.
        return {
            "file": entries[0][0],
            "at": _dotted((*entries[0][1], "expires")),
            "set": "YYYY-MM-DD (a new date)",
        }
    return None


def emit_yaml(report: DriftReport, index: SpecIndex) -> str:
    """A YAML patch document that adopts the live state into the spec, for a reviewer to apply."""
    edits = []
    for c in report.changes:
        edit = _edit(c, report, index)
        if edit is not None:
            edits.append(
                {"change": c.kind.value, "securable": f"{c.securable_type.value} {c.securable}"}
                | edit
            )
    doc = {"format": "govkit.spec-patch/v1", "environment": report.environment, "edits": edits}
    header = (
        "# govkit drift: adopt the live state into the spec (the alternative to --emit sql).\n"
        "# Each edit names a spec file and a dotted path in it; review, then edit the files.\n"
    )
    return header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
