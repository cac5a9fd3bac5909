"""The HTML report's control sections: the exception register, the sample, the comparison."""

from __future__ import annotations

from collections.abc import Iterable

from govkit.audit.html_table import Tables, escape
from govkit.audit.model import (
    AuditReport,
    comparison_exceptions,
    comparison_summary,
    sample_summary,
)


def exceptions_section(r: AuditReport, table: Tables) -> list[str]:
    x = r.exceptions
    return [
        '<section id="exceptions"><h2>Exception register</h2>',
        *([f'<p class="note"><strong>Incomplete:</strong> {escape(x.note)}</p>'] if x.note else []),
        f"<p>{len(x.waivers)} waiver(s) of a rule; {len(x.expired_grants)} grant(s) past their "
        "expiry and still live.</p>",
        "<h3>Waivers</h3>",
        *table(
            ["rule", "object", "file", "reason", "approved by", "expires", "days left", "status"],
            [[w.rule, w.object, w.file, w.reason, w.approved_by or "not recorded", w.expires,
              w.days_left, w.status] for w in x.waivers],
            "waivers",
        ),
        "<h3>Grants past their expiry, still live</h3>",
        *table(
            ["securable", "principal", "privileges still live", "expired", "days past",
             "reason", "waived until"],
            [[g.securable, r.name_of(g.principal), ", ".join(g.privileges),
              g.expired, g.days_past, g.reason, g.waived_until] for g in x.expired_grants],
            "expired grants",
        ),
        "</section>",
    ]  # fmt: skip


def sample_section(r: AuditReport, table: Tables) -> list[str]:
    x = r.sample
    if x is None:
        return []
    return [
        '<section id="sample"><h2>Sample for testing</h2>',
        f"<p>{escape(sample_summary(x))}</p>",
        *table(
            ["#", "securable", "type", "principal", "privileges", "in the spec"],
            [[g.index, g.securable, g.type, r.name_of(g.principal), ", ".join(g.privileges),
              g.declared] for g in x.grants],
            "sample",
        ),
        "</section>",
    ]  # fmt: skip


def comparison_section(r: AuditReport, table: Tables) -> list[str]:
    c = r.comparison
    if c is None:
        return []

    def shown(items: Iterable[str]) -> str:
        return ", ".join(r.names.get(i, i) for i in items)

    return [
        '<section id="comparison"><h2>Since the previous audit</h2>',
        f"<p>{escape(comparison_summary(c))}</p>",
        "<h3>Access</h3>",
        *table(
            ["type", "name", "access", "gained", "lost"],
            [[a.type, a.name, a.access, shown(a.added), shown(a.removed)] for a in c.access],
            "access changes",
        ),
        "<h3>Ownership</h3>",
        *table(
            ["type", "name", "owner before", "owner now", "accountable before",
             "accountable now"],
            [[o.type, o.name, r.name_of(o.owner_before), r.name_of(o.owner_now),
              o.accountable_before, o.accountable_now] for o in c.ownership],
            "ownership changes",
        ),
        "<h3>Findings</h3>",
        *table(
            ["change", "severity", "code", "subject", "message"],
            [[change, f.severity, f.code, f.subject, f.message]
             for change, items in (("new", c.new_findings), ("resolved", c.resolved_findings))
             for f in items],
            "finding changes",
        ),
        "<h3>Exceptions</h3>",
        *table(
            ["change", "exception"],
            [[change, item] for change, items in comparison_exceptions(c) for item in items],
            "exception changes",
        ),
        "</section>",
    ]  # fmt: skip
