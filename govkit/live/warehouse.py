"""The `warehouse` reader: owners and direct grants by SQL over `system.information_schema`.

For estates too large for one REST call per securable, the SQL warehouse does the work: one
statement per privilege view and one per owner view, grouped on the warehouse so that govkit
receives one row per (securable, principal). Catalogs still come from REST (one listing plus
one bindings call per catalog), because isolation mode and workspace bindings are not in
`information_schema`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from govkit.live.progress import Progress, wanted
from govkit.live.resilience import ReadFailed, Retrier
from govkit.live.rest import Rest
from govkit.live.settings import ReaderSettings
from govkit.live.statements import StatementRunner
from govkit.live.workspace import SYSTEM_SCHEMAS, Collector, catalog_securable, select_catalogs
from govkit.privileges import SecurableType
from govkit.state import make_securable

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

_DIRECT = "(inherited_from IS NULL OR inherited_from = 'NONE')"
_SYSTEM = ", ".join(f"'{s}'" for s in sorted(SYSTEM_SCHEMAS))

# name -> (SQL with {scope} for the catalog list, key columns, what it reads)
STATEMENTS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "catalog_owners": (
        "SELECT catalog_name, catalog_owner AS owner FROM system.information_schema.catalogs "
        "WHERE catalog_name IN ({scope})",
        ("catalog_name",),
        "catalog owners",
    ),
    "schema_owners": (
        "SELECT catalog_name, schema_name, schema_owner AS owner "
        "FROM system.information_schema.schemata "
        f"WHERE catalog_name IN ({{scope}}) AND schema_name NOT IN ({_SYSTEM})",
        ("catalog_name", "schema_name"),
        "schema owners",
    ),
    "table_owners": (
        "SELECT table_catalog, table_schema, table_name, table_owner AS owner "
        "FROM system.information_schema.tables "
        f"WHERE table_catalog IN ({{scope}}) AND table_schema NOT IN ({_SYSTEM})",
        ("table_catalog", "table_schema", "table_name"),
        "table owners",
    ),
    "catalog_grants": (
        "SELECT catalog_name, grantee, array_sort(collect_set(privilege_type)) AS privileges "
        "FROM system.information_schema.catalog_privileges "
        f"WHERE catalog_name IN ({{scope}}) AND {_DIRECT} "
        "GROUP BY catalog_name, grantee",
        ("catalog_name",),
        "catalog grants",
    ),
    "schema_grants": (
        "SELECT catalog_name, schema_name, grantee, "
        "array_sort(collect_set(privilege_type)) AS privileges "
        "FROM system.information_schema.schema_privileges "
        f"WHERE catalog_name IN ({{scope}}) AND schema_name NOT IN ({_SYSTEM}) AND {_DIRECT} "
        "GROUP BY catalog_name, schema_name, grantee",
        ("catalog_name", "schema_name"),
        "schema grants",
    ),
    "table_grants": (
        "SELECT table_catalog, table_schema, table_name, grantee, "
        "array_sort(collect_set(privilege_type)) AS privileges "
        "FROM system.information_schema.table_privileges "
        f"WHERE table_catalog IN ({{scope}}) AND table_schema NOT IN ({_SYSTEM}) AND {_DIRECT} "
        "GROUP BY table_catalog, table_schema, table_name, grantee",
        ("table_catalog", "table_schema", "table_name"),
        "table grants",
    ),
}

Keyed = dict[str, list[dict[str, Any]]]  # full name -> rows


def scoped_sql(template: str, catalogs: Sequence[str]) -> tuple[str, dict[str, str | None]]:
    """The statement with one named parameter per catalog in scope."""
    params: dict[str, str | None] = {f"c{i}": name for i, name in enumerate(catalogs)}
    return template.format(scope=", ".join(f":{p}" for p in params)), params


class WarehouseReader:
    """Catalogs by REST, everything else by six SQL statements run in parallel."""

    def __init__(self, client: WorkspaceClient, warehouse_id: str, s: ReaderSettings) -> None:
        self.settings = s
        self.progress = Progress("snapshot", wanted(s.progress))
        self.retrier = Retrier(s, self.progress)
        self.rest = Rest(client, self.retrier)
        self.run = StatementRunner(client, warehouse_id, s, self.retrier)
        self.out = Collector()

    def read(self, declared: Sequence[str], include_all: bool) -> Collector:
        try:
            self._read(declared, include_all)
        finally:
            self.progress.close()
        return self.out

    def _read(self, declared: Sequence[str], include_all: bool) -> None:
        listed = self.out.attempt("metastore", "the catalog list", self.rest.catalogs)
        if listed is None:
            return
        infos = select_catalogs(listed, declared, include_all)
        names = [str(c["name"]) for c in infos]
        if not names:
            return
        self.progress.add(len(names) + len(STATEMENTS))
        with ThreadPoolExecutor(max(1, min(self.settings.concurrency, 8))) as pool:
            bindings = pool.map(self.progress.counted(self._bindings), names)
            query = self.progress.counted(functools.partial(self._query, catalogs=names))
            keyed = dict(zip(STATEMENTS, pool.map(query, STATEMENTS), strict=True))
            bound = dict(zip(names, bindings, strict=True))
        self._catalogs(infos, bound, keyed)
        self._children(SecurableType.SCHEMA, keyed["schema_owners"], keyed["schema_grants"])
        self._children(SecurableType.TABLE, keyed["table_owners"], keyed["table_grants"])

    def _bindings(self, name: str) -> list[int] | None:
        return self.out.attempt(
            name, "workspace bindings", lambda: self.rest.workspace_ids("catalog", name)
        )

    def _query(self, key: str, catalogs: list[str]) -> Keyed | None:
        template, columns, what = STATEMENTS[key]
        sql, params = scoped_sql(template, catalogs)
        try:
            rows = self.run.rows(sql, params)
        except ReadFailed as exc:
            for name in catalogs:
                self.out.fail(name, f"could not read {what}: {exc}")
            return None
        keyed: Keyed = {}
        for row in rows:
            keyed.setdefault(".".join(str(row[c]) for c in columns), []).append(row)
        return keyed

    def _catalogs(
        self,
        infos: list[dict[str, Any]],
        bound: dict[str, list[int] | None],
        keyed: dict[str, Keyed | None],
    ) -> None:
        owners, grants = keyed["catalog_owners"], keyed["catalog_grants"]
        if owners is None or grants is None:
            return
        for info in infos:
            name = str(info["name"])
            workspace_ids = bound.get(name)
            if workspace_ids is None:
                continue
            owner_rows = owners.get(name)
            owner = owner_rows[0]["owner"] if owner_rows else info.get("owner")
            self.out.add(
                catalog_securable({**info, "owner": owner}, _grants(grants, name), workspace_ids)
            )

    def _children(self, type: SecurableType, owners: Keyed | None, grants: Keyed | None) -> None:
        if owners is None or grants is None:
            return
        for name, rows in owners.items():
            self.out.add(make_securable(type, name, rows[0]["owner"], _grants(grants, name)))


def _grants(keyed: Keyed, name: str) -> dict[str, list[str]]:
    return {str(r["grantee"]): list(r["privileges"] or []) for r in keyed.get(name, [])}
