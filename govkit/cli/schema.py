"""`govkit schema`: the JSON Schema of spec files, the State or the identities document."""

from __future__ import annotations

import json

import click

from govkit.exitcodes import ExitCode
from govkit.spec.schema import spec_json_schema
from govkit.state import json_schema


@click.command("schema")
@click.argument("what", type=click.Choice(["spec", "state", "identities"]), default="spec")
def command(what: str) -> int:
    """Print a JSON Schema (for editors through yaml-language-server, and for CI)."""
    if what == "identities":
        from govkit.identity.document import json_schema as identities_schema

        schema = identities_schema()
    else:
        schema = spec_json_schema() if what == "spec" else json_schema()
    click.echo(json.dumps(schema, indent=2, sort_keys=True))
    return ExitCode.CLEAN
