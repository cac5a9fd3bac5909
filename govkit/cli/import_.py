"""`govkit import`: adopt a live metastore into a spec folder and Terraform import blocks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from govkit.cli.compile import DEFAULT_MODULES, provide_modules
from govkit.cli.options import as_of
from govkit.cli.root import from_root
from govkit.exitcodes import ExitCode


def _workspaces(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[int, ...]:
    if not value:
        return ()
    try:
        return tuple(sorted({int(w) for w in value.split(",") if w.strip()}))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a list of workspace ids (1001,1002)") from None


@click.command("import")
@click.option("--env", "env", required=True, help="The environment the State belongs to.")
@click.option(
    "--source",
    required=True,
    metavar="workspace|warehouse|FILE.json",
    help="Read live (REST or SQL warehouse) or from a State document (govkit snapshot).",
)
@click.option("--warehouse-id", envvar="GOVKIT_WAREHOUSE_ID", help="For --source warehouse.")
@click.option(
    "--identities",
    metavar="scim|none|FILE.json",
    help="Who is a group, a service principal or a user (default: scim for a live source, "
    "else the shapes of the names).",
)
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--terraform",
    "terraform_out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also compile the stacks here (replaced), each with its imports.tf.json.",
)
@click.option("--modules", default=DEFAULT_MODULES, show_default=True, callback=from_root)
@click.option("--merge", is_flag=True, help="Add the environment to the spec in --out.")
@click.option("--force", is_flag=True, help="Replace the spec in --out.")
@click.option("--allow-incomplete", is_flag=True, help="Import a State with read errors.")
@click.option("--catalog-name", "template", help='Naming template, e.g. "{domain}_{env}".')
@click.option(
    "--workspaces",
    callback=_workspaces,
    help="The environment's workspace ids; only catalogs bound to one of them are imported.",
)
@click.option("--catalog", "catalogs", multiple=True, help="Import only this catalog (repeatable).")
@click.option(
    "--account-host",
    envvar="GOVKIT_ACCOUNT_HOST",
    help="Read service principals and their workspace assignments from the account, so that "
    "the account-level stacks are imported too.",
)
@click.option("--account-id", envvar="DATABRICKS_ACCOUNT_ID", help="With --account-host.")
@click.option("--waiver-days", default=90, show_default=True, type=click.IntRange(1, 3650))
@as_of
def command(
    env: str,
    source: str,
    warehouse_id: str | None,
    identities: str | None,
    out: Path,
    terraform_out: Path | None,
    modules: str,
    merge: bool,
    force: bool,
    allow_incomplete: bool,
    template: str | None,
    workspaces: tuple[int, ...],
    catalogs: tuple[str, ...],
    account_host: str | None,
    account_id: str | None,
    waiver_days: int,
    today: dt.date,
) -> int:
    """Write spec files (and Terraform import blocks) that adopt ENV as it is."""
    from govkit.adopt.run import ImportRequest, run_import
    from govkit.cli.main import UserError

    if terraform_out is not None:
        provide_modules(modules)
    request = ImportRequest(
        env=env,
        source=source,
        warehouse_id=warehouse_id,
        identities=identities,
        out=out,
        terraform_out=terraform_out,
        modules=modules,
        merge=merge,
        force=force,
        allow_incomplete=allow_incomplete,
        template=template,
        workspaces=workspaces,
        catalogs=catalogs,
        account_host=account_host,
        account_id=account_id,
        waiver_days=waiver_days,
        today=today,
    )
    try:
        result = run_import(request)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    for d in result.diagnostics:
        click.echo(d.text(), err=True)
    for line in result.summary:
        click.echo(line, err=True)
    return ExitCode.CLEAN if result.ok else ExitCode.ERROR
