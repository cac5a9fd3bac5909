"""The audit report as GitHub Markdown, with the lineage graph as Mermaid."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TypeVar

from govkit.audit import graph
from govkit.audit.legacy import LEGACY_HEADERS, legacy_rows, legacy_summary
from govkit.audit.model import (
    AuditReport,
    Finding,
    PeopleSet,
    comparison_exceptions,
    comparison_summary,
    evidence_rows,
    sample_summary,
)

_SPECIALS = str.maketrans(
    {
        "\\": "\\\\",
        "|": "\\|",
        "`": "\\`",
        "*": "\\*",
        "[": "\\[",
        "]": "\\]",
        "#": "\\#",
        # CommonMark escapes any ASCII punctuation with a backslash: `a -> b` stays readable in
        # the raw file, where `&gt;` would not, and still cannot open an HTML tag.
        "<": "\\<",
        ">": "\\>",
        "&": "\\&",
        "\n": " ",
        "\r": " ",
    }
)
# Lists in a cell beyond this many names end with "and N more" (the CSV and JSON have all).
CELL_NAMES = 12
# GitHub shows a Markdown file of a few megabytes at most: long tables stop here.
MAX_ROWS = 1000
T = TypeVar("T")


class Md(str):
    """Text already in Markdown: a table puts it in as it is."""


# An underscore inside a word is plain text in GitHub Markdown; at a word's edge it could
# start emphasis.
_EDGE_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")


def cell(value: object) -> str:
    """Text safe in a Markdown table cell: no markup, no HTML, no broken rows."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value).translate(_SPECIALS)
    return _EDGE_UNDERSCORE.sub(r"\\_", text) if "_" in text else text


def names(items: Sequence[str], labels: Mapping[str, str] | None = None) -> Md:
    """A list of names in one cell, declared names in place of ids."""
    shown = ", ".join(cell((labels or {}).get(i, i)) for i in items[:CELL_NAMES])
    more = len(items) - CELL_NAMES
    return Md(f"{shown} and {more} more (the HTML, JSON and CSV list all)" if more > 0 else shown)


def first(items: Sequence[T]) -> Sequence[T]:
    """The items a table shows: cells are built for these only (a large estate has 40,000)."""
    return items[:MAX_ROWS]


def table(
    headers: Sequence[str], rows: Iterable[Sequence[object]], total: int | None = None
) -> list[str]:
    """A Markdown table of the first MAX_ROWS rows; `total` counts the rows when `rows` holds
    only the `first` of them."""
    rows = list(rows)
    shown = rows[:MAX_ROWS]
    total = len(rows) if total is None else total
    more = total - len(shown)
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += [
        "| " + " | ".join(c if isinstance(c, Md) else cell(c) for c in r) + " |" for r in shown
    ]
    if len(lines) == 2:
        return ["None."]
    if more > 0:
        lines += ["", f"The first {MAX_ROWS} of {total} rows; the HTML, CSV and JSON have all."]
    return lines


def _note(note: str | None) -> list[str]:
    return [f"> **Incomplete:** {cell(note)}", ""] if note else []


def _evidence(r: AuditReport) -> list[str]:
    e = r.evidence
    out = ["## Evidence", ""]
    out += table(
        ["evidence", ""],
        [[k, Md(f"`{v}`") if str(k).endswith("SHA-256") else v] for k, v in evidence_rows(r)],
    )
    out += [
        "",
        "The SHA-256 is of the JSON report with `content_sha256` set to the empty string.",
        "",
    ]
    out += table(
        ["input", "kind", "location", "taken at", "complete", "errors", "SHA-256"],
        [
            [s.name, s.kind, s.location, s.taken_at, s.complete, "; ".join(s.errors), s.sha256]
            for s in e.sources
        ],
    )
    return [*out, ""]


