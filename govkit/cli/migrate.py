"""`govkit migrate`: from Hive metastores to Unity Catalog, as a plan reviewed like any change."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from govkit.cli.main import UserError
from govkit.cli.options import as_of
from govkit.exitcodes import ExitCode

if TYPE_CHECKING:
    from govkit.diagnostics import Diagnostic
    from govkit.identity.document import Identities
    from govkit.migrate.document import HiveAssessment
    from govkit.state import State

F = TypeVar("F", bound=Callable[..., Any])
_FILE = click.Path(dir_okay=False, path_type=Path)


def _inputs(f: F) -> F:
    """The options every migrate command reads: assessment, mapping, identities."""
    for option in reversed((
        click.option("--assessment", required=True, type=_FILE,
                     help="The Hive assessment (govkit.hive/v1)."),
        click.option("--mapping", required=True, type=_FILE,
                     help="Which database of which workspace becomes which domain and schema."),
        click.option("--identities", "identities_file", required=True, type=_FILE,
                     help="The identities document: a workspace group maps to the Entra ID "
                     "group of its members."),
    )):  # fmt: skip
        f = option(f)
    return f


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror or exc})") from None


def _documents(assessment: Path, identities_file: Path) -> tuple[HiveAssessment, Identities]:
    from govkit.identity.document import IdentitiesFormatError
    from govkit.identity.document import loads as load_identities
    from govkit.migrate.document import HiveFormatError, loads

    try:
        doc = loads(_read(assessment))
    except HiveFormatError as exc:
        raise UserError(f"{assessment}: {exc}") from None
    try:
        return doc, load_identities(_read(identities_file))
    except IdentitiesFormatError as exc:
        raise UserError(f"{identities_file}: {exc}") from None


def _state(path: Path) -> State:
    from govkit.state import StateFormatError
    from govkit.state import loads as load_state

    try:
        state = load_state(_read(path))
    except StateFormatError as exc:
        raise UserError(f"{path}: {exc}") from None
    if not state.complete or state.environment is None:
        raise UserError(f"{path}: the State is incomplete or names no environment")
    return state


def _report(diagnostics: list[Diagnostic], mapping: Path, raw: bytes) -> None:
    from govkit.diagnostics import locate
    from govkit.diagnostics.formats import render_text
    from govkit.spec.loader import SourceIndex

    located = locate(diagnostics, SourceIndex({str(mapping): raw}))
    click.echo(render_text(located), nl=False, err=True)


@click.group("migrate")
def command() -> None:
    """Plan the move of Hive metastores to Unity Catalog, and follow its progress."""


@command.command("plan")
@_inputs
@click.option(
    "--out", required=True, type=click.Path(file_okay=False, path_type=Path),
    help="The new spec folder (holding govkit.yaml): domain files and migration SQL go here.",
)  # fmt: skip
@as_of
def plan_command(
    assessment: Path, mapping: Path, identities_file: Path, out: Path, today: dt.date
) -> int:
    """Write domain files and per-domain table-move SQL for the mapped Hive databases."""
    from govkit.diagnostics.formats import render_text, summary
    from govkit.edit.write import write_files
    from govkit.migrate.plan import plan

    doc, identities = _documents(assessment, identities_file)
    result = plan(doc, str(assessment), _read(mapping), str(mapping), identities, str(out), today)
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


@command.command("status")
@_inputs
@click.option(
    "--spec", "spec_dir", default=".", show_default=True, type=click.Path(file_okay=False),
    help="The spec folder (its govkit.yaml).",
)  # fmt: skip
@click.option("--state", "state_file", required=True, type=_FILE,
              help="A State document of one environment (govkit snapshot --out).")  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def status_command(
    assessment: Path, mapping: Path, identities_file: Path, spec_dir: str, state_file: Path,
    fmt: str,
) -> int:  # fmt: skip
    """Per domain: Hive tables moved and translated grants in place, in the State's environment.
    Exit 0 when all is moved, 2 while some is left."""
    from govkit.diagnostics import has_errors
    from govkit.migrate.mapping import parse
    from govkit.migrate.plan import spec_of
    from govkit.migrate.status import status

    doc, identities = _documents(assessment, identities_file)
    state = _state(state_file)
    raw = _read(mapping)
    parsed, problems = parse(str(mapping), raw)
    spec = spec_of(spec_dir)
    if parsed is None or spec.organisation is None:
        _report(problems + spec.diagnostics, mapping, raw)
        return ExitCode.ERROR
    rows, of = status(doc, parsed, str(mapping), identities, spec.organisation, state)
    if has_errors(of.diagnostics):
        _report(of.diagnostics, mapping, raw)
        return ExitCode.ERROR
    if fmt == "json":
        payload = {"environment": state.environment, "domains": [asdict(r) for r in rows]}
        click.echo(json.dumps(payload, indent=2))
    else:
        click.echo(f"environment {state.environment}")
        click.echo(f"{'domain':<20}{'tables moved':>16}{'grants in place':>18}")
        for r in rows:
            moved, placed = f"{r.tables_moved}/{r.tables}", f"{r.grants_in_place}/{r.grants}"
            click.echo(f"{r.domain:<20}{moved:>16}{placed:>18}")
    return ExitCode.CLEAN if all(r.done for r in rows) else ExitCode.CHANGES
