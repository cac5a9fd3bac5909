"""`govkit audit`: ownership, effective access and lineage as evidence (md, html, json, csv).

Exit 0 clean, 2 findings, 1 when an input is missing or incomplete (with --allow-incomplete the
report is written, says which sections are incomplete, and exits 2). An access path outside Unity
Catalog (an instance profile, a no-isolation or legacy-mode cluster, Hive table ACLs in use) is
a finding in a protected environment, so the audit exits 2 until their count is 0.
"""

from __future__ import annotations

import datetime as dt
import shlex
from pathlib import Path
from typing import Any

import click

from govkit.audit.build import AuditInputs, build_report
from govkit.audit.evidence import spec_tree_sha256
from govkit.audit.model import AuditReport, Source
from govkit.audit.sample import default_seed
from govkit.audit.write import FORMATS, render, with_manifest, write_run
from govkit.cli.audit_evidence import (
    check_blast_radius,
    live_reader,
    read_previous,
    save_live,
)
from govkit.cli.drift import reading_ahead
from govkit.cli.inputs import (
    Read,
    gather_audit_log,
    gather_identities,
    gather_legacy,
    gather_lineage,
    gather_state,
    incomplete,
    recorded,
    spec_commit,
)
from govkit.cli.main import UserError
from govkit.cli.options import spec_dir
from govkit.cli.shared import require_valid, select_environments
from govkit.drift.explain import AuditEvent
from govkit.exitcodes import ExitCode
from govkit.gc_pause import paused_gc
from govkit.identity.document import Identities
from govkit.legacy.document import LegacyAccess
from govkit.lineage.document import Lineage
from govkit.live.ahead import ReadAhead
from govkit.resolve import DesiredEnvironment
from govkit.state import State


def _as_of(ctx: click.Context, param: click.Parameter, value: Any) -> dt.datetime | None:
    if value is None:
        return None
    text = str(value).replace("Z", "+00:00")
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date or a time (ISO 8601)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc)


def _formats(ctx: click.Context, param: click.Parameter, value: Any) -> tuple[str, ...]:
    wanted = tuple(dict.fromkeys(f.strip() for f in str(value).split(",") if f.strip()))
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown or not wanted:
        raise click.BadParameter(f"choose from {','.join(FORMATS)} (got {value!r})")
    return wanted


def _command_line(spec: str, env: str, chosen: dict[str, Any]) -> str:
    """The command that reproduces the report from the same inputs (files where they were)."""
    words = ["govkit", "audit", spec, "--env", env]
    for option, value in chosen.items():
        if value is True:
            words.append(option)
        elif isinstance(value, tuple):
            for v in value:
                words += [option, v]
        elif value:
            words += [option, str(value)]
    return shlex.join(words)


def _hosts(ctx: click.Context, param: click.Parameter, value: Any) -> dict[int, str]:
    hosts: dict[int, str] = {}
    for item in value or ():
        workspace, sep, url = str(item).partition("=")
        if not sep or not workspace.strip().isdigit() or not url.strip():
            raise click.BadParameter(f"expected WORKSPACE_ID=URL, got {item!r}")
        hosts[int(workspace)] = url.strip()
    return hosts


def _refuse_incomplete(reads: list[Read[Any]]) -> None:
    gaps = [r.source for r in reads if not r.source.complete]
    if gaps:
        detail = incomplete([f"{s.name}: {'; '.join(s.errors) or 'incomplete'}" for s in gaps])
        raise UserError(
            f"incomplete input, nothing written ({detail}); pass the missing inputs, or "
            "--allow-incomplete to write a report whose sections say what they lack"
        )


def _gather(
    environment: DesiredEnvironment,
    live: str | None,
    identities: str | None,
    lineage: str | None,
    audit_log: str | None,
    warehouse_id: str | None,
    allow_incomplete: bool,
    ahead: ReadAhead | None,
) -> tuple[Read[State], Read[Identities], Read[Lineage], Read[list[AuditEvent]]]:
    """Every input, or a one-line error naming the one that is wrong or incomplete."""
    state = gather_state(live, environment, warehouse_id, ahead)
    people = gather_identities(identities)
    edges = gather_lineage(lineage, warehouse_id)
    events = gather_audit_log(audit_log, warehouse_id)
    if not allow_incomplete:
        _refuse_incomplete([state, people, edges])
    return state, people, edges, events


