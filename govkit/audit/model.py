"""The audit report `govkit.audit/v1`: one value that every format (md, html, json, csv) renders.

Every section says whether the inputs that feed it were complete; the evidence header names each
input, the spec's git commit, the time, the SHA-256 of the content and the command that
reproduces the report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, PrivateAttr

from govkit.audit.controls import (
    AccessChange,
    Comparison,
    DutyConflict,
    Exceptions,
    ExpiredGrantRow,
    OwnerChange,
    Sample,
    SampledGrant,
    WaiverRow,
    comparison_exceptions,
    comparison_summary,
    sample_summary,
)
from govkit.audit.model_base import (
    _ROW,
    ExceptionStatus,
    Finding,
    PrincipalKind,
    Section,
    Severity,
    Status,
    _Frozen,
    finding,
)
from govkit.audit.model_paths import (
    BlastRadius,
    EdgeRow,
    LegacyAccess,
    LegacyPath,
    Lineage,
    TableLineage,
)

__all__ = [
    "AccessChange",
    "BlastRadius",
    "Comparison",
    "DutyConflict",
    "EdgeRow",
    "ExceptionStatus",
    "Exceptions",
    "ExpiredGrantRow",
    "Finding",
    "LegacyAccess",
    "LegacyPath",
    "Lineage",
    "OwnerChange",
    "PrincipalKind",
    "Sample",
    "SampledGrant",
    "Section",
    "Severity",
    "Status",
    "TableLineage",
    "WaiverRow",
    "comparison_exceptions",
    "comparison_summary",
    "finding",
    "sample_summary",
]  # fmt: skip

FORMAT: Literal["govkit.audit/v1"] = "govkit.audit/v1"


class Source(_Frozen):
    """One input of the audit and how far it can be trusted."""

    name: Literal["spec", "live", "identities", "lineage", "audit_log", "legacy", "previous"]
    kind: str = Field(description="spec, file, workspace, warehouse, or none when not given")
    location: str | None = Field(default=None, description="the path or source as given")
    taken_at: str | None = None
    complete: bool
    errors: tuple[str, ...] = ()
    sha256: str | None = Field(
        default=None, description="SHA-256 of the input file's bytes (or of the saved copy)"
    )
    saved_as: str | None = Field(
        default=None,
        description="a live read's copy, saved with the report (a name in the report's folder)",
    )


class LiveReader(_Frozen):
    """Where and as whom the live inputs were read."""

    host: str
    metastore_id: str | None = Field(description="none when no live read was complete")
    read_as: str | None = Field(
        description="the identity the reader authenticated as; none when no live read was complete"
    )


class Evidence(_Frozen):
    environment: str
    spec: str = Field(description="the spec folder as given")
    spec_commit: str | None = Field(description="git commit of the spec; `-dirty` when changed")
    spec_in_git: bool = Field(description="the spec is a git commit, unchanged since")
    spec_sha256: str = Field(
        description="SHA-256 of the `sha256sum` lines (`HASH  PATH`, paths relative to the spec "
        "folder, sorted) of every spec file: the spec's identity in git or not"
    )
    govkit_version: str
    generated_at: str
    command: str = Field(
        description="the command line that reproduces this report (any --out: the output "
        "folder is no part of the evidence)"
    )
    sources: tuple[Source, ...]
    live_reader: LiveReader | None = Field(
        default=None, description="for live inputs: the host, metastore and identity read from"
    )
    complete: bool = Field(description="every input was complete and the spec is a git commit")
    content_sha256: str = Field(
        default="", description="SHA-256 of the report's JSON with this field empty"
    )


@dataclass(frozen=True, slots=True)
class OwnerRow:
    __pydantic_config__ = _ROW

    type: str
    name: str
    owner: Annotated[str | None, Field(description="the live Unity Catalog owner")]
    owner_label: Annotated[str | None, Field(description="its declared name, where it has one")]
    owner_kind: PrincipalKind
    desired_owner: Annotated[
        str | None, Field(description="the Unity Catalog owner the spec declares")
    ]
    accountable_owner: Annotated[
        str | None, Field(description="the domain's accountable owner (spec)")
    ]
    flags: Annotated[
        tuple[str, ...],
        Field(
            description="individual, departed, unknown, no-accountable-owner, "
            "accountable-owner-without-enabled-member, owner-differs, not-in-spec, not-live"
        ),
    ]


class Ownership(_Frozen):
    complete: bool
    note: str | None = None
    tables: int
    tables_owned_by_groups_or_service_principals: int
    coverage_percent: float = Field(
        description="Unity Catalog ownership: tables owned by a group or a service principal "
        "(in a protected environment the deployer owns them all)"
    )
    tables_with_accountable_owner: int = Field(
        description="tables with a declared accountable owner that has an enabled member"
    )
    accountable_coverage_percent: float
    rows: tuple[OwnerRow, ...]


@dataclass(frozen=True, slots=True)
class AccessRow:
    __pydantic_config__ = _ROW

    type: str
    name: str
    readers: int
    writers: int
    could_grant: int
    read_set: Annotated[int | None, Field(description="id of the set of readers in `sets`")]
    write_set: int | None
    grant_set: int | None
    read_through: Annotated[
        tuple[str, ...], Field(description="the grantees that give read access")
    ]
    write_through: tuple[str, ...]
    disabled_readers: Annotated[
        int, Field(description="readers whose account is disabled in the identities")
    ]
    unresolved_groups: Annotated[
        tuple[str, ...],
        Field(
            description="grantee groups the identities do not hold (by object id or name): "
            "their members are unknown, so the counts of this row are incomplete"
        ),
    ]
    complete: Annotated[bool, Field(description="every grantee group was resolved")]


@dataclass(frozen=True, slots=True)
class SetMember:
    __pydantic_config__ = _ROW

    principal: str
    kind: str
    disabled: Annotated[bool, Field(description="the account is disabled in the identities")]

    def label(self, labels: Mapping[str, str]) -> str:
        """The member by its declared name, marked when its account is disabled."""
        name = labels.get(self.principal, self.principal)
        return f"{name} (disabled)" if self.disabled else name


class PeopleSet(_Frozen):
    """A set of people and service principals that several securables share."""

    id: int
    members: tuple[SetMember, ...]


class ProtectedWriter(_Frozen):
    principal: str
    kind: str
    securables: int
    example: str = Field(description="one path that gives the write, as `person <- group: ...`")


class DisabledMember(_Frozen):
    """A disabled account that a group still gives access to."""

    principal: str
    kind: str
    reads: int = Field(description="securables it reads")
    writes: int = Field(description="securables it writes")
    example: str = Field(description="one path that gives the access")


class DirectGrant(_Frozen):
    securable: str
    type: str
    principal: str
    privileges: tuple[str, ...]
    declared: bool
    departed: bool


class ExpiringGrant(_Frozen):
    securable: str
    principal: str
    privileges: tuple[str, ...]
    expires: str
    days_left: int
    reason: str


class DriftRow(_Frozen):
    code: str
    kind: str
    mark: str
    securable: str
    principal: str | None
    privileges: tuple[str, ...]
    consequence: str
    actor: str | None = None
    at: str | None = None


class Access(_Frozen):
    complete: bool
    note: str | None = None
    people: int = Field(description="people and service principals in the identities")
    rows: tuple[AccessRow, ...]
    sets: tuple[PeopleSet, ...]
    protected_writers: tuple[ProtectedWriter, ...]
    disabled_members: tuple[DisabledMember, ...] = Field(
        description="disabled accounts that still read or write through a group"
    )
    incomplete_securables: int = Field(
        description="securables with a grantee group the identities do not resolve"
    )
    renamed_groups: dict[str, str] = Field(
        default_factory=dict,
        description="grantee group -> the display name the identities hold it under, found by "
        "its entra_object_id (a group renamed in Entra ID)",
    )
    separation_of_duties: tuple[DutyConflict, ...] = Field(
        description="people who hold two roles a control keeps apart (GOV651-GOV653)"
    )
    direct_grants: tuple[DirectGrant, ...]
    expiring: tuple[ExpiringGrant, ...]
    drift: tuple[DriftRow, ...]


class Policy(_Frozen):
    complete: bool
    note: str | None = None
    findings: tuple[Finding, ...]


class Summary(_Frozen):
    status: Status
    securables: int
    tables: int
    people: int
    coverage_percent: float = Field(description="Unity Catalog ownership coverage")
    accountable_coverage_percent: float = Field(
        description="tables whose declared accountable owner has an enabled member"
    )
    readers_max: int
    protected_writers: int
    disabled_with_access: int = Field(
        description="disabled accounts that still read or write through a group"
    )
    securables_incomplete: int = Field(
        description="securables whose readers are incomplete (a grantee group not resolved)"
    )
    duty_conflicts: int = Field(description="separation-of-duties conflicts")
    waivers: int = Field(description="waivers in the exception register")
    expired_grants_live: int = Field(description="grants past their expiry and still live")
    cross_environment_edges: int
    cross_domain_edges: int
    legacy_access_paths: int | None = Field(
        description="access paths outside Unity Catalog; none when not read"
    )
    errors: int
    warnings: int
    notes: int


class AuditReport(_Frozen):
    """The `govkit.audit/v1` document."""

    model_config = ConfigDict(frozen=True, extra="forbid", title="govkit audit report")

    format: Literal["govkit.audit/v1"] = FORMAT
    evidence: Evidence
    summary: Summary
    ownership: Ownership
    access: Access
    exceptions: Exceptions
    lineage: Lineage
    policy: Policy
    legacy: LegacyAccess
    sample: Sample | None = Field(
        default=None, description="the grants drawn for testing (`--sample N`), if asked"
    )
    comparison: Comparison | None = Field(
        default=None, description="changes since a previous report (`--compare`), if asked"
    )
    findings: tuple[Finding, ...] = Field(description="every finding of every section, sorted")
    names: dict[str, str] = Field(
        default_factory=dict,
        description="Unity Catalog name -> declared name, where they differ (service principals)",
    )
    # The JSON of this very report (UTF-8), kept by `seal` so that a large report is dumped once.
    _json: bytes | None = PrivateAttr(default=None)

    def name_of(self, uc_name: str | None) -> str | None:
        """A principal as people read it: a service principal by its declared name."""
        return None if uc_name is None else self.names.get(uc_name, uc_name)


def _completeness(e: Evidence) -> str:
    if e.complete:
        return "yes"
    if not e.spec_in_git:
        return "no: the spec is not a git commit (only its SHA-256 identifies it)"
    return "no: see the inputs below"


def evidence_rows(report: AuditReport) -> list[list[object]]:
    """The evidence header as (label, value) rows, the same in every format."""
    e = report.evidence
    rows: list[list[object]] = [
        ["environment", e.environment],
        ["spec", e.spec],
        ["spec commit", e.spec_commit or "not in git"],
        ["spec SHA-256", e.spec_sha256],
        ["govkit version", e.govkit_version],
        ["generated at", e.generated_at],
        ["inputs complete", _completeness(e)],
        ["content SHA-256", e.content_sha256],
        ["reproduce", e.command],
    ]
    if e.live_reader is not None:
        r = e.live_reader
        rows.append(["live read from", f"{r.host}, metastore {r.metastore_id}, as {r.read_as}"])
    return rows


def json_schema() -> dict[str, Any]:
    """The published JSON Schema of the audit report."""
    schema = AuditReport.model_json_schema()
    schema["required"] = sorted({*schema.get("required", []), "format"})
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://govkit.dev/schemas/audit-v1.json"
    return schema
