"""`govkit schema`: the JSON Schema of spec files or of the State document."""

from __future__ import annotations

import json

import click

from govkit.exitcodes import ExitCode
from govkit.spec.schema import spec_json_schema
from govkit.state import json_schema


@click.command("schema")
@click.argument("what", type=click.Choice(["spec", "state"]), default="spec")
@click.option("--markdown", is_flag=True, help="The spec format's reference (docs/spec.md).")
def command(what: str, markdown: bool) -> int:
    """Print a JSON Schema (for editors through yaml-language-server, and for CI)."""
    if markdown:
        if what != "spec":
            raise click.UsageError("--markdown is the reference of the spec format only")
        from govkit.spec.docs import render_reference

        click.echo(render_reference(), nl=False)
        return ExitCode.CLEAN
    schema = spec_json_schema() if what == "spec" else json_schema()
    click.echo(json.dumps(schema, indent=2, sort_keys=True))
    return ExitCode.CLEAN
