"""`govkit diff`: the access change between two git revisions, in plain words."""

from __future__ import annotations

import datetime as dt

import click

from govkit.cli.guard import allow_destructive, report
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
@allow_destructive
@as_of
def command(
    spec_dir: str,
    base: str,
    head: str | None,
    identities: str | None,
    lives: tuple[str, ...],
    fmt: str,
    reason: str | None,
    today: dt.date,
) -> int:
    """State the access change between REF and the work tree (or --head): exit 0 none, 2 some.

    In a protected environment, a change that revokes too many grants, removes a catalog or
    changes a catalog's owner exits 1 unless --allow-destructive REASON is given.
    """
    from govkit.cli.drift import _read_live_file
    from govkit.diff.render import RENDERERS
    from govkit.diff.report import SideError, access_diff, destructive_between
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
        raise UserError(str(exc)) from None
    labels = (base, head or "work tree")
    loads = sides(spec_dir, before, after)
    try:
        diff = access_diff(spec_dir, loads, labels, today, people, states)
        destructive = list(diff.destructive)
        if destructive and loads.scoped:
            # Only the changed domains were loaded: judge the share against whole environments.
            whole = sides(spec_dir, before, after, scope=False)
            destructive = destructive_between(spec_dir, whole, labels, today)
    except SideError as exc:
        raise InvalidSpec(render_text(exc.diagnostics) + f"{exc}; nothing compared\n") from None
    click.echo(RENDERERS[fmt](diff), nl=False)
    # After the diff, so that a refused change is still shown in full.
    report(destructive, reason)
    useless = [d for d in diff.introduced if d.code == INEFFECTIVE]
    if useless:
        click.echo(render_text(useless), err=True, nl=False)
        click.echo(
            f"govkit diff: {head or 'the work tree'} adds {len(useless)} grant(s) that do nothing "
            f"({INEFFECTIVE}); a change may not add one (grant the path with `govkit request`, "
            f"or set `rules: {{{INEFFECTIVE}: off}}` in the organisation file)",
            err=True,
        )
        return ExitCode.ERROR
    return ExitCode.CHANGES if diff.changed else ExitCode.CLEAN


# A grant without the path to it (policy GOV207): a warning where it already is, so that an
# expiry elsewhere cannot block every change, but never added by a change under review.
INEFFECTIVE = "GOV207"
