"""`govkit diff`: the access change between two git revisions, in plain words."""

from __future__ import annotations

import datetime as dt

import click

from govkit.cli.inputs import check_state, read_identities
from govkit.cli.main import UserError
from govkit.cli.options import as_of, spec_dir
from govkit.cli.shared import InvalidSpec
from govkit.diagnostics.formats import render_text
from govkit.exitcodes import ExitCode


@click.command("diff")
@spec_dir
@click.option("--base", required=True, metavar="REF", help="Git revision before the change.")
@click.option(
    "--head", default=None, metavar="REF", help="Git revision after (default: work tree)."
)
@click.option("--identities", default=None, metavar="FILE", help="Identities document: people.")
@click.option(
    "--live",
    "lives",
    multiple=True,
    metavar="FILE.json",
    help="A live State (repeatable): the grants an authoritative apply would revoke.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text")
@as_of
def command(
    spec_dir: str,
    base: str,
    head: str | None,
    identities: str | None,
    lives: tuple[str, ...],
    fmt: str,
    today: dt.date,
) -> int:
    """State the access change between REF and the work tree (or --head): exit 0 none, 2 some."""
    from govkit.cli.drift import _read_live_file
    from govkit.diff.render import RENDERERS
    from govkit.diff.report import SideError, access_diff
    from govkit.diff.revision import RevisionError, files_at, files_on_disk, sides

    people = read_identities(identities) if identities else None
    if people is not None and not people.complete:
        raise UserError(f"{identities}: identities document is incomplete; people would be missing")
    states = []
    for source in lives:
        state = _read_live_file(source)
        check_state(state, state.environment or "", source)
        states.append(state)
    try:
        before = files_at(spec_dir, base)
        after = files_at(spec_dir, head) if head else files_on_disk(spec_dir)
    except RevisionError as exc:
        raise UserError(f"git: {exc}") from None
    labels = (base, head or "work tree")
    try:
        diff = access_diff(spec_dir, sides(spec_dir, before, after), labels, today, people, states)
    except SideError as exc:
        raise InvalidSpec(render_text(exc.diagnostics) + f"{exc}; nothing compared\n") from None
    click.echo(RENDERERS[fmt](diff), nl=False)
    return ExitCode.CHANGES if diff.changed else ExitCode.CLEAN