def _summary(r: AuditReport) -> list[str]:
    s = r.summary
    out = ["## Summary", ""]
    out += table(
        ["status", "securables", "tables", "people", "accountable-owner coverage",
         "Unity Catalog owner coverage", "protected writers",
         "disabled accounts with access", "securables with unresolved groups", "waivers",
         "expired grants still live",
         "cross-environment edges", "cross-domain edges", "paths outside Unity Catalog",
         "errors", "warnings", "notes"],
        [[s.status, s.securables, s.tables, s.people, f"{s.accountable_coverage_percent}%",
          f"{s.coverage_percent}%",
          s.protected_writers, s.disabled_with_access, s.securables_incomplete, s.waivers,
          s.expired_grants_live,
          s.cross_environment_edges, s.cross_domain_edges,
          "not read" if s.legacy_access_paths is None else s.legacy_access_paths, s.errors,
          s.warnings, s.notes]],
    )  # fmt: skip
    return [*out, ""]


def _findings(findings: Sequence[Finding], title: str) -> list[str]:
    out = [title, ""]
    out += table(
        ["severity", "code", "section", "subject", "message"],
        [[f.severity, f.code, f.section, f.subject, f.message] for f in first(findings)],
        len(findings),
    )
    return [*out, ""]


def _ownership(r: AuditReport) -> list[str]:
    o = r.ownership
    out = ["## Ownership", "", *_note(o.note)]
    out += [
        f"{o.tables_with_accountable_owner} of {o.tables} tables have a declared accountable "
        f"owner with an enabled member: **{o.accountable_coverage_percent}%** accountable-owner "
        f"coverage. Unity Catalog ownership: {o.tables_owned_by_groups_or_service_principals} "
        f"of {o.tables} tables are owned by a group or a service principal "
        f"({o.coverage_percent}%; in a protected environment the deployer owns them all).",
        "",
    ]
    out += table(
        ["type", "name", "owner (Unity Catalog)", "declared as", "kind", "accountable owner",
         "flags"],
        [[w.type, w.name, w.owner, w.owner_label, w.owner_kind, w.accountable_owner,
          ", ".join(w.flags)] for w in first(o.rows)],
        len(o.rows),
    )  # fmt: skip
    return [*out, ""]


