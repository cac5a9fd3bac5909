"""One import from start to end, for the CLI: read, adopt or merge, write the spec, compile.

An edge: it reads the source and writes files. Refusals (`ImportRefused`) are one line each,
and nothing is written when the import found an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from govkit.adopt import Adoption, adopt
from govkit.adopt.directory import with_scim_ids
from govkit.adopt.documents import Options
from govkit.adopt.existing import ExistingSpec, find_spec
from govkit.adopt.report import reported
from govkit.adopt.request import ImportRequest as ImportRequest
from govkit.adopt.scope import scope
from govkit.adopt.sources import (
    LIVE_SOURCES,
    ImportInputError,
    read_account,
    read_comments,
    read_directory,
    read_state,
)
from govkit.diagnostics import Diagnostic, Severity, locate
from govkit.edit.write import write_files
from govkit.edit.yamltext import RenderedIndex
from govkit.spec.loader import SourceIndex
from govkit.state import State


class ImportRefused(ValueError):
    """The import cannot start; the message says why and what to pass."""


@dataclass
class ImportResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    ok: bool = True


def describe(state: State, source: str, env: str) -> str:
    """The source as comments name it: which reader or file, which environment, when."""
    when = f" taken at {state.taken_at}" if state.taken_at else ""
    if state.source in ("workspace", "warehouse") and source == state.source:
        return f"the {state.source} reader's snapshot of {env}{when}"
    return f"the State file {Path(source).name} ({state.source} snapshot of {env}{when})"


def _check_out(req: ImportRequest, existing: ExistingSpec | None) -> None:
    if existing is None or req.force:
        return
    envs = ", ".join(existing.environments) or "none"
    if not req.merge:
        raise ImportRefused(
            f"{req.out} already holds a spec (environments: {envs}); pass --merge to add "
            f"{req.env} to it, or --force to replace it"
        )
    if req.env in existing.environments:
        raise ImportRefused(
            f"{req.out} already holds environment {req.env}; --merge adds a new environment, "
            "--force replaces the spec"
        )


def _check_complete(req: ImportRequest, state: State) -> None:
    if state.complete or req.allow_incomplete:
        return
    first = state.errors[0] if state.errors else None
    detail = f" (first: {first.securable}: {first.message})" if first else ""
    raise ImportRefused(
        f"{req.source}: the State is incomplete: {len(state.errors)} reads failed{detail}; "
        "read again, or pass --allow-incomplete to import what was read (every file is marked)"
    )


def _elsewhere(req: ImportRequest, existing: ExistingSpec | None) -> dict[str, str]:
    """Catalogs the spec in --out declares for its other environments (a merge)."""
    if existing is None or not req.merge:
        return {}
    from govkit.resolve import resolve
    from govkit.spec.build import load_spec

    spec = load_spec(str(req.out)).spec
    if spec is None:
        return {}  # the merge reports why the spec does not load
    return {
        s.name: e.name
        for e in resolve(spec, req.today)
        for s in e.securables
        if s.type.value == "catalog" and e.name != req.env
    }


def _workspaces(req: ImportRequest, state: State) -> tuple[int, ...]:
    if req.workspaces:
        return req.workspaces
    bound = {
        w
        for s in state.securables
        if s.type.value == "catalog" and s.isolation_mode == "ISOLATED"
        for w in s.workspace_ids or ()
    }
    return tuple(sorted(bound))


def _adopt(
    req: ImportRequest, existing: ExistingSpec | None
) -> tuple[State, Adoption, list[Diagnostic]]:
    try:
        state = read_state(req.source, req.env, req.warehouse_id, req.catalogs)
        state, notes = scope(
            state, req.env, req.catalogs, req.workspaces, _elsewhere(req, existing)
        )
        _check_complete(req, state)
        directory = read_directory(req.identities, req.source)
        if req.account_host:
            account = read_account(req.account_host, req.account_id, _workspaces(req, state))
            directory = with_scim_ids(directory, account)
        live = req.source in LIVE_SOURCES
        catalogs = [s.name for s in state.securables if s.type.value == "catalog"]
        comments = read_comments(catalogs) if live else {}
    except ImportInputError as exc:
        raise ImportRefused(str(exc)) from None
    if not live:
        notes.append(
            reported(
                "GOV712",
                req.source,
                "a State document holds no comments: the stacks set none",
                "import from the workspace to keep the comments of catalogs and schemas; "
                "otherwise the first apply clears them",
            )
        )
    options = Options(
        env=req.env,
        today=req.today,
        source=describe(state, req.source, req.env),
        template=req.template,
        workspaces=req.workspaces,
        waiver_days=req.waiver_days,
        incomplete=not state.complete,
        root=str(req.out),
        comments=comments,
    )
    if existing is not None and req.merge:
        from govkit.adopt.merge import merge

        return state, merge(existing, state, directory, options), notes
    return state, adopt(state, directory, options), notes


def run_import(req: ImportRequest) -> ImportResult:
    """Import `req.env` from `req.source` into `req.out` (and Terraform into `terraform_out`)."""
    existing = find_spec(req.out)
    _check_out(req, existing)
    if req.terraform_out is not None and not (Path(req.modules) / "uc-domain").is_dir():
        raise ImportRefused(f"no govkit Terraform modules in {req.modules}; pass --modules DIR")
    state, adoption, notes = _adopt(req, existing)
    sources = {f"{req.out}/{rel}": text.encode() for rel, text in adoption.files.items()}
    written = {f"{req.out}/{rel}": p for rel, p in adoption.positions.items()}
    located = locate(adoption.diagnostics, RenderedIndex(written, SourceIndex(sources)))
    result = ImportResult([*notes, *located])
    if not adoption.ok:
        result.ok = False
        result.summary.append(f"{req.out}: nothing written: the imported spec would not validate")
        return result
    stale = existing.files if existing is not None and req.force else ()
    write_files({req.out / rel: text for rel, text in adoption.files.items()}, stale)
    waived = sum(d.message.startswith("waived as imported") for d in adoption.diagnostics)
    reports = sum(d.code.startswith("GOV7") for d in adoption.diagnostics)
    result.summary.append(
        f"{req.out}: {len(adoption.files)} files written for {req.env}; {waived} policy "
        f"findings waived as imported; {reports} import reports"
    )
    if req.terraform_out is not None:
        from govkit.adopt.stacks import write_stacks

        problems, line = write_stacks(req, state, adoption)
        result.diagnostics.extend(problems)
        result.summary.append(line)
        result.ok = not any(d.severity is Severity.ERROR for d in problems)
    return result
