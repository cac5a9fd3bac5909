"""The audit report as one CSV file per table, for spreadsheets.

A cell that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a
carriage return) gets a leading apostrophe, so it is shown as text (OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from govkit.audit.legacy import LEGACY_HEADERS, legacy_rows
from govkit.audit.model import AuditReport, comparison_exceptions, evidence_rows

_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_FIRST = frozenset(_FORMULA)
# A drift mark alone (`-` revokes, `+` adds) is no formula: written as the JSON has it.
_MARKS = frozenset({"-", "+"})


def neutral(value: object) -> object:
    """A cell value that no spreadsheet runs as a formula; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and value.startswith(_FORMULA) and value not in _MARKS:
        return "'" + value
    return value


# The files of the CSV format, one per table (`render_csv` writes exactly these).
CSV_STEMS = (
    "evidence", "sources", "findings", "ownership", "policy", "access", "renamed_groups",
    "access_sets",
    "disabled_members", "protected_writers", "separation_of_duties", "direct_grants",
    "expiring_grants", "drift", "waivers", "expired_grants", "lineage_edges", "blast_radius",
    "legacy_access", "sample", "comparison",
)  # fmt: skip


def _csv(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    # Most cells are plain text or numbers that `neutral` keeps as they are: only the first
    # character of a string is looked at, and the call is left for the others.
    writer.writerows(
        [
            v if (type(v) is str and v[:1] not in _FIRST) or type(v) is int else neutral(v)
            for v in row
        ]
        for row in rows
    )
    return out.getvalue()


def _join(items: Iterable[str]) -> str:
    return "; ".join(items)


def _names(report: AuditReport, items: Iterable[str]) -> str:
    return _join(report.names.get(i, i) for i in items)


def render_csv(report: AuditReport) -> dict[str, str]:
    """File stem -> CSV text, one per table of the report."""
    return {
        **_head_tables(report),
        **_access_tables(report),
        **_exception_tables(report),
        **_sample_table(report),
        **_comparison_table(report),
        **_lineage_tables(report),
        "legacy_access": _csv(
            [h.replace(" ", "_") for h in LEGACY_HEADERS], legacy_rows(report.legacy)
        ),
    }


def _head_tables(report: AuditReport) -> dict[str, str]:
    e = report.evidence
    return {
        # Every file of the report carries what identifies it: this one in the CSV set.
        "evidence": _csv(["evidence", "value"], evidence_rows(report)),
        "sources": _csv(
            ["input", "kind", "location", "taken_at", "complete", "errors", "sha256"],
            [[s.name, s.kind, s.location, s.taken_at, s.complete, _join(s.errors), s.sha256]
             for s in e.sources],
        ),
        "findings": _csv(
            ["severity", "code", "section", "subject", "message"],
            [[f.severity, f.code, f.section, f.subject, f.message] for f in report.findings],
        ),
        "ownership": _csv(
            ["type", "name", "owner", "declared_as", "owner_kind", "desired_owner",
             "accountable_owner", "flags"],
            [[r.type, r.name, r.owner, r.owner_label, r.owner_kind, r.desired_owner,
              r.accountable_owner, _join(r.flags)] for r in report.ownership.rows],
        ),
        "policy": _csv(
            ["severity", "code", "securable", "message"],
            [[f.severity, f.code, f.subject, f.message] for f in report.policy.findings],
        ),
    }  # fmt: skip


def _access_tables(report: AuditReport) -> dict[str, str]:
    a = report.access

    def name(uc_name: str) -> str:
        return report.names.get(uc_name, uc_name)

    return {
        "access": _csv(
            ["type", "name", "readers", "disabled_readers", "writers", "could_grant",
             "read_set", "write_set", "grant_set", "read_through", "write_through",
             "unresolved_groups", "complete"],
            [[r.type, r.name, r.readers, r.disabled_readers, r.writers, r.could_grant,
              r.read_set, r.write_set, r.grant_set, _names(report, r.read_through),
              _names(report, r.write_through), _join(r.unresolved_groups), r.complete]
             for r in a.rows],
        ),
        "renamed_groups": _csv(
            ["group", "identities_name"], [[g, n] for g, n in a.renamed_groups.items()]
        ),
        "access_sets": _csv(
            ["set", "principal", "principal_id", "kind", "disabled"],
            [[s.id, name(m.principal), m.principal, m.kind, m.disabled] for s in a.sets
             for m in s.members],
        ),
        "disabled_members": _csv(
            ["principal", "principal_id", "kind", "reads", "writes", "example"],
            [[name(m.principal), m.principal, m.kind, m.reads, m.writes, m.example]
             for m in a.disabled_members],
        ),
        "protected_writers": _csv(
            ["principal", "principal_id", "kind", "securables", "example"],
            [[name(w.principal), w.principal, w.kind, w.securables, w.example]
             for w in a.protected_writers],
        ),
        "separation_of_duties": _csv(
            ["code", "rule", "person", "securables", "subject", "detail"],
            [[c.code, c.rule, c.person, c.securables, c.subject, c.detail]
             for c in a.separation_of_duties],
        ),
        "direct_grants": _csv(
            ["securable", "type", "principal", "principal_id", "privileges", "declared",
             "departed"],
            [[d.securable, d.type, name(d.principal), d.principal, _join(d.privileges),
              d.declared, d.departed] for d in a.direct_grants],
        ),
        "expiring_grants": _csv(
            ["securable", "principal", "principal_id", "privileges", "expires", "days_left",
             "reason"],
            [[g.securable, name(g.principal), g.principal, _join(g.privileges), g.expires,
              g.days_left, g.reason] for g in a.expiring],
        ),
        "drift": _csv(
            ["code", "kind", "mark", "securable", "principal", "principal_id", "privileges",
             "consequence", "actor", "at"],
            [[d.code, d.kind, d.mark, d.securable, report.name_of(d.principal), d.principal,
              _join(d.privileges), d.consequence, d.actor, d.at] for d in a.drift],
        ),
    }  # fmt: skip


def _exception_tables(report: AuditReport) -> dict[str, str]:
    x = report.exceptions
    return {
        "waivers": _csv(
            ["rule", "object", "file", "reason", "approved_by", "expires", "days_left",
             "status"],
            [[w.rule, w.object, w.file, w.reason, w.approved_by, w.expires, w.days_left,
              w.status] for w in x.waivers],
        ),
        "expired_grants": _csv(
            ["securable", "principal", "principal_id", "privileges", "expired", "days_past",
             "reason", "waived_until"],
            [[g.securable, report.name_of(g.principal), g.principal, _join(g.privileges),
              g.expired, g.days_past, g.reason, g.waived_until] for g in x.expired_grants],
        ),
    }  # fmt: skip


def _sample_table(report: AuditReport) -> dict[str, str]:
    x = report.sample
    if x is None:
        return {}
    return {
        "sample": _csv(
            ["index", "securable", "type", "principal", "principal_id", "privileges", "declared",
             "seed", "population_size", "population_sha256"],
            [[g.index, g.securable, g.type, report.name_of(g.principal), g.principal,
              _join(g.privileges), g.declared, x.seed, x.population_size, x.population_sha256]
             for g in x.grants],
        )
    }  # fmt: skip


def _comparison_table(report: AuditReport) -> dict[str, str]:
    c = report.comparison
    if c is None:
        return {}
    rows: list[list[object]] = [
        ["access", f"{a.access} {a.type} {a.name}", "gained", p] for a in c.access for p in a.added
    ]
    rows += [
        ["access", f"{a.access} {a.type} {a.name}", "lost", p]
        for a in c.access for p in a.removed
    ]  # fmt: skip
    rows += [
        ["ownership", f"{o.type} {o.name}", "changed",
         f"{o.owner_before} -> {o.owner_now}; {o.accountable_before} -> {o.accountable_now}"]
        for o in c.ownership
    ]  # fmt: skip
    rows += [["finding", f.subject, "new", f"{f.code}: {f.message}"] for f in c.new_findings]
    rows += [
        ["finding", f.subject, "resolved", f"{f.code}: {f.message}"] for f in c.resolved_findings
    ]
    rows += [["exception", item, change, ""] for change, items in comparison_exceptions(c)
             for item in items]  # fmt: skip
    return {"comparison": _csv(["area", "subject", "change", "detail"], rows)}


def _lineage_tables(report: AuditReport) -> dict[str, str]:
    lin = report.lineage
    return {
        "lineage_edges": _csv(
            ["source", "target", "last_seen", "events", "source_environment",
             "target_environment", "source_domain", "target_domain", "cross_environment",
             "cross_domain", "declared_grant"],
            [[x.source, x.target, x.last_seen, x.events, x.source_environment,
              x.target_environment, x.source_domain, x.target_domain, x.cross_environment,
              x.cross_domain, x.declared_grant] for x in lin.edges],
        ),
        "blast_radius": _csv(
            ["table", "downstream", "depth", "owners", "tables"],
            [[b.table, b.downstream, b.depth, _join(b.owners), _join(b.tables)]
             for b in lin.blast_radius],
        ),
    }  # fmt: skip