def _gather_legacy(
    environment: DesiredEnvironment, legacy: str | None, hosts: dict[int, str], allow: bool
) -> Read[LegacyAccess]:
    doors = gather_legacy(legacy, environment, hosts)
    if not allow:
        _refuse_incomplete([doors])
    return doors


def _from_saved(given: dict[str, Any], sources: list[Source]) -> dict[str, Any]:
    """The options that reproduce the report: a live read by its saved copy, and never --out
    (the output folder is no part of the evidence: the same inputs hash alike anywhere)."""
    again = {f"--{s.name}": s.saved_as for s in sources if s.saved_as}
    chosen = {**given, **again}
    if "--legacy" in again:
        chosen["--workspace-host"] = ()
    return chosen


def _write(
    out: str, report: AuditReport, formats: tuple[str, ...], saved: dict[str, bytes]
) -> list[Path]:
    try:
        return write_run(Path(out), report, with_manifest(report, render(report, formats), saved))
    except OSError as exc:
        raise UserError(f"cannot write the report to {out}: {exc.strerror or exc}") from None


def _summary_line(report: AuditReport, written: list[Path]) -> str:
    s = report.summary
    shown = [p for suffix in (".html", ".md", ".json", ".csv") for p in written
             if p.suffix == suffix]  # fmt: skip
    main = (shown or written)[0]
    from govkit.cli.render_tree import count

    return (
        f"audit of {report.evidence.environment}: {s.status} ({count(s.errors, 'error')}, "
        f"{count(s.warnings, 'warning')}, {count(s.notes, 'note')}; "
        f"accountable-owner coverage {s.accountable_coverage_percent}%, Unity Catalog owner "
        f"coverage {s.coverage_percent}%); {count(len(written), 'file')}, report in {main}"
    )


