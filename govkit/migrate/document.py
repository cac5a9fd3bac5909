"""The Hive assessment document (`govkit.hive/v1`): what the Hive metastores of an estate's
workspaces hold before its move to Unity Catalog.

Per workspace: its Hive databases and their tables (managed, external or a view; the format and
location of a table, the text of a view), the legacy grants as `SHOW GRANTS` returns them
(principal, action type, object type, object key) and the workspace-local groups with their
members (SCIM `WorkspaceGroup`). Instance profiles and the spark conf keys of clusters are not
repeated here: `legacy_access` names the legacy-access documents (`govkit.legacy-access/v1`)
that hold them. Lists are sorted by their key; a workspace that could not be read is named in
`errors`, and the document is then incomplete. What becomes of it is decided by the plan.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, Literal

from pydantic import ConfigDict, TypeAdapter

from govkit.documents import parse_json, published_schema, require_format, validate

FORMAT: Literal["govkit.hive/v1"] = "govkit.hive/v1"

HiveSource = Literal["workspace", "file"]
TableType = Literal["MANAGED", "EXTERNAL", "VIEW"]

_CONFIG = ConfigDict(extra="forbid")


@dataclass(frozen=True, slots=True)
class HiveTable:
    """A table or view of a Hive database, as `DESCRIBE TABLE EXTENDED` shows it."""

    __pydantic_config__ = _CONFIG

    name: str
    type: TableType
    format: str | None = None  # DELTA, PARQUET, CSV, ...; None for a view
    location: str | None = None  # None for a view
    view_text: str | None = None  # a view's query


@dataclass(frozen=True, slots=True)
class HiveDatabase:
    """A Hive database (schema) of one workspace's metastore."""

    __pydantic_config__ = _CONFIG

    name: str
    location: str | None = None
    tables: tuple[HiveTable, ...] = ()


@dataclass(frozen=True, slots=True)
class HiveGrant:
    """One row of `SHOW GRANTS`: who may do what on which object of the Hive metastore."""

    __pydantic_config__ = _CONFIG

    principal: str
    action_type: str  # SELECT, MODIFY, READ_METADATA, USAGE, CREATE, OWN, ALL PRIVILEGES
    object_type: str  # CATALOG, DATABASE, TABLE, VIEW, ANY FILE, ANONYMOUS FUNCTION
    object_key: str  # `db`, `db.table`; empty for the catalog, ANY FILE, ANONYMOUS FUNCTION


@dataclass(frozen=True, slots=True)
class WorkspaceGroup:
    """A group defined in the workspace, not the account; members are `user:NAME`,
    `group:DISPLAY_NAME` or `sp:APPLICATION_ID`."""

    __pydantic_config__ = _CONFIG

    display_name: str
    members: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class HiveWorkspace:
    """What one workspace's Hive metastore and SCIM hold."""

    __pydantic_config__ = _CONFIG

    workspace_id: int
    databases: tuple[HiveDatabase, ...] = ()
    grants: tuple[HiveGrant, ...] = ()
    groups: tuple[WorkspaceGroup, ...] = ()


@dataclass(frozen=True, slots=True)
class HiveError:
    """A workspace (or part of one) that could not be read, after retries."""

    __pydantic_config__ = _CONFIG

    workspace_id: int
    message: str


@dataclass(frozen=True, slots=True)
class HiveAssessment:
    """A Hive assessment document. Build it with `make_assessment` so that it is sorted."""

    __pydantic_config__ = ConfigDict(extra="forbid", title="govkit Hive assessment document")

    source: HiveSource
    format: Literal["govkit.hive/v1"] = FORMAT
    taken_at: str | None = None
    complete: bool = True
    errors: tuple[HiveError, ...] = ()
    # Relative paths of the legacy-access documents of the same workspaces.
    legacy_access: tuple[str, ...] = ()
    workspaces: tuple[HiveWorkspace, ...] = ()


class HiveFormatError(ValueError):
    """A file that is not a Hive assessment document."""


def _grant_key(g: HiveGrant) -> tuple[str, str, str, str]:
    return (g.object_type, g.object_key, g.principal, g.action_type)


