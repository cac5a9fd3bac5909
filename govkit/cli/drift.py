"""`govkit drift`: the declared spec against the live metastore, explained, fail-closed."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import click

from govkit.cli import colour
from govkit.cli.files import write_atomically
from govkit.cli.main import UserError
from govkit.cli.options import as_of, spec_dir
from govkit.cli.shared import check_environment_early, require_valid, select_environments
from govkit.drift import DriftOptions, DriftReport, diff_states
from govkit.drift.check import LiveStateError, check_live
from govkit.drift.desired import desired_side, ignored_principals, spec_index
from govkit.drift.explain import (
    AUDIT_SQL,
    AuditEvent,
    AuditFormatError,
    explain,
    parse_audit_text,
    rows_to_events,
)
from govkit.drift.patch import emit_yaml
from govkit.drift.remediate import emit_absent_tables, emit_sql
from govkit.drift.render import RENDERERS
from govkit.exitcodes import ExitCode
from govkit.live.ahead import LiveReadError, ReadAhead
from govkit.privileges import SecurableType
from govkit.resolve import DesiredEnvironment
from govkit.spec.build import Spec
from govkit.state import State, StateFormatError, loads

LIVE_SOURCES = ("workspace", "warehouse")


def _read_text(path: str, what: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UserError(f"cannot read {what} {path}: {reason}") from None


def _read_live_file(path: str) -> State:
    try:
        return loads(_read_text(path, "live state file"))
    except StateFormatError as exc:
        raise UserError(f"{path}: {exc}") from None


@contextlib.contextmanager
def reading_ahead(
    source: str | None,
    env: str,
    warehouse_id: str | None,
    include_all: bool = False,
    spec_dir: str | None = None,
) -> Iterator[ReadAhead | None]:
    """The live read of the workspace or a SQL warehouse, started now in a process of its own,
    so that it runs while the spec is validated; None for a file. The process ends with the
    block. With `spec_dir`, an environment its organisation file does not declare is refused
    first, rather than after the reader has spent seconds signing in."""
    if source not in LIVE_SOURCES:
        yield None
        return
    if spec_dir is not None:
        check_environment_early(spec_dir, env)
    if source == "warehouse" and not warehouse_id:
        raise UserError("--source warehouse needs --warehouse-id (or DATABRICKS_WAREHOUSE_ID)")
    with ReadAhead(source, env, include_all, warehouse_id) as ahead:
        yield ahead


def finish_live_read(ahead: ReadAhead, env: DesiredEnvironment) -> State:
    catalogs = tuple(s.name for s in env.state.securables if s.type.value == "catalog")
    try:
        storage = [(s.type.value, s.name) for s in env.storage]
        return ahead.read(catalogs, storage, dict(env.hosts))
    except LiveReadError as exc:
        raise UserError(str(exc)) from None


def _refuse_unread_types(source: str, environment: DesiredEnvironment) -> None:
    """Fail closed on what the warehouse reader does not read yet: it would report every
    declared volume missing, and the next apply creates none of them (they exist)."""
    volumes = [s.name for s in environment.securables if s.type is SecurableType.VOLUME]
    if source == "warehouse" and volumes:
        raise UserError(
            f"the warehouse reader does not read volumes yet, and {environment.name} declares "
            f"{len(volumes)} ({volumes[0]}{', ...' if len(volumes) > 1 else ''}); "
            "nothing was compared. Hint: read with --source workspace."
        )


def _audit_events(audit: str, days: int, warehouse_id: str | None) -> list[AuditEvent]:
    if audit != "warehouse":
        try:
            return parse_audit_text(_read_text(audit, "audit file"))
        except AuditFormatError as exc:
            raise UserError(f"{audit}: {exc}") from None
    if not warehouse_id:
        raise UserError("--audit warehouse needs --warehouse-id (or DATABRICKS_WAREHOUSE_ID)")
    from databricks.sdk.errors.base import DatabricksError

    from govkit.live.client import ClientConfigError, make_client
    from govkit.live.statements import StatementFailed, run_statement

    since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=days)
    params = {"since": since.strftime("%Y-%m-%dT%H:%M:%SZ")}
    try:
        rows = run_statement(make_client(), warehouse_id, AUDIT_SQL, params)
    except (ClientConfigError, StatementFailed, DatabricksError, ValueError, OSError) as exc:
        raise UserError(f"reading system.access.audit failed: {exc}") from None
    return rows_to_events(rows)


def _write(text: str, path: str | None) -> None:
    if path is None:
        click.echo(text, nl=False)
        return
    try:
        write_atomically(Path(path), text)
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None


def _remediation(
    kind: str, report: DriftReport, spec: Spec, env: DesiredEnvironment, today: dt.date
) -> str:
    if kind == "sql":
        return emit_sql(report)
    if kind == "absent-tables":
        return emit_absent_tables(report)
    from govkit.drift.adopt import checker
    from govkit.spec.loader import load_files

    check = checker(load_files(spec.root), spec.root, today)
    return emit_yaml(report, spec_index(spec, env), check)


@click.command("drift")
@spec_dir
@click.option("--env", "env", required=True, help="The environment to check.")
@click.option(
    "--source",
    default="workspace",
    show_default=True,
    metavar="workspace|warehouse|FILE.json",
    help="Where the live state comes from: the REST API, a SQL warehouse, or a State file.",
)
@click.option(
    "--format", "fmt", type=click.Choice(sorted(RENDERERS)), default="text", show_default=True
)
@click.option(
    "--all",
    "include_all",
    is_flag=True,
    help="Report unmanaged securables outside managed catalogs.",
)
@click.option(
    "--audit",
    default=None,
    metavar="warehouse|FILE",
    help="Explain changes from system.access.audit (JSON lines or a JSON list of rows).",
)
@click.option("--audit-days", type=click.IntRange(1, 365), default=30, show_default=True)
@click.option("--warehouse-id", envvar="DATABRICKS_WAREHOUSE_ID", default=None)
@click.option(
    "--emit",
    type=click.Choice(["sql", "yaml", "absent-tables"]),
    default=None,
    help="sql: statements that restore the spec; yaml: a spec patch adopting the live state; "
    "absent-tables: the declared tables not live yet, for each stack's absent_tables.json.",
)
@click.option(
    "--emit-file",
    default=None,
    metavar="FILE",
    help="Write the --emit output here and the report to stdout (default: --emit replaces it).",
)
@as_of
def command(
    spec_dir: str,
    env: str,
    source: str,
    fmt: str,
    include_all: bool,
    audit: str | None,
    audit_days: int,
    warehouse_id: str | None,
    emit: str | None,
    emit_file: str | None,
    today: dt.date,
) -> int:
    """Compare the declared spec with the live metastore: exit 0 clean, 2 drift, 1 error."""
    with reading_ahead(source, env, warehouse_id, include_all, spec_dir) as ahead:
        validated = require_valid(spec_dir, today)
        spec = validated.spec
        assert spec is not None  # require_valid raised otherwise
        (environment,) = select_environments(validated.environments, env)
        _refuse_unread_types(source, environment)
        live = _read_live_file(source) if ahead is None else finish_live_read(ahead, environment)
    try:
        check_live(live, env, source)
    except LiveStateError as exc:
        raise UserError(str(exc)) from None
    options = DriftOptions(ignored_principals(spec), include_all)
    report = diff_states(desired_side(spec, environment), live, options)
    if audit is not None:
        report = explain(report, _audit_events(audit, audit_days, warehouse_id))
    if emit is None or emit_file is not None:
        rendered = RENDERERS[fmt](report)
        _write(colour.plan(rendered) if fmt == "text" else rendered, None)
    if emit is not None:
        _write(_remediation(emit, report, spec, environment, today), emit_file)
    return ExitCode.CHANGES if report.drifted else ExitCode.CLEAN
