"""`govkit identities`: read Entra ID through Microsoft Graph, and check the spec against it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from govkit.cli.files import write_atomically
from govkit.cli.options import as_of, spec_dir
from govkit.cli.shared import require_valid
from govkit.exitcodes import ExitCode

if TYPE_CHECKING:
    from govkit.identity.graph import GraphRead
    from govkit.spec.build import Spec

graph_url = click.option(
    "--graph-url",
    envvar="GOVKIT_GRAPH_URL",
    metavar="URL",
    help="Microsoft Graph base URL (default https://graph.microsoft.com/v1.0).",
)
auth = click.option(
    "--auth",
    type=click.Choice(["client-secret", "certificate", "workload-identity", "azure-cli"]),
    help="azure-identity flow (default: GOVKIT_GRAPH_TOKEN if set, else workload identity "
    "when AZURE_FEDERATED_TOKEN_FILE is set, else the Azure CLI).",
)
concurrency = click.option(
    "--concurrency", type=click.IntRange(1, 16), default=4, show_default=True,
    help="$batch requests in flight at once.",
)  # fmt: skip


@click.group("identities")
def command() -> None:
    """Entra ID groups, members and service principals (the identities document)."""


@command.command("pull")
@spec_dir
@click.option("--source", type=click.Choice(["graph"]), default="graph", show_default=True)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@graph_url
@auth
@concurrency
@as_of
def pull_command(
    spec_dir: str,
    source: str,
    out: Path,
    graph_url: str | None,
    auth: str | None,
    concurrency: int,
    today: dt.date,
) -> int:
    """Read every declared group, its members, service principal and user; exit 1 if incomplete."""
    from govkit.identity.document import dumps

    validated = require_valid(spec_dir, today)
    assert validated.spec is not None  # require_valid stopped otherwise
    read = _pull(validated.spec, graph_url, auth, concurrency)
    write_atomically(out, dumps(read.identities))
    for warning in read.warnings:
        click.echo(f"warning: {warning}", err=True)
    doc = read.identities
    counts = (
        f"{len(doc.groups)} groups, {len(doc.users)} users, "
        f"{len(doc.service_principals)} service principals, {read.requests} requests"
    )
    if doc.complete:
        click.echo(f"{out}: {counts}, complete", err=True)
        return ExitCode.CLEAN
    click.echo(f"{out}: {counts}, INCOMPLETE: {len(doc.errors)} could not be read", err=True)
    for error in doc.errors:
        click.echo(f"{error.item}: {error.message}", err=True)
    return ExitCode.ERROR


def _pull(spec: Spec, graph_url: str | None, auth: str | None, concurrency: int) -> GraphRead:
    """Read from Graph; a missing extra or an unusable credential is a one-line error."""
    from govkit.cli.main import UserError
    from govkit.identity.batching import BatchSettings
    from govkit.identity.credentials import CredentialError, MissingExtra
    from govkit.identity.pull import pull, targets_from_spec

    try:
        return pull(
            targets_from_spec(spec), graph_url, auth, BatchSettings(concurrency=concurrency)
        )
    except (MissingExtra, CredentialError) as exc:
        raise UserError(str(exc)) from None
