"""The parts every section of the audit report shares: the frozen base, severities and findings."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Severity = Literal["error", "warning", "note"]
Section = Literal["inputs", "ownership", "access", "exceptions", "lineage", "policy", "legacy"]
ExceptionStatus = Literal["active", "expiring", "expired"]
PrincipalKind = Literal["user", "service_principal", "group", "unknown"]
Status = Literal["clean", "findings", "incomplete"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# Rows of which a large estate has hundreds of thousands are frozen dataclasses with slots: built
# in a fraction of a model's time and memory, dumped by orjson as they are. The schema is the same.
_ROW = ConfigDict(extra="forbid")


class Finding(_Frozen):
    code: str
    severity: Severity
    section: Section
    subject: str = Field(description="the securable, principal or edge the finding is about")
    message: str


def finding(code: str, severity: Severity, section: Section, subject: str, message: str) -> Finding:
    """One finding; positional, so that each place that finds one is one line."""
    return Finding(code=code, severity=severity, section=section, subject=subject, message=message)
