"""The drift document `govkit.drift/v1`: changes between the desired and the live State.

One `Change` per difference. Its `mark` says what the next apply does about it, as in a
Terraform plan: `+` adds, `~` changes in place, `-` removes, `!` is reported and left alone.
"""

from __future__ import annotations

import enum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from govkit.privileges import SecurableType

FORMAT: Literal["govkit.drift/v1"] = "govkit.drift/v1"

Mark = Literal["+", "~", "-", "!"]
Authority = Literal["authoritative", "additive"]
# The expected or actual value of a change: an owner, isolation mode, URL or storage root;
# privileges or bindings; a read-only flag.
Value = bool | str | tuple[str, ...] | tuple[int, ...] | None


class ChangeKind(str, enum.Enum):
    """Kinds of drift, in report order within a securable."""

    MISSING_SECURABLE = "missing_securable"
    UNMANAGED_SECURABLE = "unmanaged_securable"
    OWNER_MISMATCH = "owner_mismatch"
    ISOLATION_MISMATCH = "isolation_mismatch"
    BINDING_MISMATCH = "binding_mismatch"
    BINDING_TYPE_MISMATCH = "binding_type_mismatch"
    STORAGE_ROOT_MISMATCH = "storage_root_mismatch"
    URL_MISMATCH = "url_mismatch"
    CREDENTIAL_MISMATCH = "credential_mismatch"
    READ_ONLY_MISMATCH = "read_only_mismatch"
    MISSING_GRANT = "missing_grant"
    UNEXPECTED_GRANT = "unexpected_grant"
    EXPIRED_GRANT_LIVE = "expired_grant_live"

    @property
    def order(self) -> int:
        return _KIND_ORDER[self]

    @property
    def code(self) -> str:
        """The permanent diagnostic code of this kind (SARIF rule id)."""
        return _CODES[self]


_KIND_ORDER = {k: i for i, k in enumerate(ChangeKind)}
# Permanent: never renumber, only add.
_CODES = {
    ChangeKind.MISSING_SECURABLE: "GOV501",
    ChangeKind.UNMANAGED_SECURABLE: "GOV502",
    ChangeKind.OWNER_MISMATCH: "GOV503",
    ChangeKind.MISSING_GRANT: "GOV504",
    ChangeKind.UNEXPECTED_GRANT: "GOV505",
    ChangeKind.ISOLATION_MISMATCH: "GOV506",
    ChangeKind.BINDING_MISMATCH: "GOV507",
    ChangeKind.EXPIRED_GRANT_LIVE: "GOV508",
    ChangeKind.STORAGE_ROOT_MISMATCH: "GOV509",
    ChangeKind.URL_MISMATCH: "GOV510",
    ChangeKind.CREDENTIAL_MISMATCH: "GOV511",
    ChangeKind.READ_ONLY_MISMATCH: "GOV512",
    ChangeKind.BINDING_TYPE_MISMATCH: "GOV513",
}


class Explanation(BaseModel):
    """Who made a change out of band and when, from the audit log."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    actor: str = Field(description="user_identity.email of the audit event")
    at: str = Field(description="event_time of the audit event")
    action: str = Field(description="action_name, e.g. updatePermissions")


class Change(BaseModel):
    """One difference between the desired and the live State."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ChangeKind
    mark: Mark
    securable_type: SecurableType
    securable: str = Field(description="full name of the securable")
    principal: str | None = Field(
        default=None, description="principal as Unity Catalog names it (grants only)"
    )
    privileges: tuple[str, ...] = Field(
        default=(), description="the privileges this change is about (grants only)"
    )
    expected: Value = Field(default=None, description="the declared value (null: not declared)")
    actual: Value = Field(default=None, description="the live value (null: absent)")
    authority: Authority | None = None
    expires: str | None = Field(default=None, description="expiry date of an expired grant")
    consequence: str = Field(description="what the next apply does about it, in words")
    explanation: Explanation | None = None

    def sort_key(self) -> tuple[int, str, int, str]:
        return (self.securable_type.order, self.securable, self.kind.order, self.principal or "")


class Summary(BaseModel):
    """Counts by mark, as Terraform's plan summary."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    add: int = 0
    change: int = 0
    remove: int = 0
    unmanaged: int = 0
    total: int = 0
    ignored: int = Field(default=0, description="grant changes on ignored principals")


class Ignored(BaseModel):
    """Platform principals govkit never fights over, and how many changes each would have had."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    principals: tuple[str, ...] = ()
    changes: dict[str, int] = Field(
        default_factory=dict, description="principal -> changes ignored"
    )


class LiveInfo(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str
    taken_at: str | None = None


class Compared(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    desired: int = Field(description="securables declared")
    live: int = Field(description="securables read live")


class DriftReport(BaseModel):
    """The `govkit.drift/v1` document."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Literal["govkit.drift/v1"] = FORMAT
    environment: str
    live: LiveInfo
    include_all: bool = Field(
        default=False, description="unmanaged securables reported outside managed catalogs too"
    )
    compared: Compared
    summary: Summary
    ignored: Ignored
    names: dict[str, str] = Field(
        default_factory=dict,
        description="Unity Catalog name -> declared name, for principals named in changes",
    )
    changes: tuple[Change, ...] = ()

    @property
    def drifted(self) -> bool:
        return bool(self.changes)


def summarise(changes: tuple[Change, ...], ignored: int) -> Summary:
    """Count changes by mark."""
    counts = {"+": 0, "~": 0, "-": 0, "!": 0}
    for c in changes:
        counts[c.mark] += 1
    return Summary(
        add=counts["+"],
        change=counts["~"],
        remove=counts["-"],
        unmanaged=counts["!"],
        total=len(changes),
        ignored=ignored,
    )


def json_schema() -> dict[str, Any]:
    """The published JSON Schema of the drift document."""
    schema = DriftReport.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://govkit.dev/schemas/drift-v1.json"
    return schema
