"""The `warehouse` reader: owners and direct grants by SQL over `system.information_schema`.

For estates too large for one REST call per securable, the SQL warehouse does the work: one
statement per privilege view and one per owner view, grouped on the warehouse so that govkit
receives one row per (securable, principal). Catalogs still come from REST (one listing plus
one bindings call per catalog), because isolation mode, workspace bindings and the managed
storage root are not in `information_schema`. External locations (owner, URL, credential,
read-only) come from their views, storage credentials (owner, grants) from CREDENTIALS and
CREDENTIAL_PRIVILEGES, purpose STORAGE, so that service credentials stay out; a credential's
read-only flag is in no view, so it comes from the storage credentials listing (REST).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from govkit.live.identity import Reader, unreachable, who_reads
from govkit.live.progress import Progress, wanted
from govkit.live.resilience import ReadFailed, Retrier
from govkit.live.rest import Rest
from govkit.live.settings import ReaderSettings
from govkit.live.statements import StatementRunner
from govkit.live.workspace import (
    SYSTEM_SCHEMAS,
    Bindings,
    Collector,
    Isolation,
    StorageKeys,
    catalog_securable,
    check_scope,
    names_of,
    select_catalogs,
    select_storage,
    storage_isolation,
)
from govkit.privileges import SecurableType
from govkit.state import Storage, make_securable

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

_LOCATION, _CREDENTIAL = SecurableType.EXTERNAL_LOCATION, SecurableType.STORAGE_CREDENTIAL
_STORAGE_PURPOSE = "credential_purpose = 'STORAGE'"

# name -> (SQL with {where} for the names in scope, key column, what it reads, of which type)
STORAGE_STATEMENTS: dict[str, tuple[str, str, str, SecurableType]] = {
    "location_rows": (
        "SELECT external_location_name, external_location_owner AS owner, url, "
        "storage_credential_name, read_only "
        "FROM system.information_schema.external_locations WHERE {where}",
        "external_location_name",
        "external locations",
        _LOCATION,
    ),
    # CREDENTIALS and CREDENTIAL_PRIVILEGES, not the STORAGE_CREDENTIALS views that Databricks
    # deprecated in Runtime 15.4: they hold service credentials too (CREDENTIAL_PURPOSE
    # 'SERVICE'), which are no storage credentials and are left out by name. Sources:
    # Databricks SQL reference, information_schema CREDENTIALS, CREDENTIAL_PRIVILEGES and
    # STORAGE_CREDENTIALS (docs.databricks.com/sql/language-manual/information-schema/).
    "credential_owners": (
        "SELECT credential_name, credential_owner AS owner "
        f"FROM system.information_schema.credentials WHERE {_STORAGE_PURPOSE} AND {{where}}",
        "credential_name",
        "storage credential owners",
        _CREDENTIAL,
    ),
    "location_grants": (
        "SELECT external_location_name, grantee, "
        "array_sort(collect_set(privilege_type)) AS privileges "
        "FROM system.information_schema.external_location_privileges "
        f"WHERE {{where}} AND {_DIRECT} GROUP BY external_location_name, grantee",
        "external_location_name",
        "external location grants",
        _LOCATION,
    ),
    "credential_grants": (
        "SELECT credential_name, grantee, "
        "array_sort(collect_set(privilege_type)) AS privileges "
        "FROM system.information_schema.credential_privileges "
        "WHERE credential_name IN (SELECT credential_name FROM "
        f"system.information_schema.credentials WHERE {_STORAGE_PURPOSE}) "
        f"AND {{where}} AND {_DIRECT} GROUP BY credential_name, grantee",
        "credential_name",
        "storage credential grants",
        _CREDENTIAL,
    ),
}

# READ_ONLY is a STRING column; the documentation gives no values, so both spellings of a
# boolean are read, and anything else is an error rather than a guess.
_FLAGS = {"true": True, "yes": True, "false": False, "no": False}

Keyed = dict[str, list[dict[str, Any]]]  # full name -> rows
Listed = tuple[bool, Isolation]  # from the REST listing: read-only flag, isolation


def scoped_sql(template: str, catalogs: Sequence[str]) -> tuple[str, dict[str, str | None]]:
    """The statement with one named parameter per catalog in scope."""
    params: dict[str, str | None] = {f"c{i}": name for i, name in enumerate(catalogs)}
    return template.format(scope=", ".join(f":{p}" for p in params)), params


def storage_sql(
    key: str, names: Sequence[str], include_all: bool
) -> tuple[str, dict[str, str | None]]:
    """A storage statement limited to `names`, or over every row the caller sees."""
    template, column, _, _ = STORAGE_STATEMENTS[key]
    if include_all:
        return template.format(where="TRUE"), {}
    params: dict[str, str | None] = {f"s{i}": name for i, name in enumerate(names)}
    where = f"{column} IN ({', '.join(f':{p}' for p in params)})"
    return template.format(where=where), params


class WarehouseReader:
    """Catalogs by REST, everything else by six SQL statements run in parallel."""

    def __init__(self, client: WorkspaceClient, warehouse_id: str, s: ReaderSettings) -> None:
        self.settings = s
        self.progress = Progress("snapshot", wanted(s.progress))
        self.retrier = Retrier(s, self.progress)
        self.rest = Rest(client, self.retrier)
        self.run = StatementRunner(client, warehouse_id, s, self.retrier)
        self.out = Collector()
        self.reader = Reader("(unknown)", frozenset(), False, None)

    def read(
        self, declared: Sequence[str], include_all: bool, storage: StorageKeys = ()
    ) -> Collector:
        """As `WorkspaceReader.read`: catalogs in scope, then the storage named in `storage`."""
        try:
            who = self.out.attempt("metastore", "who the reader runs as", self._who)
            # A metastore whose catalog list cannot be read is not read further: the snapshot
            # is incomplete either way, and each further listing would only retry against it.
            if who and self._read(declared, include_all) and (storage or include_all):
                self._storage(storage, include_all)
        finally:
            self.progress.close()
        return self.out

    def _who(self) -> Reader:
        self.reader = who_reads(self.rest)
        return self.reader

    def _read(self, declared: Sequence[str], include_all: bool) -> bool:
        """Read the catalogs in scope; False when the catalog list itself could not be read."""
        listed = self.out.attempt("metastore", "the catalog list", self.rest.catalogs)
        if listed is None:
            return False
        selected = select_catalogs(listed, declared, include_all)
        infos = check_scope(self.out, self.reader, selected, declared, "catalog")
        names = [str(c["name"]) for c in infos]
        if not names:
            return True
        self.progress.add(len(names) + len(STATEMENTS))
        with ThreadPoolExecutor(max(1, min(self.settings.concurrency, 8))) as pool:
            bindings = pool.map(self.progress.counted(self._bindings), names)
            query = self.progress.counted(functools.partial(self._query, catalogs=names))
            keyed = dict(zip(STATEMENTS, pool.map(query, STATEMENTS), strict=True))
            bound = dict(zip(names, bindings, strict=True))
        self._catalogs(infos, bound, keyed)
        self._children(SecurableType.SCHEMA, keyed["schema_owners"], keyed["schema_grants"])
        self._children(SecurableType.TABLE, keyed["table_owners"], keyed["table_grants"])
        return True

    def _bindings(self, name: str) -> Bindings | None:
        return self.out.attempt(
            name, "workspace bindings", lambda: self.rest.bindings("catalog", name)
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
        bound: dict[str, Bindings | None],
        keyed: dict[str, Keyed | None],
    ) -> None:
        owners, grants = keyed["catalog_owners"], keyed["catalog_grants"]
        if owners is None or grants is None:
            return
        for info in infos:
            name = str(info["name"])
            found = bound.get(name)
            if found is None:
                continue
            workspace_ids, read_only = found
            owner_rows = owners.get(name)
            if not owner_rows:
                # Listed by REST, absent from the warehouse's views: its workspace does not
                # reach the catalog (an ISOLATED one bound elsewhere) or the reader sees none
                # of it there. Its schemas and grants would all look missing.
                self.out.fail(name, self._invisible(info, workspace_ids))
                continue
            owner = owner_rows[0]["owner"]
            info = {**info, "owner": owner}
            self.out.add(catalog_securable(info, _grants(grants, name), workspace_ids, read_only))

    def _invisible(self, info: dict[str, Any], bound: list[int]) -> str:
        name = str(info["name"])
        here = self.reader.workspace_id
        if info.get("isolation_mode") == "ISOLATED" and here is not None and here not in bound:
            why = unreachable(bound, self.reader, name)
            return f"not in the warehouse's information_schema: {why}"
        return (
            "not in the warehouse's information_schema although the catalog list shows it; "
            "hint: run the warehouse reader as a metastore admin"
        )

    def _children(self, type: SecurableType, owners: Keyed | None, grants: Keyed | None) -> None:
        if owners is None or grants is None:
            return
        for name, rows in owners.items():
            self.out.add(make_securable(type, name, rows[0]["owner"], _grants(grants, name)))

    def _storage(self, storage: StorageKeys, include_all: bool) -> None:
        self.progress.add(len(STORAGE_STATEMENTS) + 2)
        with ThreadPoolExecutor(max(1, min(self.settings.concurrency, 8))) as pool:
            listings = [
                pool.submit(
                    self.progress.counted(self._listing),
                    (type, names_of(storage, type), include_all),
                )
                for type in (_CREDENTIAL, _LOCATION)
            ]
            query = self.progress.counted(
                functools.partial(self._storage_query, storage=storage, include_all=include_all)
            )
            keyed = dict(zip(STORAGE_STATEMENTS, pool.map(query, STORAGE_STATEMENTS), strict=True))
            credentials, locations = (f.result() for f in listings)
        self._locations(keyed["location_rows"], keyed["location_grants"], locations)
        self._credentials(keyed["credential_owners"], keyed["credential_grants"], credentials)

    def _listing(self, scope: tuple[SecurableType, list[str], bool]) -> dict[str, Listed] | None:
        """From the REST listing, what no `information_schema` view carries: a credential's
        read-only flag, and the isolation mode and bindings of both."""
        type, names, include_all = scope
        if not names and not include_all:
            return {}
        what = "storage credential" if type is _CREDENTIAL else "external location"
        fetch = (
            self.rest.storage_credentials if type is _CREDENTIAL else self.rest.external_locations
        )
        listed = self.out.attempt("metastore", f"the {what}s list", fetch)
        if listed is None:
            return None
        selected = select_storage(listed, names, include_all)
        selected = check_scope(self.out, self.reader, selected, names, what)
        out: dict[str, Listed] = {}
        for info in selected:
            name = str(info["name"])
            isolation = self.out.attempt(
                name,
                "workspace bindings",
                functools.partial(storage_isolation, self.rest, type, info),
            )
            if isolation is not None:
                out[name] = (bool(info.get("read_only", False)), isolation)
        return out

    def _storage_query(self, key: str, storage: StorageKeys, include_all: bool) -> Keyed | None:
        _, column, what, type = STORAGE_STATEMENTS[key]
        names = names_of(storage, type)
        if not names and not include_all:
            return {}  # none of this type in scope: nothing to ask the warehouse
        sql, params = storage_sql(key, names, include_all)
        try:
            rows = self.run.rows(sql, params)
        except ReadFailed as exc:
            for name in names or ["metastore"]:
                self.out.fail(name, f"could not read {what}: {exc}")
            return None
        keyed: Keyed = {}
        for row in rows:
            keyed.setdefault(str(row[column]), []).append(row)
        return keyed

    def _locations(
        self, rows: Keyed | None, grants: Keyed | None, listed: dict[str, Listed] | None
    ) -> None:
        if rows is None or grants is None or listed is None:
            return
        for name, (row, *_) in rows.items():
            if name not in listed:
                if self.reader.sees_all_of(row):  # else the listing's check named it
                    message = "could not read isolation: not in the external locations list"
                    self.out.fail(name, message)
                continue
            read_only = _FLAGS.get(str(row["read_only"]).lower())
            if read_only is None:
                self.out.fail(name, f"could not read read_only: unexpected {row['read_only']!r}")
                continue
            where = Storage(
                url=str(row["url"]), credential=str(row["storage_credential_name"]),
                read_only=read_only,
            )  # fmt: skip
            self.out.add(
                make_securable(
                    SecurableType.EXTERNAL_LOCATION,
                    name,
                    row["owner"],
                    _grants(grants, name),
                    *listed[name][1],
                    where,
                )
            )

    def _credentials(
        self, owners: Keyed | None, grants: Keyed | None, listed: dict[str, Listed] | None
    ) -> None:
        if owners is None or grants is None or listed is None:
            return
        for name, (row, *_) in owners.items():
            if name not in listed:
                if self.reader.sees_all_of(row):  # else the listing's check named it
                    message = "could not read read_only: not in the storage credentials list"
                    self.out.fail(name, message)
                continue
            self.out.add(
                make_securable(
                    SecurableType.STORAGE_CREDENTIAL,
                    name,
                    row["owner"],
                    _grants(grants, name),
                    *listed[name][1],
                    Storage(read_only=listed[name][0]),
                )
            )


def _grants(keyed: Keyed, name: str) -> dict[str, list[str]]:
    return {str(r["grantee"]): list(r["privileges"] or []) for r in keyed.get(name, [])}
