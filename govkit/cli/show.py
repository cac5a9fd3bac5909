"""`govkit show`: the desired State of each environment, as JSON or as a readable tree."""

from __future__ import annotations

import datetime as dt

import click

from govkit.cli.options import as_of, spec_dir
from govkit.cli.render_tree import render_summary, render_tree
from govkit.cli.shared import require_valid, select_environments
from govkit.exitcodes import ExitCode
from govkit.state import dumps


@click.command("show")
@spec_dir
@click.option("--env", "env", default=None, help="One environment (default: all).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "text", "summary"]),
    default="text",
    show_default=True,
)
@as_of
def command(spec_dir: str, env: str | None, fmt: str, today: dt.date) -> int:
    """Print what the spec resolves to: the desired State document(s)."""
    validated = require_valid(spec_dir, today)
    spec = validated.spec
    assert spec is not None  # require_valid raised otherwise
    environments = select_environments(validated.environments, env)
    if fmt == "json":
        states = [e.state for e in environments]
        click.echo(dumps(states[0] if env else states), nl=False)
    elif fmt == "summary":
        click.echo(render_summary(spec, environments), nl=False)
    else:
        click.echo(render_tree(spec, environments), nl=False)
    return ExitCode.CLEAN
