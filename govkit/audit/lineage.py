"""The lineage section: edges with an end in this environment, the ones that cross an environment
or a domain (and whether the consumer holds a declared grant), and the blast radius of tables."""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Mapping
from typing import Literal

from govkit.access import AccessIndex
from govkit.audit.model import BlastRadius, EdgeRow, Finding, Lineage, TableLineage, finding
from govkit.lineage.document import Lineage as LineageDoc
from govkit.privileges import SecurableType
from govkit.resolve import DesiredEnvironment
from govkit.state import Securable, make_securable

# Blast radius is computed for the tables with the most direct downstream tables, and for any
# table asked for by name: downstream to any depth is a graph walk per table.
BLAST_RADIUS_TABLES = 25

Home = tuple[str, str]  # (environment, domain)


def catalog_homes(environments: tuple[DesiredEnvironment, ...]) -> dict[str, Home]:
    """Catalog name -> (environment, domain), for every catalog the spec declares."""
    return {
        s.name: (e.name, s.domain)
        for e in environments
        for s in e.securables
        if s.type is SecurableType.CATALOG
    }


def _table(name: str, index: AccessIndex) -> Securable:
    # Pipelines create tables the spec never declares: grants on their schema and catalog apply.
    return index.find(name) or make_securable(SecurableType.TABLE, name, None, {})


class _Declared:
    """Whether a writer of the target holds a read grant on the source, in the desired States.

    A million edges name a few thousand tables: the sets of each table and the answer for each
    pair of sets are computed once.
    """

    def __init__(self, indexes: Mapping[str, AccessIndex]) -> None:
        self.indexes = indexes
        self._sets: dict[tuple[str, str, str], frozenset[str]] = {}
        # Keyed by the ids of the two sets, which the value keeps alive.
        self._answers: dict[tuple[int, int], tuple[frozenset[str], frozenset[str], bool]] = {}

    def _people(self, access: Literal["read", "write"], env: str, name: str) -> frozenset[str]:
        found = self._sets.get((access, env, name))
        if found is None:
            index = self.indexes[env]
            found = getattr(index.names(_table(name, index)), access)
            self._sets[(access, env, name)] = found
        return found

    def __call__(self, source: str, source_env: str, target: str, target_env: str) -> bool:
        readers = self._people("read", source_env, source)
        writers = self._people("write", target_env, target)
        key = (id(readers), id(writers))
        hit = self._answers.get(key)
        if hit is None:
            hit = self._answers[key] = (readers, writers, not readers.isdisjoint(writers))
        return hit[2]


def _edge_rows(
    doc: LineageDoc, env: str, homes: Mapping[str, Home], declared: _Declared
) -> list[EdgeRow]:
    rows = []
    for e in doc.edges:
        src = homes.get(e.source.split(".", 1)[0])
        dst = homes.get(e.target.split(".", 1)[0])
        if (src is None or src[0] != env) and (dst is None or dst[0] != env):
            continue
        cross_env = src is not None and dst is not None and src[0] != dst[0]
        cross_domain = src is not None and dst is not None and src[1] != dst[1]
        grant = (
            declared(e.source, src[0], e.target, dst[0])
            if (cross_env or cross_domain) and src is not None and dst is not None
            else None
        )
        rows.append(
            EdgeRow(
                source=e.source,
                target=e.target,
                last_seen=e.last_seen,
                events=e.events,
                source_environment=src[0] if src else None,
                target_environment=dst[0] if dst else None,
                source_domain=src[1] if src else None,
                target_domain=dst[1] if dst else None,
                cross_environment=cross_env,
                cross_domain=cross_domain,
                declared_grant=grant,
            )
        )
    return rows


def _tables(rows: list[EdgeRow], env: str) -> list[TableLineage]:
    up: dict[str, list[str]] = defaultdict(list)
    down: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        if r.target_environment == env:
            up[r.target].append(r.source)
        if r.source_environment == env:
            down[r.source].append(r.target)
    return [
        TableLineage(table=t, upstream=tuple(sorted(up[t])), downstream=tuple(sorted(down[t])))
        for t in sorted({*up, *down})
    ]


def _blast_radius(
    doc: LineageDoc,
    tables: list[TableLineage],
    asked: tuple[str, ...],
    owner_of: Mapping[str, str | None],
) -> list[BlastRadius]:
    children: dict[str, list[str]] = defaultdict(list)
    for e in doc.edges:
        children[e.source].append(e.target)
    widest = sorted(
        (t for t in tables if t.downstream), key=lambda t: (-len(t.downstream), t.table)
    )
    chosen = dict.fromkeys([*(t.table for t in widest[:BLAST_RADIUS_TABLES]), *asked])
    out = []
    for table in chosen:
        depth_of = {table: 0}
        queue = deque([table])
        while queue:
            here = queue.popleft()
            for nxt in children.get(here, ()):
                if nxt not in depth_of:
                    depth_of[nxt] = depth_of[here] + 1
                    queue.append(nxt)
        reached = sorted(t for t in depth_of if t != table)
        owners = sorted({owner_of.get(t) or "(unknown)" for t in reached})
        out.append(
            BlastRadius(
                table=table,
                downstream=len(reached),
                depth=max(depth_of.values()),
                tables=tuple(reached),
                owners=tuple(owners),
            )
        )
    return sorted(out, key=lambda b: (-b.downstream, b.table))


def _findings(rows: list[EdgeRow]) -> list[Finding]:
    out = []
    for r in rows:
        grant = "with" if r.declared_grant else "without"
        if r.cross_environment:
            out.append(
                finding(
                    "GOV621",
                    "error",
                    "lineage",
                    f"{r.source} -> {r.target}",
                    f"{r.target_environment} table {r.target} reads from "
                    f"{r.source_environment} table {r.source} ({grant} a declared grant): "
                    "environments are isolated",
                )
            )
        elif r.cross_domain and not r.declared_grant:
            out.append(
                finding(
                    "GOV622",
                    "warning",
                    "lineage",
                    f"{r.source} -> {r.target}",
                    f"{r.target_domain} table {r.target} reads {r.source_domain} table "
                    f"{r.source} without a declared grant to a writer of {r.target}",
                )
            )
    return out


def build_lineage(
    doc: LineageDoc | None,
    env: DesiredEnvironment,
    homes: Mapping[str, Home],
    indexes: Mapping[str, AccessIndex],
    owner_of: Mapping[str, str | None],
    asked: tuple[str, ...],
    complete: bool,
    note: str | None,
) -> tuple[Lineage, list[Finding]]:
    """The lineage section of `env`; `indexes` holds effective access per environment (desired)."""
    if doc is None:
        empty = Lineage(
            complete=False, note=note, edges_read=0, edges=(), tables=(), blast_radius=()
        )
        return empty, []
    rows = _edge_rows(doc, env.name, homes, _Declared(indexes))
    tables = _tables(rows, env.name)
    section = Lineage(
        complete=complete,
        note=note,
        edges_read=len(doc.edges),
        edges=tuple(rows),
        tables=tuple(tables),
        blast_radius=tuple(_blast_radius(doc, tables, asked, owner_of)),
    )
    return section, _findings(rows)
