"""Words for changes, shared by every renderer: one change, one sentence."""

from __future__ import annotations

from collections.abc import Mapping

from govkit.drift.model import Change, ChangeKind, DriftReport, Summary, Value


def principal_label(name: str | None, names: Mapping[str, str]) -> str:
    """`declared (uc-name)` when the spec names the principal differently, else the name."""
    if name is None:
        return "(none)"
    declared = names.get(name)
    return f"{declared} ({name})" if declared and declared != name else name


def value_label(value: Value, names: Mapping[str, str]) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return principal_label(value, names)
    return ", ".join(str(v) for v in value) if value else "(none)"


# Changes of one field: "<field>: expected X, live Y".
_FIELDS = {
    ChangeKind.OWNER_MISMATCH: "owner",
    ChangeKind.ISOLATION_MISMATCH: "isolation mode",
    ChangeKind.BINDING_MISMATCH: "workspace bindings",
    ChangeKind.BINDING_TYPE_MISMATCH: "read-only workspace bindings",
    ChangeKind.STORAGE_ROOT_MISMATCH: "storage root",
    ChangeKind.URL_MISMATCH: "URL",
    ChangeKind.CREDENTIAL_MISMATCH: "storage credential",
    ChangeKind.READ_ONLY_MISMATCH: "read_only",
}


def describe(change: Change, names: Mapping[str, str]) -> str:
    """What differs, in one line, without the consequence."""
    kind = change.kind
    if kind is ChangeKind.MISSING_SECURABLE:
        return f"declared with owner {value_label(change.expected, names)}, not found live"
    if kind is ChangeKind.UNMANAGED_SECURABLE:
        return f"live with owner {value_label(change.actual, names)}, not declared"
    what = _FIELDS.get(kind)
    if what is not None:
        return (
            f"{what}: expected {value_label(change.expected, names)},"
            f" live {value_label(change.actual, names)}"
        )
    who = principal_label(change.principal, names)
    privileges = ", ".join(change.privileges)
    if kind is ChangeKind.MISSING_GRANT:
        return f"{who} lacks {privileges}"
    if kind is ChangeKind.EXPIRED_GRANT_LIVE:
        return f"{who} still holds {privileges}"
    return f"{who} holds undeclared {privileges}"


def explained(change: Change) -> str:
    """`by alice@example.com at 2026-11-25T10:00:00Z (updatePermissions)`, or empty."""
    e = change.explanation
    return f"by {e.actor} at {e.at} ({e.action})" if e else ""


def summary_counts(s: Summary) -> str:
    return (
        f"{s.add} to add, {s.change} to change, {s.remove} to remove, {s.unmanaged} unmanaged"
        f" (left alone); {s.ignored} ignored on platform principals"
    )


def summary_line(report: DriftReport) -> str:
    """The last line of the text report, as Terraform's `Plan: ...` line."""
    if not report.drifted:
        return (
            f"No drift in {report.environment}: {report.compared.desired} declared securables"
            f" match the live state; {report.summary.ignored} ignored on platform principals."
        )
    return f"Drift in {report.environment}: {summary_counts(report.summary)}."
