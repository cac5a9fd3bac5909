"""`govkit revoke`: the inverse of `govkit request`."""

from __future__ import annotations

import datetime as dt

import click

from govkit.cli.main import UserError
from govkit.cli.request import finish, grant_options
from govkit.edit.document import EditRefused
from govkit.edit.request import GrantRequest, plan_revoke


@click.command("revoke")
@grant_options
def command(
    spec_dir: str,
    principal: str,
    on: str,
    env: str,
    access: str | None,
    privileges: tuple[str, ...] | None,
    identities: str | None,
    today: dt.date,
) -> int:
    """Take access away (all of it on the securable without --access/--privileges)."""
    if access is not None and privileges is not None:
        raise UserError("give at most one of --access LEVEL or --privileges P1,P2")
    request = GrantRequest(principal, on, env, access, privileges)
    try:
        edit = plan_revoke(spec_dir, request, today)
    except EditRefused as exc:
        raise UserError(f"{exc}; every file is unchanged") from None
    return finish(edit, "loses", identities)
