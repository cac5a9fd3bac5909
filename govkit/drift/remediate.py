"""Remediation: SQL that restores the spec (the YAML patch that adopts the live state instead is
in `govkit.drift.patch`). The SQL is Databricks SQL with every identifier in backticks.
"""

from __future__ import annotations

import json

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


def _string(text: str) -> str:
    """A SQL string literal; a quote or backslash inside is escaped."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


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
    if c.securable_type is SecurableType.EXTERNAL_LOCATION and isinstance(c.expected, str):
        if c.kind is ChangeKind.URL_MISMATCH:
            return f"ALTER {on} SET URL {_string(c.expected)};"
        if c.kind is ChangeKind.CREDENTIAL_MISMATCH:
            return f"ALTER {on} SET STORAGE CREDENTIAL {quote(c.expected)};"
    if (
        c.kind is ChangeKind.OWNER_MISMATCH
        and isinstance(c.expected, str)
        and c.securable_type is not SecurableType.METASTORE
    ):
        return f"ALTER {on} OWNER TO {quote(c.expected)};"
    return None


def emit_sql(report: DriftReport) -> str:
    """GRANT, REVOKE and ALTER ... OWNER TO statements that make the live state match the spec.

    What SQL cannot restore (a missing securable, isolation, bindings, a storage root, a
    read-only flag) or must not touch (an unmanaged grant under additive authority) is listed
    as a comment.
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


def emit_absent_tables(report: DriftReport) -> str:
    """The declared tables not live yet, as the JSON list that a stack's `absent_tables.json`
    holds: the uc-grants module skips their grants until a pipeline has created them, so that
    a table declared before it exists does not fail the apply."""
    names = sorted(
        c.securable
        for c in report.changes
        if c.kind is ChangeKind.MISSING_SECURABLE and c.securable_type is SecurableType.TABLE
    )
    return json.dumps(names, indent=2) + "\n"