def _access(r: AuditReport) -> list[str]:
    a = r.access
    out = ["## Effective access", "", *_note(a.note)]
    out += [
        f"People and service principals in the identities: {a.people}. Counts are people and "
        "service principals, groups expanded (a group the identities do not hold counts as "
        "nobody and leaves its row incomplete); sets are listed once below.",
        "",
    ]
    out += [
        f"Group {cell(uc)} is {cell(now)} in the identities (the same Entra ID object id): "
        "its members are counted."
        for uc, now in a.renamed_groups.items()
    ]
    out += [""] if a.renamed_groups else []
    out += table(
        ["type", "name", "readers", "disabled readers", "writers", "could grant",
         "read through", "write through", "read set", "write set", "incomplete: groups not in "
         "the identities"],
        [[w.type, w.name, w.readers, w.disabled_readers, w.writers, w.could_grant,
          names(w.read_through, r.names), names(w.write_through, r.names), w.read_set,
          w.write_set, names(w.unresolved_groups)] for w in first(a.rows)],
        len(a.rows),
    )  # fmt: skip
    out += ["", "### Sets of people", ""]
    out += table(
        ["set", "size", "disabled", "members"],
        [[s.id, len(s.members), sum(1 for m in s.members if m.disabled), _members(s, r.names)]
         for s in first(a.sets)],
        len(a.sets),
    )  # fmt: skip
    out += ["", "### Disabled accounts that still have access through a group", ""]
    out += table(
        ["principal", "kind", "reads", "writes", "for example"],
        [[r.names.get(m.principal, m.principal), m.kind, m.reads, m.writes, m.example]
         for m in first(a.disabled_members)],
        len(a.disabled_members),
    )  # fmt: skip
    out += ["", "### Who can write in a protected environment (must be service principals)", ""]
    out += table(
        ["principal", "kind", "securables", "for example"],
        [
            [r.names.get(w.principal, w.principal), w.kind, w.securables, w.example]
            for w in a.protected_writers
        ],
    )
    out += ["", "### Separation of duties", ""]
    out += table(
        ["code", "rule", "person", "securables", "for example", "detail"],
        [[c.code, c.rule, c.person, c.securables, r.name_of(c.subject), c.detail]
         for c in first(a.separation_of_duties)],
        len(a.separation_of_duties),
    )  # fmt: skip
    out += ["", "### Grants to individuals and to principals not in the directory", ""]
    out += table(
        ["securable", "type", "principal", "privileges", "in the spec", "departed or unknown"],
        [[d.securable, d.type, r.name_of(d.principal), ", ".join(d.privileges), d.declared,
          d.departed]
         for d in first(a.direct_grants)],
        len(a.direct_grants),
    )  # fmt: skip
    out += ["", "### Grants that expire within 30 days", ""]
    out += table(
        ["securable", "principal", "privileges", "expires", "days left", "reason"],
        [[g.securable, r.name_of(g.principal), ", ".join(g.privileges), g.expires, g.days_left,
          g.reason]
         for g in a.expiring],
    )  # fmt: skip
    out += ["", "### Live differences from the spec (drift)", ""]
    out += table(
        ["code", "change", "securable", "principal", "privileges", "consequence", "by", "at"],
        [[d.code, d.kind, d.securable, r.name_of(d.principal), ", ".join(d.privileges),
          d.consequence,
          d.actor, d.at] for d in first(a.drift)],
        len(a.drift),
    )  # fmt: skip
    return [*out, ""]


def _members(people: PeopleSet, labels: Mapping[str, str]) -> Md:
    """A set's members, the disabled first so that a cut list still shows them."""
    ordered = sorted(people.members, key=lambda m: not m.disabled)
    return names([m.label(labels) for m in ordered])


def _exceptions(r: AuditReport) -> list[str]:
    x = r.exceptions
    out = ["## Exception register", "", *_note(x.note)]
    out += [
        f"{len(x.waivers)} waiver(s) of a rule; {len(x.expired_grants)} grant(s) past their "
        "expiry and still live.",
        "",
        "### Waivers",
        "",
    ]
    out += table(
        ["rule", "object", "file", "reason", "approved by", "expires", "days left", "status"],
        [[w.rule, w.object, w.file, w.reason, w.approved_by or "not recorded", w.expires,
          w.days_left, w.status] for w in first(x.waivers)],
        len(x.waivers),
    )  # fmt: skip
    out += ["", "### Grants past their expiry, still live", ""]
    out += table(
        ["securable", "principal", "privileges still live", "expired", "days past", "reason",
         "waived until"],
        [[g.securable, r.name_of(g.principal), ", ".join(g.privileges),
          g.expired, g.days_past, g.reason, g.waived_until] for g in first(x.expired_grants)],
        len(x.expired_grants),
    )  # fmt: skip
    return [*out, ""]


def _sample(r: AuditReport) -> list[str]:
    x = r.sample
    if x is None:
        return []
    out = ["## Sample for testing", "", cell(sample_summary(x)), ""]
    out += table(
        ["#", "securable", "type", "principal", "privileges", "in the spec"],
        [[g.index, g.securable, g.type, r.name_of(g.principal), ", ".join(g.privileges),
          g.declared] for g in first(x.grants)],
        len(x.grants),
    )  # fmt: skip
    return [*out, ""]