def _sorted_workspace(w: HiveWorkspace) -> HiveWorkspace:
    return replace(
        w,
        databases=tuple(
            replace(d, tables=tuple(sorted(d.tables, key=lambda t: t.name)))
            for d in sorted(w.databases, key=lambda d: d.name)
        ),
        grants=tuple(sorted(set(w.grants), key=_grant_key)),
        groups=tuple(
            replace(g, members=tuple(sorted(set(g.members))))
            for g in sorted(w.groups, key=lambda g: g.display_name)
        ),
    )


def make_assessment(
    source: HiveSource,
    workspaces: Iterable[HiveWorkspace],
    *,
    taken_at: str | None = None,
    legacy_access: Iterable[str] = (),
    errors: Iterable[HiveError] = (),
    complete: bool = True,
) -> HiveAssessment:
    """The document in canonical order; any error makes it incomplete."""
    errs = tuple(sorted(set(errors), key=lambda e: (e.workspace_id, e.message)))
    return HiveAssessment(
        source=source,
        taken_at=taken_at,
        complete=complete and not errs,
        errors=errs,
        legacy_access=tuple(sorted(set(legacy_access))),
        workspaces=tuple(
            _sorted_workspace(w) for w in sorted(workspaces, key=lambda w: w.workspace_id)
        ),
    )


@functools.cache
def _adapter() -> TypeAdapter[HiveAssessment]:
    return TypeAdapter(HiveAssessment)


def assessment_to_dict(doc: HiveAssessment) -> dict[str, Any]:
    out: dict[str, Any] = _adapter().dump_python(doc, mode="json", exclude_none=True)
    order = ("format", "source", "taken_at", "complete", "errors", "legacy_access", "workspaces")
    return {k: out[k] for k in order if k in out}


def dumps(doc: HiveAssessment) -> str:
    """The canonical JSON text: same value, same bytes."""
    return json.dumps(assessment_to_dict(doc), indent=2, ensure_ascii=False) + "\n"


def _twice(keys: list[str]) -> str | None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            return key
        seen.add(key)
    return None


def _problem(doc: HiveAssessment) -> str | None:
    """The first inconsistency of a document, as `path: what`."""
    ws_twice = _twice([str(w.workspace_id) for w in doc.workspaces])
    if ws_twice is not None:
        return f"workspaces: workspace {ws_twice} appears twice"
    for i, w in enumerate(doc.workspaces):
        for name, keys in (
            ("databases", [d.name for d in w.databases]),
            ("groups", [g.display_name for g in w.groups]),
        ):
            twice = _twice(keys)
            if twice is not None:
                return f"workspaces.{i}.{name}: {twice!r} appears twice"
        for j, d in enumerate(w.databases):
            twice = _twice([t.name for t in d.tables])
            if twice is not None:
                return f"workspaces.{i}.databases.{j}.tables: {twice!r} appears twice"
            for k, t in enumerate(d.tables):
                where = f"workspaces.{i}.databases.{j}.tables.{k}"
                if (t.type == "VIEW") != (t.view_text is not None):
                    return f"{where}.view_text: a view, and only a view, has a view_text"
                if t.type != "VIEW" and t.format is None:
                    return f"{where}.format: the {t.type.lower()} table needs its format"
    return None


def loads(text: str | bytes) -> HiveAssessment:
    """Parse one Hive assessment document and put it in canonical order."""
    raw = parse_json(text, HiveFormatError)
    require_format(raw, FORMAT, "a Hive assessment document", HiveFormatError)
    doc = validate(_adapter(), raw, "Hive assessment document", HiveFormatError, strict=False)
    problem = _problem(doc)
    if problem is not None:
        raise HiveFormatError(f"invalid Hive assessment document at {problem}")
    return make_assessment(
        doc.source,
        doc.workspaces,
        taken_at=doc.taken_at,
        legacy_access=doc.legacy_access,
        errors=doc.errors,
        complete=doc.complete,
    )


def json_schema() -> dict[str, Any]:
    """The published JSON Schema of the Hive assessment document."""
    return published_schema(_adapter(), "hive")
