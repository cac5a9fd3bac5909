"""What an import reports: diagnostics named by the securable (or principal) they are about.

Codes GOV7xx are the import's own; each says what the spec could not hold and what the first
`terraform apply` would therefore change, so that the team sees its policy debt on day one.
"""

from __future__ import annotations

from govkit.diagnostics import Diagnostic, Severity

# code -> (rule name, severity)
CODES: dict[str, tuple[str, Severity]] = {
    "GOV701": ("import.unmodelled-securable", Severity.WARNING),
    "GOV702": ("import.unmanaged-grant", Severity.WARNING),
    "GOV703": ("import.catalog-isolation", Severity.WARNING),
    "GOV704": ("import.incomplete", Severity.WARNING),
    "GOV705": ("import.owner", Severity.WARNING),
    "GOV706": ("import.principal", Severity.WARNING),
    "GOV707": ("import.privilege-spelling", Severity.NOTE),
    "GOV708": ("import.not-importable", Severity.WARNING),
    "GOV709": ("import.per-environment", Severity.WARNING),
    "GOV710": ("import.round-trip", Severity.ERROR),
    "GOV711": ("import.scope", Severity.NOTE),
    "GOV712": ("import.comments", Severity.NOTE),
    "GOV713": ("import.anchor-grant", Severity.NOTE),
}


def reported(code: str, subject: str, message: str, hint: str = "") -> Diagnostic:
    """A diagnostic of the import about `subject` (a securable's full name or a principal)."""
    rule, severity = CODES[code]
    return Diagnostic(code, severity, message, rule, subject, hint=hint)
