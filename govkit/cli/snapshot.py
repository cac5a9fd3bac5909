"""`govkit snapshot`: write the live State of one environment to a file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from govkit.cli.files import write_atomically
from govkit.cli.options import as_of, spec_dir
from govkit.cli.shared import require_valid, select_environments
from govkit.exitcodes import ExitCode
from govkit.privileges import SecurableType
from govkit.state import State, dumps


def _report(state: State, out: Path) -> None:
    counts = f"{len(state.securables)} securables"
    if state.complete:
        click.echo(f"{out}: {state.environment} from {state.source}, {counts}, complete", err=True)
        return
    click.echo(
        f"{out}: {state.environment} from {state.source}, {counts}, INCOMPLETE: "
        f"{len(state.errors)} could not be read",
        err=True,
    )
    for e in state.errors:
        click.echo(f"{e.securable}: {e.message}", err=True)


@click.command("snapshot")
@spec_dir
@click.option("--env", "env", required=True, help="The environment to snapshot.")
@click.option(
    "--source",
    type=click.Choice(["workspace", "warehouse"]),
    default="workspace",
    show_default=True,
    help="REST calls per securable, or SQL over information_schema on a warehouse.",
)
@click.option(
    "--warehouse-id", envvar="GOVKIT_WAREHOUSE_ID", help="SQL warehouse for --source warehouse."
)
@click.option("--catalog", "catalogs", multiple=True, help="Read this catalog (repeatable).")
@click.option(
    "--all",
    "include_all",
    is_flag=True,
    help="Add every catalog, storage credential and external location the caller can see.",
)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@as_of
def command(
    spec_dir: str,
    env: str,
    source: str,
    warehouse_id: str | None,
    catalogs: tuple[str, ...],
    include_all: bool,
    out: Path,
    today: dt.date,
) -> int:
    """Read the live metastore into a State document; exit 1 when it is incomplete."""
    from govkit.cli.main import UserError
    from govkit.live import WarehouseRequired, read_live
    from govkit.live.client import ClientConfigError

    validated = require_valid(spec_dir, today)
    (environment,) = select_environments(validated.environments, env)
    scope = list(catalogs) or [
        s.name for s in environment.state.securables if s.type is SecurableType.CATALOG
    ]
    try:
        state = read_live(
            "warehouse" if source == "warehouse" else "workspace",
            environment=env,
            catalogs=scope,
            # With --catalog, only those catalogs; else the environment's storage too.
            storage=() if catalogs else [(s.type.value, s.name) for s in environment.storage],
            include_all=include_all,
            warehouse_id=warehouse_id,
        )
    except (ClientConfigError, WarehouseRequired) as exc:
        raise UserError(str(exc)) from None
    write_atomically(out, dumps(state))
    _report(state, out)
    return ExitCode.CLEAN if state.complete else ExitCode.ERROR
