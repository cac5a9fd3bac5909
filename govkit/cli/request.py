"""`govkit request`: add a grant to the right domain file, validated, as a reviewable diff."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import click

from govkit.cli.main import UserError
from govkit.cli.options import as_of, spec_dir
from govkit.diagnostics.formats import render_text
from govkit.edit.document import EditRefused
from govkit.edit.grants import GrantChange
from govkit.edit.request import Edit, GrantRequest, plan_request
from govkit.edit.write import unified_diff, write_changes
from govkit.exitcodes import ExitCode

_DURATION = re.compile(r"^(\d+)([dw])$")


def parse_duration(text: str) -> dt.timedelta:
    """`30d` or `6w` as a timedelta; anything else is a usage error."""
    found = _DURATION.match(text.strip())
    if found is None:
        raise click.BadParameter(f"{text!r} is not a duration such as 30d or 6w")
    days = int(found.group(1)) * (7 if found.group(2) == "w" else 1)
    return dt.timedelta(days=days)


def _privileges(ctx: click.Context, param: click.Parameter, value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    names = tuple(p.strip() for p in str(value).split(",") if p.strip())
    if not names:
        raise click.BadParameter("list at least one privilege, e.g. SELECT,USE_SCHEMA")
    return names


def _date(ctx: click.Context, param: click.Parameter, value: Any) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


def grant_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The options `request` and `revoke` share."""
    for option in reversed(
        [
            spec_dir,
            click.option("--principal", required=True, help="Declared name of the principal."),
            click.option(
                "--on",
                "on",
                required=True,
                metavar="CATALOG_OR_DOMAIN[.SCHEMA[.TABLE]]",
                help="The securable: a domain or catalog, optionally a schema and table in it.",
            ),
            click.option("--env", required=True, help="The environment."),
            click.option("--access", default=None, metavar="LEVEL", help="An access level."),
            click.option(
                "--privileges",
                default=None,
                callback=_privileges,
                metavar="P1,P2",
                help="Privileges, comma-separated (USE_SCHEMA,SELECT).",
            ),
            click.option(
                "--identities",
                default=None,
                metavar="FILE",
                help="An identities document, to name the people a group holds.",
            ),
            as_of,
        ]
    ):
        fn = option(fn)
    return fn


def describe(change: GrantChange, catalog: str, verb: str, identities: str | None) -> str:
    """One line per change in words, and the people it reaches when identities are known."""
    on = f"{change.target.type.value} {change.target.label(catalog)}"
    until = f", until {change.expires.isoformat()}" if change.expires else ""
    line = (
        f"{change.environment}: {change.principal} {verb} {', '.join(change.privileges)} "
        f"on {on}{until}\n"
    )
    if change.path:
        line += f"  with the path to it: {', '.join(change.path)}\n"
    if identities is not None:
        line += f"  {people(change.principal, identities)}\n"
    return line


def groups_of(principal: str, identities_file: str | None) -> tuple[str, ...]:
    """The groups `principal` belongs to, transitively, as the identities document says."""
    if identities_file is None:
        return ()
    from pathlib import Path

    from govkit.identity.document import IdentitiesFormatError, loads
    from govkit.identity.document import groups_of as member_of

    try:
        doc = loads(Path(identities_file).read_bytes())
    except (OSError, IdentitiesFormatError) as exc:
        raise UserError(f"{identities_file}: {exc}") from None
    return member_of(doc, principal)


def people(principal: str, identities_file: str) -> str:
    """Who a principal is, in people, from an identities document."""
    from pathlib import Path

    from govkit.identity.document import IdentitiesFormatError, expand_group, loads

    try:
        doc = loads(Path(identities_file).read_bytes())
    except (OSError, IdentitiesFormatError) as exc:
        raise UserError(f"{identities_file}: {exc}") from None
    if doc.group(principal) is None:
        kind = "a person" if "@" in principal else "a service principal or unknown to the document"
        return f"({principal} is {kind})"
    members = list(expand_group(doc, principal))
    users = sorted(m.name for m in members if m.kind == "user")
    sps = sum(1 for m in members if m.kind == "sp")
    text = f"that is {len(users)} {'person' if len(users) == 1 else 'people'}"
    text += f": {', '.join(users)}" if users else ""
    if sps:
        text += f"; and {sps} service principal{'s' * (sps != 1)}"
    return text


def finish(edit: Edit, verb: str, identities: str | None) -> int:
    """Print what an edit did (or why not), write it when valid, return the exit code."""
    if edit.refused:
        click.echo(render_text(list(edit.errors)), err=True, nl=False)
        click.echo("the result would be invalid; every file is unchanged", err=True)
        return ExitCode.ERROR
    if edit.note:
        held = replace(edit.change, expires=None) if edit.change is not None else None
        shown = describe(held, edit.catalog, "holds", None) if held and held.privileges else ""
        click.echo(shown + edit.note)
        return ExitCode.CLEAN
    write_changes(edit.changes)
    click.echo(unified_diff(edit.changes), nl=False)
    if edit.change is not None:
        click.echo(describe(edit.change, edit.catalog, verb, identities), nl=False)
    click.echo(render_text(list(edit.warnings)), err=True, nl=False)
    if edit.notice:
        click.echo(edit.notice, err=True)
    return ExitCode.CLEAN


@click.command("request")
@grant_options
@click.option("--reason", required=True, help="Why: the ticket the owner approves.")
@click.option("--expires", default=None, callback=_date, metavar="DATE", help="Last day.")
@click.option("--for", "duration", default=None, metavar="30d", help="Or a duration from today.")
def command(
    spec_dir: str,
    principal: str,
    on: str,
    env: str,
    access: str | None,
    privileges: tuple[str, ...] | None,
    identities: str | None,
    today: dt.date,
    reason: str,
    expires: dt.date | None,
    duration: str | None,
) -> int:
    """Grant access by editing the domain file in place, validated, and print the diff."""
    if (access is None) == (privileges is None):
        raise UserError("give exactly one of --access LEVEL or --privileges P1,P2")
    if expires is not None and duration is not None:
        raise UserError("give --expires DATE or --for DURATION, not both")
    if duration is not None:
        expires = today + parse_duration(duration)
    member_of = groups_of(principal, identities)
    request = GrantRequest(
        principal, on, env, access, privileges, reason.strip(), expires, member_of
    )
    try:
        edit = plan_request(spec_dir, request, today)
    except EditRefused as exc:
        raise UserError(f"{exc}; every file is unchanged") from None
    renews = edit.change is not None and edit.change.renews
    return finish(edit, "keeps (renewed)" if renews else "gains", identities)
