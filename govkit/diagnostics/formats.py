"""Render diagnostics as text, JSON, GitHub workflow commands or SARIF 2.1.0."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from govkit import __version__
from govkit.diagnostics import Diagnostic, Severity


def summary(diagnostics: Sequence[Diagnostic]) -> str:
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = sum(d.severity is Severity.WARNING for d in diagnostics)
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


def render_text(diagnostics: Sequence[Diagnostic]) -> str:
    return "".join(d.text() + "\n" for d in diagnostics)


def render_json(diagnostics: Sequence[Diagnostic]) -> str:
    rows = [
        {
            "file": d.file,
            "line": d.line,
            "col": d.col,
            "code": d.code,
            "severity": d.severity.value,
            "rule": d.rule,
            "message": d.message,
            "hint": d.hint,
        }
        for d in diagnostics
    ]
    return json.dumps({"diagnostics": rows, "summary": summary(diagnostics)}, indent=2) + "\n"


def _escape_github(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def render_github(diagnostics: Sequence[Diagnostic]) -> str:
    """GitHub Actions workflow commands: annotations on the pull request's lines."""
    level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}
    out = []
    for d in diagnostics:
        props = f"file={d.file}"
        if d.line:
            props += f",line={d.line},col={d.col}"
        props += f",title={d.code} {d.rule}"
        message = d.message + (f" (hint: {d.hint})" if d.hint else "")
        out.append(f"::{level[d.severity]} {_escape_github(props)}::{_escape_github(message)}\n")
    return "".join(out)


def render_sarif(diagnostics: Sequence[Diagnostic]) -> str:
    """SARIF 2.1.0, the format GitHub code scanning reads."""
    level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for d in diagnostics:
        rules.setdefault(
            d.code,
            {"id": d.code, "name": d.rule, "shortDescription": {"text": d.rule}},
        )
        location: dict[str, Any] = {"artifactLocation": {"uri": d.file}}
        if d.line:
            location["region"] = {"startLine": d.line, "startColumn": d.col}
        results.append(
            {
                "ruleId": d.code,
                "level": level[d.severity],
                "message": {"text": d.message + (f" (hint: {d.hint})" if d.hint else "")},
                "locations": [{"physicalLocation": location}],
            }
        )
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "govkit",
                        "version": __version__,
                        "informationUri": "https://github.com/govkit/govkit",
                        "rules": [rules[k] for k in sorted(rules)],
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2) + "\n"


RENDERERS: dict[str, Callable[[Sequence[Diagnostic]], str]] = {
    "text": render_text,
    "json": render_json,
    "github": render_github,
    "sarif": render_sarif,
}
