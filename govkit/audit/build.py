"""Build the audit report from its inputs: pure, values in, one `AuditReport` out."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import msgspec
from pydantic import BaseModel

from govkit import __version__
from govkit.access import AccessIndex, effective_access
from govkit.audit.access import build_access
from govkit.audit.compare import compare_reports
from govkit.audit.evidence import input_findings
from govkit.audit.exceptions import build_exceptions
from govkit.audit.legacy import build_legacy
from govkit.audit.lineage import build_lineage, catalog_homes
from govkit.audit.model import (
    Access,
    AuditReport,
    Evidence,
    Exceptions,
    Finding,
    LegacyAccess,
    Lineage,
    LiveReader,
    Ownership,
    Policy,
    Source,
    Status,
    Summary,
    finding,
)
from govkit.audit.ownership import build_ownership
from govkit.audit.principals import Directory, renamed_groups
from govkit.audit.sample import draw_sample
from govkit.drift import DriftOptions, diff_states
from govkit.drift.desired import desired_side, ignored_principals
from govkit.drift.explain import AuditEvent, explain
from govkit.identity.document import Identities
from govkit.legacy.document import LegacyAccess as LegacyDoc
from govkit.lineage.document import Lineage as LineageDoc
from govkit.policy.engine import run_state_rules
from govkit.resolve import DesiredEnvironment
from govkit.spec.build import Spec
from govkit.state import State

_SEVERITY_ORDER = {"error": 0, "warning": 1, "note": 2}
_SECTION_ORDER = {
    "inputs": 0, "ownership": 1, "access": 2, "exceptions": 3, "lineage": 4, "policy": 5,
    "legacy": 6,
}  # fmt: skip


@dataclass(frozen=True)
class AuditInputs:
    """Everything an audit reads, already loaded; `sources` says how complete each input was."""

    spec: Spec
    environments: tuple[DesiredEnvironment, ...]
    environment: DesiredEnvironment
    live: State
    identities: Identities | None
    lineage: LineageDoc | None
    audit_events: tuple[AuditEvent, ...] | None
    sources: tuple[Source, ...]
    spec_dir: str
    spec_commit: str | None
    generated_at: str
    today: dt.date
    command: str
    blast_radius: tuple[str, ...] = ()
    legacy: LegacyDoc | None = None
    spec_sha256: str = ""
    govkit_version: str = __version__
    live_reader: LiveReader | None = None
    sample: tuple[int, int] | None = None  # (size, seed)
    previous: Mapping[str, Any] | None = None  # the JSON of an earlier report, to compare with


def _source(inputs: AuditInputs, name: str) -> Source | None:
    return next((s for s in inputs.sources if s.name == name), None)


def _gap(*sources: Source | None) -> str | None:
    """A note for a section fed by inputs that were missing or incomplete."""
    parts = []
    for s in sources:
        if s is None or s.complete:
            continue
        what = "not given" if s.kind == "none" else "incomplete"
        detail = f" ({'; '.join(s.errors[:3])})" if s.errors else ""
        parts.append(f"{s.name} {what}{detail}")
    return "this section is incomplete: " + ", ".join(parts) if parts else None


def _policy(inputs: AuditInputs, note: str | None) -> Policy:
    found = run_state_rules(
        inputs.spec, inputs.environments, inputs.environment, inputs.live, inputs.today
    )
    findings = tuple(
        finding(
            d.code,
            d.severity.value,
            "policy",
            d.file,
            f"{d.message} [{d.rule}]",
        )
        for d in found
    )
    return Policy(complete=note is None, note=note, findings=findings)


def _grants_only(state: State) -> State:
    """The State without owners: in a protected environment the deployer owns both ends of
    every edge, and a lineage edge asks whether a *grant* lets the consumer read."""
    return msgspec.structs.replace(
        state, securables=tuple(msgspec.structs.replace(s, owner=None) for s in state.securables)
    )


def _owners(inputs: AuditInputs) -> dict[str, str | None]:
    """Table -> owner as shown, the live State first, then what the spec declares elsewhere."""
    owner_of: dict[str, str | None] = {}
    declared = inputs.spec.declared_names
    for state in (inputs.live, *(e.state for e in inputs.environments)):
        for s in state.securables:
            if s.name not in owner_of and s.owner is not None:
                owner_of[s.name] = declared.get(s.owner, s.owner)
    return owner_of


def _access_section(
    inputs: AuditInputs, index: AccessIndex, directory: Directory, note: str | None
) -> tuple[Access, list[Finding]]:
    env = inputs.environment
    drift = diff_states(
        desired_side(inputs.spec, env),
        inputs.live,
        DriftOptions(ignored_principals(inputs.spec), False),
    )
    if inputs.audit_events is not None:
        drift = explain(drift, inputs.audit_events)
    return build_access(
        inputs.spec, env, inputs.live, index, directory, drift, inputs.today, note is None, note
    )


def _lineage_section(inputs: AuditInputs) -> tuple[Lineage, list[Finding]]:
    note = _gap(_source(inputs, "lineage"), _source(inputs, "identities"))
    if inputs.lineage is not None and not inputs.lineage.edges:
        empty = "the lineage input holds no edges: nothing here shows that no table reads another"
        note = f"{note}; {empty}" if note else empty
    aliases = renamed_groups(inputs.spec, inputs.identities)
    indexes = {
        e.name: effective_access(_grants_only(e.state), inputs.identities, aliases)
        for e in inputs.environments
    }
    homes = catalog_homes(inputs.environments)
    return build_lineage(
        inputs.lineage, inputs.environment, homes, indexes, _owners(inputs), inputs.blast_radius,
        note is None, note,
    )  # fmt: skip


def _in_git(inputs: AuditInputs) -> bool:
    return inputs.spec_commit is not None and not inputs.spec_commit.endswith("-dirty")


def _inputs_findings(inputs: AuditInputs) -> list[Finding]:
    empty = inputs.lineage is not None and not inputs.lineage.edges
    return input_findings(inputs.sources, inputs.generated_at, _in_git(inputs), empty)


def _finding_order(f: Finding) -> tuple[int, int, str, str, str]:
    return (_SEVERITY_ORDER[f.severity], _SECTION_ORDER[f.section], f.code, f.subject, f.message)


def build_report(inputs: AuditInputs) -> AuditReport:
    """The audit of one environment; deterministic for the same inputs."""
    env, live = inputs.environment, inputs.live
    aliases = renamed_groups(inputs.spec, inputs.identities)
    index = effective_access(live, inputs.identities, aliases)
    directory = Directory(inputs.spec, index)
    live_src = _source(inputs, "live")
    people_note = _gap(live_src, _source(inputs, "identities"))
    ownership, own_findings = build_ownership(
        env, live, directory, people_note is None, people_note
    )
    access, access_findings = _access_section(inputs, index, directory, people_note)
    exceptions, exception_findings = build_exceptions(
        inputs.spec, env, live, inputs.today, _gap(live_src)
    )
    lineage, lineage_findings = _lineage_section(inputs)
    policy = _policy(inputs, _gap(live_src))
    legacy, legacy_findings = build_legacy(
        env, inputs.legacy, _gap(_source(inputs, "legacy")), inputs.spec.declared_names
    )
    findings = sorted(
        [*_inputs_findings(inputs), *own_findings, *access_findings,
         *exception_findings, *lineage_findings, *policy.findings, *legacy_findings],
        key=_finding_order,
    )  # fmt: skip
    complete = legacy.complete and all(s.complete for s in inputs.sources if s.name != "audit_log")
    report = AuditReport(
        evidence=Evidence(
            environment=env.name,
            spec=inputs.spec_dir,
            spec_commit=inputs.spec_commit,
            spec_in_git=_in_git(inputs),
            spec_sha256=inputs.spec_sha256,
            govkit_version=inputs.govkit_version,
            generated_at=inputs.generated_at,
            command=inputs.command,
            sources=inputs.sources,
            live_reader=inputs.live_reader,
            complete=complete and _in_git(inputs),
        ),
        summary=_summary(complete, live, ownership, access, exceptions, lineage, findings, legacy),
        ownership=ownership,
        access=access,
        exceptions=exceptions,
        lineage=lineage,
        policy=policy,
        legacy=legacy,
        sample=draw_sample(env, live, *inputs.sample) if inputs.sample else None,
        findings=tuple(findings),
        names={uc: n for uc, n in sorted(inputs.spec.declared_names.items()) if uc != n},
    )
    if inputs.previous is not None:
        report = report.model_copy(update={"comparison": compare_reports(inputs.previous, report)})
    return seal(report)


def _summary(
    complete: bool,
    live: State,
    ownership: Ownership,
    access: Access,
    exceptions: Exceptions,
    lineage: Lineage,
    findings: list[Finding],
    legacy: LegacyAccess,
) -> Summary:
    counts = {s: sum(1 for f in findings if f.severity == s) for s in _SEVERITY_ORDER}
    status: Status = (
        "incomplete"
        if not complete
        else "findings"
        if counts["error"] + counts["warning"]
        else "clean"
    )
    return Summary(
        status=status,
        securables=len(live.securables),
        tables=sum(1 for s in live.securables if s.type.value == "table"),
        people=access.people,
        coverage_percent=ownership.coverage_percent,
        accountable_coverage_percent=ownership.accountable_coverage_percent,
        readers_max=max((r.readers for r in access.rows), default=0),
        protected_writers=len(access.protected_writers),
        disabled_with_access=len(access.disabled_members),
        securables_incomplete=access.incomplete_securables,
        duty_conflicts=len(access.separation_of_duties),
        waivers=len(exceptions.waivers),
        expired_grants_live=len(exceptions.expired_grants),
        cross_environment_edges=sum(1 for e in lineage.edges if e.cross_environment),
        cross_domain_edges=sum(1 for e in lineage.edges if e.cross_domain),
        legacy_access_paths=legacy.paths_count if legacy.workspaces_read else None,
        errors=counts["error"],
        warnings=counts["warning"],
        notes=counts["note"],
    )


def _fields(value: object) -> dict[str, object]:
    """A section's fields, in order, for orjson; it dumps the rows (dataclasses) itself, with
    no dictionary per row in between."""
    if isinstance(value, BaseModel):
        return {name: getattr(value, name) for name in type(value).model_fields}
    raise TypeError(f"{type(value).__name__} is not part of an audit report")


def _dump_bytes(report: AuditReport) -> bytes:
    import orjson  # only the audit pays for it

    options = orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE
    return orjson.dumps(report, default=_fields, option=options)


def report_json_bytes(report: AuditReport) -> bytes:
    """The canonical JSON of the report, UTF-8 encoded: same report, same bytes."""
    return report._json if report._json is not None else _dump_bytes(report)


def report_json(report: AuditReport) -> str:
    """The canonical JSON text of the report."""
    return report_json_bytes(report).decode("utf-8")


_BLANK = b'"content_sha256": ""'


def seal(report: AuditReport) -> AuditReport:
    """The report with the SHA-256 of its JSON text, computed with the hash field empty."""
    blank = report.model_copy(
        update={"evidence": report.evidence.model_copy(update={"content_sha256": ""})}
    )
    # Bytes all along: a large report's text is held once or twice, never four times.
    raw = _dump_bytes(blank)
    digest = hashlib.sha256(raw).hexdigest()
    sealed = report.model_copy(
        update={"evidence": report.evidence.model_copy(update={"content_sha256": digest})}
    )
    # The evidence comes first and a JSON string cannot hold an unescaped quote: the first
    # blank field is the hash's own.
    raw = raw.replace(_BLANK, f'"content_sha256": "{digest}"'.encode(), 1)
    sealed._json = raw  # written as it is: never decoded and encoded again
    return sealed
