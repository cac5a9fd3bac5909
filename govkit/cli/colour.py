"""Colour for a terminal: severities and plan marks painted with click.style.

Renderers stay plain text; colour is added here, on the way out. click strips it again when
the stream is not a terminal (piped, redirected, captured), and `--no-color` or `NO_COLOR`
turn it off on the context (see `govkit.cli.main`).
"""

from __future__ import annotations

import re
from typing import Any

import click

_SEVERITY = re.compile(r"(?<=: )(GOV\d{3} )(error|warning|note)(?=: )")
_SEVERITY_STYLE: dict[str, dict[str, Any]] = {
    "error": {"fg": "red", "bold": True},
    "warning": {"fg": "yellow", "bold": True},
    "note": {"fg": "cyan"},
}
_MARK = re.compile(r"^(  )([+~!-])( )", re.MULTILINE)
_MARK_STYLE = {"+": "green", "~": "yellow", "-": "red", "!": "magenta"}


def _off() -> bool:
    """Colour was turned off for this run (text printed outside a command checks here too)."""
    ctx = click.get_current_context(silent=True)
    return ctx is not None and ctx.color is False


def diagnostics(text: str) -> str:
    """`path:1:2: GOV201 error: ...` lines with the code dimmed and the severity coloured."""
    if _off():
        return text
    return _SEVERITY.sub(
        lambda m: click.style(m[1], dim=True) + click.style(m[2], **_SEVERITY_STYLE[m[2]]), text
    )


def plan(text: str) -> str:
    """Drift text with its `+ ~ - !` marks coloured as Terraform colours a plan."""
    if _off():
        return text
    return _MARK.sub(
        lambda m: m[1] + click.style(m[2], fg=_MARK_STYLE[m[2]], bold=True) + m[3], text
    )


def no_colour_wanted(flag: bool, environ: dict[str, str]) -> bool:
    """`--no-color`, or a non-empty NO_COLOR (https://no-color.org)."""
    return flag or bool(environ.get("NO_COLOR"))
