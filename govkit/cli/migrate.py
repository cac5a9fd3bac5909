"""`govkit migrate`: from Hive metastores to Unity Catalog, as a plan reviewed like any change."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from govkit.cli.main import UserError
from govkit.cli.options import as_of
from govkit.exitcodes import ExitCode


@click.group("migrate")
def command() -> None:
    """Plan the move of Hive metastores to Unity Catalog (the Hive assessment document)."""


@command.command("plan")
@click.option(
    "--assessment",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The Hive assessment (govkit.hive/v1).",
)
@click.option(
    "--mapping",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Which database of which workspace becomes which domain and schema (YAML).",
)
@click.option(
    "--identities",
    "identities_file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The identities document: workspace groups map to the Entra ID group of their members.",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The new spec folder (holding govkit.yaml): domain files and migration SQL go here.",
)
@as_of
def plan_command(
    assessment: Path, mapping: Path, identities_file: Path, out: Path, today: dt.date
) -> int:
    """Write domain files and per-domain table-move SQL for the mapped Hive databases."""
    from govkit.diagnostics.formats import render_text, summary
    from govkit.edit.write import write_files
    from govkit.identity.document import IdentitiesFormatError
    from govkit.identity.document import loads as load_identities
    from govkit.migrate.document import HiveFormatError, loads
    from govkit.migrate.plan import plan

    def read(path: Path) -> bytes:
        try:
            return path.read_bytes()
        except OSError as exc:
            raise UserError(f"{path}: cannot read ({exc.strerror or exc})") from None

    try:
        doc = loads(read(assessment))
    except HiveFormatError as exc:
        raise UserError(f"{assessment}: {exc}") from None
    try:
        identities = load_identities(read(identities_file))
    except IdentitiesFormatError as exc:
        raise UserError(f"{identities_file}: {exc}") from None
    result = plan(doc, str(assessment), read(mapping), str(mapping), identities, str(out), today)
    if result.diagnostics:
        click.echo(render_text(result.diagnostics), nl=False, err=True)
    if not result.files:
        click.echo(f"govkit migrate plan: {summary(result.diagnostics)}; nothing written", err=True)
        return ExitCode.ERROR
    write_files(result.files)
    domains = sum(p.suffix == ".sql" for p in result.files)
    click.echo(
        f"{out}: planned {domains} domains, {result.tables} tables and views; "
        f"{result.waived} policy findings waived as imported "
        f"({result.users} people keep Hive grants of their own); "
        f"{result.grants_untranslated} Hive grants have no Unity Catalog counterpart"
    )
    return ExitCode.CLEAN
