"""`govkit expire`: grants past or near expiry; `--write` removes the expired ones."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from govkit.cli.main import UserError
from govkit.cli.options import as_of, spec_dir
from govkit.cli.request import parse_duration
from govkit.cli.shared import InvalidSpec
from govkit.diagnostics import Severity, locate
from govkit.diagnostics.formats import render_text
from govkit.edit.document import EditRefused
from govkit.edit.expire import Expiring, find_expiring, plan_removal
from govkit.edit.write import unified_diff, write_changes
from govkit.exitcodes import ExitCode


def _line(item: Expiring, where: str, today: dt.date) -> str:
    envs = ", ".join(item.environments)
    what = (
        f"{item.principal}: {', '.join(item.privileges)} on {item.securable_type} {item.securable}"
    )
    if item.kept_by_waiver is not None:
        when = f"expired {item.expires} (kept: waiver GOV210 until {item.kept_by_waiver})"
    elif item.expired:
        when = f"expired {item.expires}"
    else:
        days = (item.expires - today).days
        when = f"expires {item.expires}, in {days} day{'s' * (days != 1)}"
    reason = f" [{item.reason}]" if item.reason else ""
    return f"{where}: {when}: {what} ({envs}){reason}"


@click.command("expire")
@spec_dir
@click.option("--within", default="30d", show_default=True, help="How far ahead to look.")
@click.option("--write", is_flag=True, help="Remove the expired entries from the spec files.")
@as_of
def command(spec_dir: str, within: str, write: bool, today: dt.date) -> int:
    """List grants past or near expiry (exit 2 when any); --write removes the expired ones."""
    from govkit.resolve import resolve
    from govkit.spec.build import load_spec

    horizon = parse_duration(within)
    loaded = load_spec(spec_dir)
    if loaded.spec is None:
        errors = [d for d in loaded.diagnostics if d.severity is Severity.ERROR]
        raise InvalidSpec(render_text(locate(errors, loaded.sources)) + "nothing done\n")
    items = find_expiring(resolve(loaded.spec, today), today, horizon)
    for item in items:
        line, col = loaded.sources.position(item.file, (*item.path, "expires"), False)
        click.echo(_line(item, f"{item.file}:{line}:{col}", today))
    if write:
        sources = {f: Path(f).read_bytes() for f in {i.file for i in items if i.removable}}
        try:
            removal = plan_removal(spec_dir, sources, items, today)
        except EditRefused as exc:
            raise UserError(f"{exc}; every file is unchanged") from None
        if removal.errors:
            click.echo(render_text(list(removal.errors)), err=True, nl=False)
            click.echo("the result would be invalid; every file is unchanged", err=True)
            return ExitCode.ERROR
        write_changes(removal.changes)
        click.echo(unified_diff(removal.changes), nl=False)
    removable = sum(1 for i in items if i.removable)
    click.echo(
        f"{spec_dir}: {sum(i.expired for i in items)} expired ({removable} to remove), "
        f"{sum(not i.expired for i in items)} expiring within {within}",
        err=True,
    )
    actionable = [i for i in items if i.kept_by_waiver is None]
    return ExitCode.CHANGES if actionable else ExitCode.CLEAN
