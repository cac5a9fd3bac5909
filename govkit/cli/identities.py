"""`govkit identities`: read Entra ID through Microsoft Graph, and check the spec against it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from govkit.cli.files import write_atomically
from govkit.cli.options import as_of, spec_dir
from govkit.cli.shared import require_valid
from govkit.diagnostics.formats import RENDERERS
from govkit.exitcodes import ExitCode

if TYPE_CHECKING:
    from govkit.identity.account import AccountPrincipals
    from govkit.identity.document import Identities
    from govkit.identity.graph import GraphRead
    from govkit.resolve import DesiredEnvironment
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
@click.option(
    "--cache",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Delta cache: read only what changed since the run that wrote it (a nightly job).",
)
@graph_url
@auth
@concurrency
@as_of
def pull_command(
    spec_dir: str,
    source: str,
    out: Path,
    cache: Path | None,
    graph_url: str | None,
    auth: str | None,
    concurrency: int,
    today: dt.date,
) -> int:
    """Read every declared group, its members, service principal and user; exit 1 if incomplete."""
    from govkit.identity.document import dumps

    spec, _ = _valid(spec_dir, today)
    read = _pull(spec, graph_url, auth, concurrency, cache)
    warnings = [*_missing_groups(read, len(spec.groups)), *read.warnings]
    write_atomically(out, dumps(read.identities))
    if cache is not None and read.cache_text is not None:
        write_atomically(cache, read.cache_text)
    for warning in warnings:
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


def _missing_groups(read: GraphRead, declared: int) -> list[str]:
    """No declared group in the directory is an error (the wrong tenant, most likely); some
    missing, a warning: the document is complete, and `identities check` reports each."""
    from govkit.cli.main import UserError

    missing = read.missing_groups
    wrong = _wrong_tenant(read, declared)
    if wrong:
        raise UserError(f"{wrong}; nothing written")
    if not missing:
        return []
    return [
        f"{len(missing)} of {declared} declared groups do not exist in Microsoft Graph: "
        f"{', '.join(missing)} (GOV406 in `govkit identities check`)"
    ]


def _wrong_tenant(read: GraphRead, declared: int) -> str | None:
    """What to say when not one declared group exists in the directory read."""
    missing = read.missing_groups
    if not declared or len(missing) != declared:
        return None
    what = (
        f"the one declared group, {missing[0]}, does not exist"
        if declared == 1
        else f"none of the {declared} declared groups exists"
    )
    return (
        f"{what} in Microsoft Graph: most likely the wrong tenant; hint: check the tenant "
        "of the credentials (AZURE_TENANT_ID, or the token in GOVKIT_GRAPH_TOKEN) and "
        "--graph-url"
    )


def _valid(spec_dir: str, today: dt.date) -> tuple[Spec, tuple[DesiredEnvironment, ...]]:
    validated = require_valid(spec_dir, today)
    assert validated.spec is not None  # require_valid stopped otherwise
    return validated.spec, validated.environments


def _pull(
    spec: Spec, graph_url: str | None, auth: str | None, concurrency: int, cache: Path | None = None
) -> GraphRead:
    """Read from Graph; a missing extra or an unusable credential is a one-line error."""
    from govkit.cli.main import UserError
    from govkit.identity.batching import BatchSettings, GraphUnreachable
    from govkit.identity.credentials import CredentialError, MissingExtra
    from govkit.identity.pull import pull, targets_from_spec

    try:
        settings = BatchSettings(concurrency=concurrency)
        return pull(targets_from_spec(spec), graph_url, auth, settings, cache)
    except (MissingExtra, CredentialError, GraphUnreachable) as exc:
        raise UserError(str(exc)) from None


@command.command("check")
@spec_dir
@click.option(
    "--identities",
    "identities",
    required=True,
    metavar="graph|FILE",
    help="Read Microsoft Graph now, or an identities document (govkit identities pull).",
)
@click.option(
    "--format", "fmt", type=click.Choice(sorted(RENDERERS)), default="text", show_default=True
)
@click.option(
    "--databricks",
    is_flag=True,
    help="Also check that every declared group and service principal is an account-level "
    "principal, through databricks-sdk (DATABRICKS_HOST and its unified auth): the account's "
    "SCIM on an account host (with its account id), else the workspace's.",
)
@graph_url
@auth
@concurrency
@as_of
def check_command(
    spec_dir: str,
    identities: str,
    fmt: str,
    databricks: bool,
    graph_url: str | None,
    auth: str | None,
    concurrency: int,
    today: dt.date,
) -> int:
    """Check the spec against Entra ID (GOV406-GOV416); exit 1 on an error or partial data."""
    from govkit.diagnostics import has_errors, locate
    from govkit.diagnostics.formats import summary
    from govkit.policy.directory_check import check_directory
    from govkit.spec.build import load_spec

    spec, environments = _valid(spec_dir, today)
    if identities == "graph":
        source = "Microsoft Graph"
        read = _pull(spec, graph_url, auth, concurrency)
        wrong = _wrong_tenant(read, len(spec.groups))
        for warning in [*([wrong] if wrong else []), *read.warnings]:
            click.echo(f"warning: {warning}", err=True)
        doc = read.identities
    else:
        source, doc = identities, _load(identities)
    account = _account() if databricks else None
    found = check_directory(spec, environments, today, doc, source, account)
    diagnostics = locate(found, load_spec(spec_dir).sources)
    click.echo(RENDERERS[fmt](diagnostics), nl=False)
    if fmt == "text":
        click.echo(f"{spec_dir}: {summary(diagnostics)} against {source}", err=True)
    return ExitCode.ERROR if has_errors(diagnostics) else ExitCode.CLEAN


def _load(path: str) -> Identities:
    from govkit.cli.main import UserError
    from govkit.identity.document import IdentitiesFormatError, loads

    try:
        return loads(Path(path).read_bytes())
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}") from None
    except IdentitiesFormatError as exc:
        raise UserError(f"{path}: {exc}") from None


def _account() -> AccountPrincipals:
    from govkit.cli.main import UserError
    from govkit.identity.account import read_account_principals
    from govkit.live.client import ClientConfigError, make_client

    try:
        return read_account_principals(make_client())
    except ClientConfigError as exc:
        raise UserError(f"--databricks: {exc}") from None
