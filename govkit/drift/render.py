"""Render a drift report as a plan-like text, the JSON document, Markdown or SARIF."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable

from govkit.diagnostics import Diagnostic, Severity
from govkit.diagnostics.formats import render_sarif as render_diagnostics_sarif
from govkit.drift.describe import describe, explained, summary_counts, summary_line
from govkit.drift.model import Change, DriftReport

# A pull-request comment is limited in size; the JSON report always has every change.
MARKDOWN_MAX_ROWS = 200


def _securable_of(change: Change) -> tuple[str, str]:
    return (change.securable_type.value, change.securable)


def _live_line(report: DriftReport) -> str:
    taken = f", taken at {report.live.taken_at}" if report.live.taken_at else ""
    return f"live state from {report.live.source}{taken}"


def render_text(report: DriftReport) -> str:
    """Changes grouped by securable with `+ ~ - !` marks, then a summary line."""
    lines = [f"govkit drift: {report.environment} ({_live_line(report)})", ""]
    for (type_, name), group in itertools.groupby(report.changes, key=_securable_of):
        lines.append(f"  # {type_} {name}")
        for c in group:
            lines.append(f"  {c.mark} {c.kind.value}: {describe(c, report.names)}; {c.consequence}")
            if c.explanation:
                lines.append(f"      changed {explained(c)}")
        lines.append("")
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def render_json(report: DriftReport) -> str:
    """The `govkit.drift/v1` document."""
    return json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    # A backtick inside a code span would end it; Unity Catalog names may contain one.
    return f"`{text}`" if "`" not in text else f"`` {text} ``"


def render_markdown(report: DriftReport) -> str:
    """A table ready for an issue or a pull-request comment."""
    head = f"### govkit drift: {_code(report.environment)}"
    if not report.drifted:
        return f"{head}\n\n{summary_line(report)}\n\n_{_live_line(report)}_\n"
    lines = [
        head,
        "",
        f"**{summary_counts(report.summary)}**",
        "",
        f"_{_live_line(report)}_",
        "",
        "| | Securable | Change | What differs | Next apply | Changed by |",
        "|---|---|---|---|---|---|",
    ]
    for c in report.changes[:MARKDOWN_MAX_ROWS]:
        securable = f"{c.securable_type.value} {_code(c.securable)}"
        lines.append(
            f"| {_code(c.mark)} | {_cell(securable)} | {c.kind.value} "
            f"| {_cell(describe(c, report.names))} | {_cell(c.consequence)} "
            f"| {_cell(explained(c))} |"
        )
    hidden = len(report.changes) - MARKDOWN_MAX_ROWS
    if hidden > 0:
        lines += ["", f"… and {hidden} more; the JSON report (`--format json`) lists every one."]
    return "\n".join(lines) + "\n"


def to_diagnostics(report: DriftReport) -> list[Diagnostic]:
    """Changes as live findings: the securable's full name stands where a file path would."""
    return [
        Diagnostic(
            code=c.kind.code,
            severity=Severity.WARNING if c.mark == "!" else Severity.ERROR,
            message=" ".join(
                part
                for part in (
                    f"{c.securable_type.value} {c.securable}: {describe(c, report.names)};",
                    c.consequence,
                    f"(changed {explained(c)})" if c.explanation else "",
                )
                if part
            ),
            rule=f"drift.{c.kind.value}",
            file=c.securable,
        )
        for c in report.changes
    ]


def render_sarif(report: DriftReport) -> str:
    """SARIF 2.1.0 through the diagnostics renderer, one result per change."""
    return render_diagnostics_sarif(to_diagnostics(report))


RENDERERS: dict[str, Callable[[DriftReport], str]] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
    "sarif": render_sarif,
}
