"""`govkit onboard`: a new team's domain file and principal entries, valid at once."""

from __future__ import annotations

import datetime as dt

import click

from govkit.cli.main import UserError
from govkit.cli.options import as_of
from govkit.cli.root import SPEC, from_root
from govkit.diagnostics.formats import render_text
from govkit.edit.document import EditRefused
from govkit.edit.write import unified_diff, write_changes
from govkit.exitcodes import ExitCode
from govkit.repository.onboard import Team, plan_onboarding


def _csv(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[str, ...] | None:
    return None if value is None else tuple(v.strip() for v in value.split(",") if v.strip())


@click.command("onboard")
@click.argument("domain")
@click.option("--owner", required=True, metavar="GROUP", help="The accountable owner group.")
@click.option("--spec", "spec_dir", default=SPEC, show_default=True, callback=from_root)
@click.option("--environments", default=None, callback=_csv, metavar="dev,staging,prod")
@click.option("--etl-principal", default=None, metavar="NAME", help="The team's ETL principal.")
@click.option("--application-id", default=None, metavar="ID", help="Its application id.")
@click.option("--github-team", default=None, metavar="@ORG/TEAM", help="Approves its changes.")
@click.option("--description", default="", help="One line about the domain.")
@as_of
def command(
    domain: str,
    owner: str,
    spec_dir: str,
    environments: tuple[str, ...] | None,
    etl_principal: str | None,
    application_id: str | None,
    github_team: str | None,
    description: str,
    today: dt.date,
) -> int:
    """Scaffold DOMAIN: its domain file and principal entries, validated before writing."""
    team = Team(
        domain, owner, environments, etl_principal, application_id, github_team, description
    )
    try:
        onboarding = plan_onboarding(spec_dir, team, today)
    except EditRefused as exc:
        raise UserError(f"{exc}; every file is unchanged") from None
    if onboarding.errors:
        click.echo(render_text(list(onboarding.errors)), err=True, nl=False)
        click.echo("the result would be invalid; every file is unchanged", err=True)
        return ExitCode.ERROR
    write_changes(onboarding.changes)
    click.echo(unified_diff(onboarding.changes), nl=False)
    click.echo(
        f"onboarded {domain}: next, `govkit compile {spec_dir}` and `govkit codeowners "
        f"{spec_dir}`, then open a pull request",
        err=True,
    )
    return ExitCode.CLEAN