def _comparison(r: AuditReport) -> list[str]:
    c = r.comparison
    if c is None:
        return []
    out = ["## Since the previous audit", "", cell(comparison_summary(c)), "", "### Access", ""]
    out += table(
        ["type", "name", "access", "gained", "lost"],
        [[a.type, a.name, a.access, names(a.added, r.names), names(a.removed, r.names)]
         for a in first(c.access)],
        len(c.access),
    )  # fmt: skip
    out += ["", "### Ownership", ""]
    out += table(
        ["type", "name", "owner before", "owner now", "accountable before", "accountable now"],
        [[o.type, o.name, r.name_of(o.owner_before), r.name_of(o.owner_now),
          o.accountable_before, o.accountable_now] for o in first(c.ownership)],
        len(c.ownership),
    )  # fmt: skip
    out += ["", "### Findings", ""]
    out += table(
        ["change", "severity", "code", "subject", "message"],
        [[change, f.severity, f.code, f.subject, f.message]
         for change, items in (("new", c.new_findings), ("resolved", c.resolved_findings))
         for f in first(items)],
    )  # fmt: skip
    out += ["", "### Exceptions", ""]
    out += table(
        ["change", "exception"],
        [[change, item] for change, items in comparison_exceptions(c) for item in items],
    )
    return [*out, ""]


def _lineage(r: AuditReport) -> list[str]:
    lin = r.lineage
    out = ["## Lineage", "", *_note(lin.note)]
    out += [
        f"{len(lin.edges)} edges with an end in {cell(r.evidence.environment)} "
        f"(of {lin.edges_read} read).",
        "",
    ]
    picture = graph.choose(lin.edges)
    if picture.edges:
        if picture.left_out:
            out += [
                f"The graph shows {len(picture.edges)} of {picture.total} edges, those that "
                "cross an environment or a domain first; every edge is in the tables below.",
                "",
            ]
        out += ["```mermaid", graph.mermaid(picture).rstrip("\n"), "```", ""]
    flagged = [e for e in lin.edges if e.cross_environment or e.cross_domain]
    out += ["### Edges across environments or domains", ""]
    out += table(
        ["source", "target", "environments", "domains", "declared grant", "last seen",
         "events"],
        [[e.source, e.target, f"{e.source_environment} → {e.target_environment}",
          f"{e.source_domain} → {e.target_domain}", e.declared_grant, e.last_seen, e.events]
         for e in first(flagged)],
        len(flagged),
    )  # fmt: skip
    out += ["", "### Upstream and downstream per table", ""]
    out += table(
        ["table", "upstream", "downstream"],
        [[t.table, names(t.upstream), names(t.downstream)] for t in first(lin.tables)],
        len(lin.tables),
    )
    out += ["", "### Blast radius (downstream to any depth)", ""]
    out += table(
        ["table", "downstream tables", "depth", "owners", "tables"],
        [[b.table, b.downstream, b.depth, names(b.owners), names(b.tables)]
         for b in lin.blast_radius],
    )  # fmt: skip
    return [*out, ""]


def _legacy(r: AuditReport) -> list[str]:
    out = ["## Access outside Unity Catalog", "", *_note(r.legacy.note)]
    out += [cell(legacy_summary(r)), ""]
    return [*out, *table(LEGACY_HEADERS, legacy_rows(r.legacy)), ""]


def render_markdown(report: AuditReport) -> str:
    """The report as one Markdown document for GitHub."""
    env = cell(report.evidence.environment)
    out = [f"# Audit of {env}", ""]
    out += [f"**Status: {report.summary.status}.** ", ""]
    out += _evidence(report) + _summary(report)
    out += _comparison(report)
    out += _findings(report.findings, "## Findings")
    out += _ownership(report) + _access(report) + _exceptions(report) + _sample(report)
    out += _lineage(report) + _legacy(report)
    out += ["## Policy findings on the live State", "", *_note(report.policy.note)]
    out += table(
        ["severity", "code", "securable", "message"],
        [[f.severity, f.code, f.subject, f.message] for f in first(report.policy.findings)],
        len(report.policy.findings),
    )
    return "\n".join(out).rstrip("\n") + "\n"
