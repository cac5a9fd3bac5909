"""The report's control sections: separation of duties, the exception register, the sample for
tests of operating effectiveness, and the changes since a previous report."""

from __future__ import annotations

from pydantic import Field

from govkit.audit.model_base import ExceptionStatus, Finding, _Frozen


class DutyConflict(_Frozen):
    """One person holding two roles that separation of duties keeps apart."""

    code: str
    rule: str = Field(description="grant-and-read, approves-own-access, person-as-deployer")
    person: str = Field(description="the person (or the federation subject) in conflict")
    subject: str = Field(description="an example securable, or the deployer")
    securables: int
    detail: str


class WaiverRow(_Frozen):
    """One waiver of a rule, on the object it sits on."""

    rule: str
    object: str = Field(description="what the waiver sits on: a grant, a securable, a principal")
    file: str = Field(description="the spec file that declares it")
    reason: str
    approved_by: str | None = Field(description="who approved it; none when the spec says not")
    expires: str
    days_left: int = Field(description="days until it expires; negative once it has")
    status: ExceptionStatus


class ExpiredGrantRow(_Frozen):
    """A grant past its `expires` date whose privileges are still live."""

    securable: str
    principal: str
    privileges: tuple[str, ...] = Field(description="the expired privileges still held")
    expired: str
    days_past: int
    reason: str
    waived_until: str | None = Field(
        description="the last day of a waiver of the expiry rule (GOV210) on the grant"
    )


class Exceptions(_Frozen):
    """The exception register."""

    complete: bool
    note: str | None = None
    waivers: tuple[WaiverRow, ...]
    expired_grants: tuple[ExpiredGrantRow, ...]


class SampledGrant(_Frozen):
    index: int = Field(description="its place in the sorted population, from 0")
    securable: str
    type: str
    principal: str
    privileges: tuple[str, ...]
    declared: bool = Field(description="the spec declares a grant to this principal here")


class Sample(_Frozen):
    """A reproducible random sample of the population, drawn with a recorded seed."""

    population: str
    population_size: int
    population_sha256: str = Field(
        description="SHA-256 of the population's lines `SECURABLE<TAB>PRINCIPAL<TAB>PRIVILEGES`"
    )
    seed: int
    size: int
    grants: tuple[SampledGrant, ...]


class AccessChange(_Frozen):
    type: str
    name: str
    access: str = Field(description="read, write or could_grant")
    added: tuple[str, ...]
    removed: tuple[str, ...]


class OwnerChange(_Frozen):
    type: str
    name: str
    owner_before: str | None
    owner_now: str | None
    accountable_before: str | None
    accountable_now: str | None


class Comparison(_Frozen):
    """What changed since a previous report (`--compare PREVIOUS.json`)."""

    previous_generated_at: str
    previous_spec_commit: str | None
    previous_content_sha256: str
    access: tuple[AccessChange, ...] = Field(description="people who gained or lost access")
    ownership: tuple[OwnerChange, ...]
    new_findings: tuple[Finding, ...]
    resolved_findings: tuple[Finding, ...]
    waivers_added: tuple[str, ...]
    waivers_removed: tuple[str, ...]
    expired_grants_added: tuple[str, ...]
    expired_grants_removed: tuple[str, ...]


def sample_summary(sample: Sample) -> str:
    """One sentence: how the sample was drawn, so that anyone draws it again."""
    return (
        f"{sample.size} of {sample.population_size} {sample.population}, drawn with seed "
        f"{sample.seed} (Python random.Random(seed).sample over the population's indexes); "
        f"population SHA-256 {sample.population_sha256}."
    )


def comparison_summary(c: Comparison) -> str:
    """One sentence: the previous report and how much changed since."""
    people = sum(len(a.added) + len(a.removed) for a in c.access)
    return (
        f"Compared with the report of {c.previous_generated_at} (spec commit "
        f"{c.previous_spec_commit or 'not in git'}, SHA-256 {c.previous_content_sha256}): "
        f"{people} access change(s) on {len(c.access)} securable(s), {len(c.ownership)} "
        f"ownership change(s), {len(c.new_findings)} new and {len(c.resolved_findings)} "
        f"resolved finding(s), {len(c.waivers_added) + len(c.waivers_removed)} waiver and "
        f"{len(c.expired_grants_added) + len(c.expired_grants_removed)} expired-grant change(s)."
    )


def comparison_exceptions(c: Comparison) -> list[tuple[str, tuple[str, ...]]]:
    """The register's changes, labelled, the same in every format."""
    return [
        ("waiver added", c.waivers_added),
        ("waiver removed", c.waivers_removed),
        ("expired grant, still live", c.expired_grants_added),
        ("expired grant gone", c.expired_grants_removed),
    ]