@click.command("audit")
@spec_dir
@click.option("--env", "env", required=True, help="The environment to audit.")
@click.option(
    "--live",
    default=None,
    metavar="workspace|warehouse|FILE.json",
    help="The live State (default: SPEC_DIR/recorded/ENV.state.json).",
)
@click.option(
    "--identities",
    default=None,
    metavar="FILE.json",
    help="The identities document (default: SPEC_DIR/recorded/identities.json).",
)
@click.option(
    "--lineage",
    default=None,
    metavar="warehouse|FILE.json",
    help="The lineage document (default: SPEC_DIR/recorded/lineage.json).",
)
@click.option(
    "--legacy",
    default=None,
    metavar="workspace|FILE.json",
    help="Access outside Unity Catalog (instance profiles, legacy clusters), read from every "
    "workspace of the environment or from a legacy-access document "
    "(default: SPEC_DIR/recorded/ENV.legacy.json).",
)
@click.option(
    "--workspace-host",
    "workspace_hosts",
    multiple=True,
    callback=_hosts,
    envvar="GOVKIT_WORKSPACE_HOSTS",
    metavar="ID=URL",
    help="The URL of a workspace for --legacy workspace (repeatable; default: the one host of "
    "the Databricks configuration, routed by workspace id).",
)
@click.option(
    "--audit-log",
    default=None,
    metavar="warehouse|FILE",
    help="system.access.audit rows, to name who made each live change.",
)
@click.option("--warehouse-id", envvar="DATABRICKS_WAREHOUSE_ID", default=None)
@click.option("--out", "out", default="audit-report", show_default=True, metavar="DIR")
@click.option(
    "--format",
    "formats",
    default=",".join(FORMATS),
    show_default=True,
    callback=_formats,
    metavar="md,html,json,csv",
)
@click.option(
    "--as-of",
    "as_of",
    default=None,
    callback=_as_of,
    metavar="DATE|TIME",
    help="The report's time and the day expiry is counted from (default: now).",
)
@click.option(
    "--blast-radius",
    multiple=True,
    metavar="TABLE",
    help="Also compute the blast radius of this table (repeatable).",
)
@click.option(
    "--sample",
    "sample_size",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Draw N live grants at random for tests of operating effectiveness (seeded, recorded).",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=None,
    help="The sample's seed (default: one derived from the environment and --as-of).",
)
@click.option(
    "--compare",
    "previous",
    default=None,
    metavar="PREVIOUS.json",
    help="An earlier audit report (its JSON) of the environment: say what changed since.",
)
@click.option(
    "--allow-incomplete",
    is_flag=True,
    help="Write the report even when an input is missing or incomplete.",
)
# Nothing the audit builds is cyclic, and at L the collector walking the validated spec at every
# pass was a third of the time: reference counting frees it all, before the collector resumes.
@paused_gc()
def command(
    spec_dir: str,
    env: str,
    live: str | None,
    identities: str | None,
    lineage: str | None,
    legacy: str | None,
    workspace_hosts: dict[int, str],
    audit_log: str | None,
    warehouse_id: str | None,
    out: str,
    formats: tuple[str, ...],
    as_of: dt.datetime | None,
    blast_radius: tuple[str, ...],
    sample_size: int | None,
    seed: int | None,
    previous: str | None,
    allow_incomplete: bool,
) -> int:
    """Audit one environment from evidence: exit 0 clean, 2 findings, 1 incomplete input."""
    if seed is not None and sample_size is None:
        raise UserError("--seed needs --sample N")
    moment = as_of or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    earlier = read_previous(previous, env)
    with reading_ahead(live, env, warehouse_id, spec_dir=spec_dir) as ahead:
        validated = require_valid(spec_dir, moment.date())
        spec = validated.spec
        assert spec is not None  # require_valid raised otherwise
        (environment,) = select_environments(validated.environments, env)
        live = live or recorded(spec_dir, f"{env}.state.json")
        identities = identities or recorded(spec_dir, "identities.json")
        lineage = lineage or recorded(spec_dir, "lineage.json")
        legacy = legacy or recorded(spec_dir, f"{env}.legacy.json")
        state, people, edges, events = _gather(
            environment, live, identities, lineage, audit_log, warehouse_id, allow_incomplete,
            ahead,
        )  # fmt: skip
    doors = _gather_legacy(environment, legacy, workspace_hosts, allow_incomplete)
    if as_of is None:  # the report's time is when its evidence is in, never before a live read
        moment = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    generated_at = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    check_blast_radius(blast_radius, validated.environments, state.value, edges.value)
    sources, saved = save_live(env, [state, people, edges, events, doors])
    sources += [earlier.source] if earlier.value is not None else []
    reader = live_reader(sources)
    sample = None
    if sample_size is not None:
        sample = (sample_size, seed if seed is not None else default_seed(env, generated_at))
    given = {"--live": live, "--identities": identities, "--lineage": lineage,
             "--legacy": legacy,
             "--workspace-host": tuple(f"{w}={u}" for w, u in sorted(workspace_hosts.items())),
             "--audit-log": audit_log, "--as-of": generated_at, "--format": ",".join(formats),
             "--blast-radius": blast_radius, "--sample": sample_size,
             "--seed": str(sample[1]) if sample else None, "--compare": previous,
             "--allow-incomplete": allow_incomplete}  # fmt: skip
    report = build_report(
        AuditInputs(
            spec=spec,
            environments=validated.environments,
            environment=environment,
            live=state.value if state.value is not None else environment.state,
            identities=people.value,
            lineage=edges.value,
            audit_events=tuple(events.value) if events.value is not None else None,
            sources=(
                Source(name="spec", kind="spec", location=spec_dir, complete=True),
                *sources,
            ),
            spec_dir=spec_dir,
            spec_commit=spec_commit(spec_dir),
            spec_sha256=spec_tree_sha256(spec_dir),
            generated_at=generated_at,
            today=moment.date(),
            command=_command_line(spec_dir, env, _from_saved(given, sources)),
            blast_radius=blast_radius,
            legacy=doors.value,
            live_reader=reader,
            sample=sample,
            previous=earlier.value,
        )
    )
    del state, people, edges, events, doors  # the report holds what it needs: free a million edges
    click.echo(_summary_line(report, _write(out, report, formats, saved)))
    return ExitCode.CLEAN if report.summary.status == "clean" else ExitCode.CHANGES
