"""The inputs of `govkit access` and `govkit audit`: any may be a file, to repeat answers offline.

`catalogs/recorded/` ships recorded inputs for the bundled estate; a command finds them there
when it is not told otherwise.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

from govkit.audit.model import Source
from govkit.cli.drift import (
    LIVE_SOURCES,
    _audit_events,
    _read_live_file,
    _read_text,
    finish_live_read,
    reading_ahead,
)
from govkit.cli.main import UserError
from govkit.drift.explain import AuditEvent
from govkit.identity.document import Identities, IdentitiesFormatError
from govkit.identity.document import loads as load_identities
from govkit.legacy.document import LegacyAccess, LegacyFormatError
from govkit.legacy.document import loads as load_legacy
from govkit.legacy.paths import unread_workspaces
from govkit.lineage.document import Lineage, LineageFormatError
from govkit.lineage.document import loads as load_lineage
from govkit.live.ahead import ReadAhead
from govkit.resolve import DesiredEnvironment
from govkit.spec.build import Spec
from govkit.state import State

RECORDED = "recorded"
T = TypeVar("T")
SourceName = Literal["spec", "live", "identities", "lineage", "audit_log", "legacy"]


def recorded(spec_dir: str, name: str) -> str | None:
    """`SPEC_DIR/recorded/NAME` when it exists: the recorded input for the bundled estate."""
    path = Path(spec_dir) / RECORDED / name
    return str(path) if path.is_file() else None


def read_state(
    source: str, env: DesiredEnvironment, warehouse_id: str | None, ahead: ReadAhead | None = None
) -> State:
    """The live State from the workspace, a SQL warehouse, or a State file; `ahead`, the read
    already started by `reading_ahead`."""
    if ahead is not None:
        return finish_live_read(ahead, env)
    with reading_ahead(source, env.name, warehouse_id) as started:
        return _read_live_file(source) if started is None else finish_live_read(started, env)


def incomplete(errors: list[str]) -> str:
    """`a: reason; b: reason; ... and N more`, for the one line of an error."""
    shown = errors[:20]
    more = f"; ... and {len(errors) - len(shown)} more" if len(errors) > len(shown) else ""
    return "; ".join(shown) + more if shown else "no details recorded"


def check_state(state: State, env: str, where: str, allow_incomplete: bool = False) -> None:
    """Refuse a live State of another environment, or an incomplete one unless allowed."""
    if state.environment is not None and state.environment != env:
        raise UserError(f"{where}: live state is of environment {state.environment!r}, not {env!r}")
    if not state.complete and not allow_incomplete:
        detail = incomplete([f"{e.securable}: {e.message}" for e in state.errors])
        raise UserError(f"{where}: live read is incomplete (could not read: {detail})")


def read_identities(source: str) -> Identities:
    """The identities document from a file (govkit.identities/v1)."""
    if source == "graph":
        raise UserError(
            "--identities graph: pull a file first (govkit identities pull --out FILE), "
            "then pass --identities FILE"
        )
    try:
        return load_identities(_read_text(source, "identities file"))
    except IdentitiesFormatError as exc:
        raise UserError(f"{source}: {exc}") from None


def labeller(spec: Spec) -> Callable[[str], str]:
    """A Unity Catalog name with the declared name beside it where they differ."""
    declared = {uc: name for name, uc in spec.uc_names.items() if uc != name}

    def label(uc_name: str) -> str:
        name = declared.get(uc_name)
        return f"{uc_name} ({name})" if name else uc_name

    return label


@dataclass(frozen=True)
class Read(Generic[T]):
    """An input as read, with what the evidence header says about it."""

    value: T | None
    source: Source


def sha256_of(path: str) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def _file_source(name: SourceName, path: str, taken_at: str | None, errors: list[str]) -> Source:
    return Source(
        name=name,
        kind="file",
        location=path,
        taken_at=taken_at,
        complete=not errors,
        errors=tuple(errors),
        sha256=sha256_of(path),
    )


def missing(name: SourceName) -> Read[Any]:
    return Read(None, Source(name=name, kind="none", complete=False, errors=("not given",)))


def gather_state(
    source: str | None,
    env: DesiredEnvironment,
    warehouse_id: str | None,
    ahead: ReadAhead | None = None,
) -> Read[State]:
    if source is None:
        return missing("live")
    state = read_state(source, env, warehouse_id, ahead)
    check_state(state, env.name, source, allow_incomplete=True)
    errors = [f"{e.securable}: {e.message}" for e in state.errors]
    if not state.complete and not errors:
        errors = ["marked incomplete"]
    if source in LIVE_SOURCES:
        found = Source(
            name="live",
            kind=source,
            location=source,
            taken_at=state.taken_at,
            complete=not errors,
            errors=tuple(errors),
        )
        return Read(state, found)
    return Read(state, _file_source("live", source, state.taken_at, errors))


def gather_identities(source: str | None) -> Read[Identities]:
    if source is None:
        return missing("identities")
    doc = read_identities(source)
    errors = [f"{e.item}: {e.message}" for e in doc.errors]
    if not doc.complete and not errors:
        errors = ["marked incomplete"]
    return Read(doc, _file_source("identities", source, doc.taken_at, errors))


def gather_lineage(source: str | None, warehouse_id: str | None) -> Read[Lineage]:
    if source is None:
        return missing("lineage")
    if source == "warehouse":
        doc = _lineage_from_warehouse(warehouse_id)
    else:
        try:
            doc = load_lineage(Path(source).read_bytes())
        except OSError as exc:
            raise UserError(f"cannot read lineage file {source}: {exc.strerror or exc}") from None
        except LineageFormatError as exc:
            raise UserError(f"{source}: {exc}") from None
    errors = [f"{e.item}: {e.message}" for e in doc.errors]
    if not doc.complete and not errors:
        errors = ["marked incomplete"]
    if source == "warehouse":
        found = Source(
            name="lineage",
            kind="warehouse",
            location="system.access.table_lineage",
            taken_at=doc.taken_at,
            complete=not errors,
            errors=tuple(errors),
        )
        return Read(doc, found)
    return Read(doc, _file_source("lineage", source, doc.taken_at, errors))


def _lineage_from_warehouse(warehouse_id: str | None) -> Lineage:
    if not warehouse_id:
        raise UserError("--lineage warehouse needs --warehouse-id (or DATABRICKS_WAREHOUSE_ID)")
    from govkit.lineage.warehouse import read_lineage
    from govkit.live.client import ClientConfigError, make_client

    try:
        return read_lineage(make_client(), warehouse_id)
    except ClientConfigError as exc:
        raise UserError(f"reading lineage failed: {exc}") from None


def gather_audit_log(source: str | None, warehouse_id: str | None) -> Read[list[AuditEvent]]:
    if source is None:
        return Read(None, Source(name="audit_log", kind="none", complete=True))
    events = _audit_events(source, 30, warehouse_id)
    if source == "warehouse":
        return Read(
            events,
            Source(
                name="audit_log", kind="warehouse", location="system.access.audit", complete=True
            ),
        )
    return Read(events, _file_source("audit_log", source, None, []))


def gather_legacy(
    source: str | None, env: DesiredEnvironment, hosts: dict[int, str]
) -> Read[LegacyAccess]:
    """The legacy-access document, read from every workspace of `env` or from a file."""
    if source is None:
        return missing("legacy")
    if source == "workspace":
        from govkit.live import ReaderSettings
        from govkit.live.legacy import read_legacy, workspace_clients

        settings = ReaderSettings()
        doc = read_legacy(env.name, env.workspaces, workspace_clients(hosts, settings), settings)
    else:
        try:
            doc = load_legacy(Path(source).read_bytes())
        except OSError as exc:
            raise UserError(
                f"cannot read legacy-access file {source}: {exc.strerror or exc}"
            ) from None
        except LegacyFormatError as exc:
            raise UserError(f"{source}: {exc}") from None
        if doc.environment is not None and doc.environment != env.name:
            raise UserError(
                f"{source}: legacy-access document is of environment {doc.environment!r}, "
                f"not {env.name!r}"
            )
    errors = [f"workspace {e.workspace_id}: {e.message}" for e in doc.errors]
    errors += [f"workspace {w}: not read" for w in unread_workspaces(env.workspaces, doc)]
    if not doc.complete and not errors:
        errors = ["marked incomplete"]
    if source == "workspace":
        where = ", ".join(str(w) for w in env.workspaces) or "no workspaces"
        found = Source(
            name="legacy",
            kind="workspace",
            location=f"workspaces {where}",
            taken_at=doc.taken_at,
            complete=not errors,
            errors=tuple(errors),
        )
        return Read(doc, found)
    return Read(doc, _file_source("legacy", source, doc.taken_at, errors))


def spec_commit(spec_dir: str) -> str | None:
    """The git commit of the spec folder, `-dirty` when it has uncommitted changes there."""
    import subprocess

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", spec_dir, *args], capture_output=True, text=True, timeout=30
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if not commit:
        return None
    changed = git("status", "--porcelain", "--", ".")
    return f"{commit}-dirty" if changed else commit
