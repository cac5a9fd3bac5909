"""`govkit validate`: every diagnostic of the spec, once."""

from __future__ import annotations

import datetime as dt

import click

from govkit.cli import colour
from govkit.cli.options import as_of, spec_dir
from govkit.diagnostics import has_errors
from govkit.diagnostics.formats import RENDERERS, summary
from govkit.exitcodes import ExitCode
from govkit.pipeline import validate


@click.command("validate")
@spec_dir
@click.option(
    "--format", "fmt", type=click.Choice(sorted(RENDERERS)), default="text", show_default=True
)
@as_of
def command(spec_dir: str, fmt: str, today: dt.date) -> int:
    """Validate a spec folder: shape, references and policy rules."""
    result = validate(spec_dir, today)
    text = RENDERERS[fmt](result.diagnostics)
    click.echo(colour.diagnostics(text) if fmt == "text" else text, nl=False)
    if fmt == "text":
        click.echo(f"{spec_dir}: {summary(result.diagnostics)}", err=True)
    return ExitCode.ERROR if has_errors(result.diagnostics) else ExitCode.CLEAN
