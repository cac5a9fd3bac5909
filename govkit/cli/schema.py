"""`govkit schema`: the JSON Schema of spec files or of the State document."""

from __future__ import annotations

import json

import click

from govkit.exitcodes import ExitCode
from govkit.spec.schema import spec_json_schema
from govkit.state import json_schema


@click.command("schema")
@click.argument("what", type=click.Choice(["spec", "state"]), default="spec")
def command(what: str) -> int:
    """Print a JSON Schema (for editors through yaml-language-server, and for CI)."""
    schema = spec_json_schema() if what == "spec" else json_schema()
    click.echo(json.dumps(schema, indent=2, sort_keys=True))
    return ExitCode.CLEAN
