"""The table moves of a plan, as SQL the platform team runs in each workspace.

Sources: the Databricks docs "Upgrade Hive tables and views to Unity Catalog"
(docs.databricks.com/data-governance/unity-catalog/migrate.html) and "SYNC"
(docs.databricks.com/sql/language-manual/sql-ref-syntax-aux-sync.html). An external table is
upgraded in place by `SYNC TABLE target FROM hive_metastore.db.table` (its files stay where they
are; SYNC cannot upgrade managed tables in workspace storage); a managed Delta table is copied
with `CREATE TABLE target DEEP CLONE source`; a managed table of another format with `CREATE
TABLE target AS SELECT` (managed tables in Unity Catalog are Delta); a view is created again
over the new names, after every view it reads from.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from govkit.migrate.document import HiveTable, HiveWorkspace

# A table a query reads: after FROM or JOIN, `t`, `db.t` or `hive_metastore.db.t`, back-quoted
# or not.
_REFERENCE = re.compile(r"(?i)\b(?P<kw>FROM|JOIN)(?P<gap>\s+)(?P<ref>`?\w+`?(?:\.`?\w+`?){0,2})")

# (workspace, database) -> full name of the database's new schema, `catalog.schema`
SchemaOf = Callable[[str], str | None]


@dataclass(frozen=True, slots=True)
class View:
    database: str
    name: str
    text: str  # the query over the new names


@dataclass(frozen=True, slots=True)
class Unmigrated:
    """A view that reads a table (or view) that does not move."""

    database: str
    view: str
    reads: str


def table_move(source: str, target: str, table: HiveTable) -> str:
    if table.type == "EXTERNAL":
        return f"SYNC TABLE {target} FROM {source};"
    if (table.format or "").upper() == "DELTA":
        return f"CREATE TABLE IF NOT EXISTS {target} DEEP CLONE {source};"
    return f"CREATE TABLE IF NOT EXISTS {target} AS SELECT * FROM {source};"


def _parts(ref: str, database: str) -> tuple[str, str]:
    names = [p.strip("`").lower() for p in ref.split(".")]
    if len(names) == 3 and names[0] == "hive_metastore":
        return names[1], names[2]
    if len(names) == 2:
        return names[0], names[1]
    return database, names[-1]


def _rewrite(
    text: str, database: str, tables: Mapping[tuple[str, str], HiveTable], schema_of: SchemaOf
) -> tuple[str, set[tuple[str, str]], list[str]]:
    """A view's query over the new names; what it reads; what it reads that does not move."""
    found: set[tuple[str, str]] = set()
    missing: list[str] = []

    def rewrite(m: re.Match[str]) -> str:
        source = _parts(m.group("ref"), database)
        target = schema_of(source[0])
        if source not in tables or target is None:
            missing.append(f"{source[0]}.{source[1]}")
            return m.group(0)
        found.add(source)
        return f"{m.group('kw')}{m.group('gap')}{target}.{source[1]}"

    return _REFERENCE.sub(rewrite, text), found, missing


def views_in_order(
    workspace: HiveWorkspace, schema_of: SchemaOf
) -> tuple[list[View], list[Unmigrated]]:
    """The views of the moved databases, each after the views it reads, rewritten to the new
    names; and the views that read something that does not move (or read each other round)."""
    tables = {(d.name, t.name): t for d in workspace.databases for t in d.tables}
    views = {key: t for key, t in tables.items() if t.type == "VIEW" and schema_of(key[0])}
    reads: dict[tuple[str, str], set[tuple[str, str]]] = {}
    texts: dict[tuple[str, str], str] = {}
    bad: list[Unmigrated] = []
    for (db, name), view in sorted(views.items()):
        text, found, missing = _rewrite(view.view_text or "", db, tables, schema_of)
        texts[(db, name)] = text
        reads[(db, name)] = {s for s in found if s in views}
        bad += [Unmigrated(db, name, m) for m in missing]
    ordered: list[View] = []
    done: set[tuple[str, str]] = set()
    pending = sorted(reads)
    while pending:
        ready = [v for v in pending if reads[v] <= done]
        if not ready:  # a cycle: none of these can be created first
            bad += [Unmigrated(db, name, "a view that reads it in turn") for db, name in pending]
            break
        for db, name in ready:
            ordered.append(View(db, name, texts[(db, name)]))
            done.add((db, name))
        pending = [v for v in pending if v not in done]
    return ordered, sorted(set(bad), key=lambda u: (u.database, u.view, u.reads))


def moves_sql(
    domain: str,
    sections: Mapping[tuple[int, str], list[str]],
) -> str:
    """One domain's SQL file: a section per workspace (its environment named), in order."""
    lines = [
        f"-- Table moves of domain {domain}, planned by govkit migrate plan.",
        "-- Run each section in its workspace, on compute attached to the Unity Catalog",
        "-- metastore; tables first, then views in the order given.",
    ]
    for (workspace, env), statements in sorted(sections.items()):
        lines += ["", f"-- workspace {workspace} ({env})", *statements]
    return "\n".join(lines) + "\n"
