"""The audit report as one self-contained HTML file: no external assets, works offline.

Summary cards, tables that sort (click a heading) and filter (type in the box above), and the
lineage graph as an inline SVG. Every value is escaped; the only script is the one below.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from govkit.audit import graph
from govkit.audit.html_assets import CSS, JS
from govkit.audit.html_table import Tables as _Tables
from govkit.audit.html_table import escape as _e
from govkit.audit.legacy import LEGACY_HEADERS, legacy_rows, legacy_summary
from govkit.audit.model import (
    AuditReport,
    Finding,
    evidence_rows,
)
from govkit.audit.render_html_controls import (
    comparison_section,
    exceptions_section,
    sample_section,
)


def _note(note: str | None) -> list[str]:
    return [f'<p class="note"><strong>Incomplete:</strong> {_e(note)}</p>'] if note else []


def _card(label: str, value: object, tone: str = "") -> str:
    return (
        f'<div class="card {tone}"><div class="value">{_e(value)}</div>'
        f'<div class="label">{_e(label)}</div></div>'
    )


def _tone(bad: bool, worse: str = "bad") -> str:
    return worse if bad else "good"


def _cards(r: AuditReport) -> list[str]:
    s = r.summary
    crossing = s.cross_environment_edges
    paths = "not read" if s.legacy_access_paths is None else s.legacy_access_paths
    worse = "bad" if r.legacy.protected or s.legacy_access_paths is None else "warn"
    return [
        '<section id="summary" class="cards" aria-label="summary">',
        _card("status", s.status, _tone(s.status != "clean")),
        _card("accountable-owner coverage", f"{s.accountable_coverage_percent}%",
              _tone(s.accountable_coverage_percent < 100, "warn")),
        _card("Unity Catalog owner coverage", f"{s.coverage_percent}%",
              _tone(s.coverage_percent < 100, "warn")),
        _card("errors", s.errors, _tone(s.errors > 0)),
        _card("warnings", s.warnings, _tone(s.warnings > 0, "warn")),
        _card("people who write in protected", s.protected_writers, _tone(s.protected_writers > 0)),
        _card("disabled accounts with access", s.disabled_with_access,
              _tone(s.disabled_with_access > 0, "warn")),
        _card("securables with unresolved groups", s.securables_incomplete,
              _tone(s.securables_incomplete > 0)),
        _card("expired grants still live", s.expired_grants_live,
              _tone(s.expired_grants_live > 0)),
        _card("waivers", s.waivers),
        _card("cross-environment edges", s.cross_environment_edges, _tone(crossing > 0)),
        _card("cross-domain edges", s.cross_domain_edges),
        _card("access paths outside Unity Catalog (goal 0)", paths, _tone(bool(paths), worse)),
        _card("people and service principals", s.people),
        _card("securables", s.securables),
        _card("most readers of one securable", s.readers_max),
        "</section>",
    ]  # fmt: skip


def _evidence(r: AuditReport, table: _Tables) -> list[str]:
    e = r.evidence
    kv = evidence_rows(r)
    rows = "".join(
        f'<tr><th scope="row">{_e(k)}</th><td><code>{_e(v)}</code></td></tr>' for k, v in kv
    )
    return [
        '<section id="evidence"><h2>Evidence</h2>',
        f'<table class="kv">{rows}</table>',
        "<p>The SHA-256 is of the JSON report with <code>content_sha256</code> empty.</p>",
        *table(
            ["input", "kind", "location", "taken at", "complete", "errors", "SHA-256"],
            [[s.name, s.kind, s.location, s.taken_at, s.complete, "; ".join(s.errors), s.sha256]
             for s in e.sources],
            "inputs",
        ),
        "</section>",
    ]  # fmt: skip


def _findings(findings: Sequence[Finding], table: _Tables) -> list[str]:
    return [
        '<section id="findings"><h2>Findings</h2>',
        *table(
            ["severity", "code", "section", "subject", "message"],
            [[f.severity, f.code, f.section, f.subject, f.message] for f in findings],
            "findings",
        ),
        "</section>",
    ]


def _ownership(r: AuditReport, table: _Tables) -> list[str]:
    o = r.ownership
    return [
        '<section id="ownership"><h2>Ownership</h2>',
        *_note(o.note),
        f"<p>{o.tables_with_accountable_owner} of {o.tables} tables have a declared accountable "
        f"owner with an enabled member: <strong>{o.accountable_coverage_percent}%</strong> "
        "accountable-owner coverage. Unity Catalog ownership: "
        f"{o.tables_owned_by_groups_or_service_principals} of {o.tables} tables are owned by a "
        f"group or a service principal ({o.coverage_percent}%; in a protected environment the "
        "deployer owns them all).</p>",
        *table(
            ["type", "name", "owner", "declared as", "kind", "accountable owner", "flags"],
            [[w.type, w.name, w.owner, w.owner_label, w.owner_kind, w.accountable_owner,
              ", ".join(w.flags)] for w in o.rows],
            "ownership",
        ),
        "</section>",
    ]  # fmt: skip


def _access(r: AuditReport, table: _Tables) -> list[str]:
    a = r.access

    def shown(items: Iterable[str]) -> str:
        return ", ".join(r.names.get(i, i) for i in items)

    return [
        '<section id="access"><h2>Effective access</h2>',
        *_note(a.note),
        f"<p>Counts are people and service principals ({a.people} in the identities), groups "
        "expanded; a group the identities do not hold counts as nobody and leaves its row "
        "incomplete. Each set of people is listed once, below.</p>",
        *(
            f"<p>Group {_e(uc)} is {_e(now)} in the identities (the same Entra ID object id): "
            "its members are counted.</p>"
            for uc, now in a.renamed_groups.items()
        ),
        *table(
            ["type", "name", "readers", "disabled readers", "writers", "could grant",
             "read through", "write through", "read set", "write set",
             "incomplete: groups not in the identities"],
            [[w.type, w.name, w.readers, w.disabled_readers, w.writers, w.could_grant,
              shown(w.read_through), shown(w.write_through), w.read_set, w.write_set,
              ", ".join(w.unresolved_groups)] for w in a.rows],
            "access",
        ),
        "<h3>Sets of people</h3>",
        *table(
            ["set", "size", "disabled", "members"],
            [[s.id, len(s.members), sum(1 for m in s.members if m.disabled),
              ", ".join(m.label(r.names) for m in s.members)] for s in a.sets],
            "sets",
        ),
        "<h3>Disabled accounts that still have access through a group</h3>",
        *table(
            ["principal", "kind", "reads", "writes", "for example"],
            [[shown([m.principal]), m.kind, m.reads, m.writes, m.example]
             for m in a.disabled_members],
            "disabled accounts",
        ),
        "<h3>Who can write in a protected environment (must be service principals)</h3>",
        *table(
            ["principal", "kind", "securables", "for example"],
            [[shown([w.principal]), w.kind, w.securables, w.example] for w in a.protected_writers],
            "writers",
        ),
        "<h3>Separation of duties</h3>",
        *table(
            ["code", "rule", "person", "securables", "for example", "detail"],
            [[c.code, c.rule, c.person, c.securables, r.name_of(c.subject), c.detail]
             for c in a.separation_of_duties],
            "separation of duties",
        ),
        "<h3>Grants to individuals and to principals not in the directory</h3>",
        *table(
            ["securable", "type", "principal", "privileges", "in the spec", "departed or unknown"],
            [[d.securable, d.type, r.name_of(d.principal), ", ".join(d.privileges), d.declared,
          d.departed]
             for d in a.direct_grants],
            "grants",
        ),
        "<h3>Grants that expire within 30 days</h3>",
        *table(
            ["securable", "principal", "privileges", "expires", "days left", "reason"],
            [[g.securable, r.name_of(g.principal), ", ".join(g.privileges), g.expires, g.days_left,
              g.reason] for g in a.expiring],
            "expiring grants",
        ),
        "<h3>Live differences from the spec (drift)</h3>",
        *table(
            ["code", "change", "securable", "principal", "privileges", "consequence", "by", "at"],
            [[d.code, d.kind, d.securable, r.name_of(d.principal), ", ".join(d.privileges),
          d.consequence,
              d.actor, d.at] for d in a.drift],
            "drift",
        ),
        "</section>",
    ]  # fmt: skip


def _lineage(r: AuditReport, table: _Tables) -> list[str]:
    lin = r.lineage
    picture = graph.choose(lin.edges)
    out = ['<section id="lineage"><h2>Lineage</h2>', *_note(lin.note)]
    out.append(
        f"<p>{len(lin.edges)} edges with an end in {_e(r.evidence.environment)} "
        f"(of {lin.edges_read} read).</p>"
    )
    if picture.left_out:
        out.append(
            f"<p>The graph shows {len(picture.edges)} of {picture.total} edges, those that "
            "cross an environment or a domain first; every edge is in the tables.</p>"
        )
    if picture.edges:
        out += ['<div class="graph">', graph.svg(picture), "</div>"]
    flagged = [e for e in lin.edges if e.cross_environment or e.cross_domain]
    out += ["<h3>Edges across environments or domains</h3>"]
    out += table(
        ["source", "target", "environments", "domains", "declared grant", "last seen", "events"],
        [[e.source, e.target, f"{e.source_environment} → {e.target_environment}",
          f"{e.source_domain} → {e.target_domain}", e.declared_grant, e.last_seen, e.events]
         for e in flagged],
        "crossing edges",
    )  # fmt: skip
    out += ["<h3>Upstream and downstream per table</h3>"]
    out += table(
        ["table", "upstream", "downstream"],
        [[t.table, ", ".join(t.upstream), ", ".join(t.downstream)] for t in lin.tables],
        "tables",
    )
    out += ["<h3>Blast radius (downstream to any depth)</h3>"]
    out += table(
        ["table", "downstream tables", "depth", "owners", "tables"],
        [[b.table, b.downstream, b.depth, ", ".join(b.owners), ", ".join(b.tables)]
         for b in lin.blast_radius],
        "blast radius",
    )  # fmt: skip
    return [*out, "</section>"]


def _legacy(r: AuditReport, table: _Tables) -> list[str]:
    return [
        '<section id="legacy"><h2>Access outside Unity Catalog</h2>',
        *_note(r.legacy.note),
        f"<p>{_e(legacy_summary(r))}</p>",
        *table(LEGACY_HEADERS, legacy_rows(r.legacy), "access paths"),
        "</section>",
    ]


def render_html(report: AuditReport) -> str:
    """The report as one HTML document with its styles, script and picture inline."""
    table = _Tables()
    env = _e(report.evidence.environment)
    status = report.summary.status
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>govkit audit of {env}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<header><h1>Audit of {env}</h1>",
        f'<p class="status status-{status}">Status: {_e(status)}. Generated '
        f"{_e(report.evidence.generated_at)} from spec commit "
        f"{_e(report.evidence.spec_commit or 'not in git')}; report SHA-256 "
        f"{_e(report.evidence.content_sha256)}.</p></header>",
        *_cards(report),
        *_evidence(report, table),
        *comparison_section(report, table),
        *_findings(report.findings, table),
        *_ownership(report, table),
        *_access(report, table),
        *exceptions_section(report, table),
        *sample_section(report, table),
        *_lineage(report, table),
        *_legacy(report, table),
        '<section id="policy"><h2>Policy findings on the live State</h2>',
        *_note(report.policy.note),
        *table(
            ["severity", "code", "securable", "message"],
            [[f.severity, f.code, f.subject, f.message] for f in report.policy.findings],
            "policy findings",
        ),
        "</section>",
        f"<script>{JS}</script>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"
