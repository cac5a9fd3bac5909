"""`govkit schema`: the JSON Schema of spec files or of one of govkit's documents."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from typing import Any

import click

from govkit.exitcodes import ExitCode

# name -> (module, function) that builds the schema; imported on use only.
SCHEMAS: dict[str, tuple[str, str]] = {
    "spec": ("govkit.spec.schema", "spec_json_schema"),
    "state": ("govkit.state", "json_schema"),
    "identities": ("govkit.identity.document", "json_schema"),
    "lineage": ("govkit.lineage.document", "json_schema"),
    "legacy-access": ("govkit.legacy.document", "json_schema"),
    "audit": ("govkit.audit.model", "json_schema"),
    "hive": ("govkit.migrate.document", "json_schema"),
}


@click.command("schema")
@click.argument("what", type=click.Choice(sorted(SCHEMAS)), default="spec")
@click.option("--markdown", is_flag=True, help="The spec format's reference (docs/spec.md).")
def command(what: str, markdown: bool) -> int:
    """Print a JSON Schema (for editors through yaml-language-server, and for CI)."""
    if markdown:
        if what != "spec":
            raise click.UsageError("--markdown is the reference of the spec format only")
        from govkit.spec.docs import render_reference

        click.echo(render_reference(), nl=False)
        return ExitCode.CLEAN
    module, function = SCHEMAS[what]
    build: Callable[[], dict[str, Any]] = getattr(importlib.import_module(module), function)
    click.echo(json.dumps(build(), indent=2, sort_keys=True))
    return ExitCode.CLEAN
