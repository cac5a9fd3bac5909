"""The system tables the local warehouse answers from the metastore: their columns and rows.

`information_schema` privilege views carry direct grants (`inherited_from = 'NONE'`) and the
grants inherited from ancestors (`inherited_from = 'CATALOG'` or `'SCHEMA'`), as the real views
do, so that a reader that forgets the filter is caught.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from govkit.privileges import PRIVILEGES, SecurableType
from govkit.testing.sqlengine import SqlError
from govkit.testing.store import SYSTEM_OWNER, SYSTEM_SCHEMA, Obj, Store

Row = dict[str, Any]

# table -> columns (name, type_name, type_text); rows may carry more keys than listed.
COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "system.information_schema.catalogs": (
        ("catalog_name", "STRING"),
        ("catalog_owner", "STRING"),
        ("comment", "STRING"),
        ("created", "TIMESTAMP"),
    ),
    "system.information_schema.schemata": (
        ("catalog_name", "STRING"),
        ("schema_name", "STRING"),
        ("schema_owner", "STRING"),
        ("comment", "STRING"),
    ),
    "system.information_schema.tables": (
        ("table_catalog", "STRING"),
        ("table_schema", "STRING"),
        ("table_name", "STRING"),
        ("table_type", "STRING"),
        ("table_owner", "STRING"),
    ),
    "system.information_schema.catalog_privileges": (
        ("grantor", "STRING"),
        ("grantee", "STRING"),
        ("catalog_name", "STRING"),
        ("privilege_type", "STRING"),
        ("is_grantable", "STRING"),
        ("inherited_from", "STRING"),
    ),
    "system.information_schema.schema_privileges": (
        ("grantor", "STRING"),
        ("grantee", "STRING"),
        ("catalog_name", "STRING"),
        ("schema_name", "STRING"),
        ("privilege_type", "STRING"),
        ("is_grantable", "STRING"),
        ("inherited_from", "STRING"),
    ),
    "system.information_schema.table_privileges": (
        ("grantor", "STRING"),
        ("grantee", "STRING"),
        ("table_catalog", "STRING"),
        ("table_schema", "STRING"),
        ("table_name", "STRING"),
        ("privilege_type", "STRING"),
        ("is_grantable", "STRING"),
        ("inherited_from", "STRING"),
    ),
    "system.access.table_lineage": (
        ("source_table_full_name", "STRING"),
        ("source_type", "STRING"),
        ("target_table_full_name", "STRING"),
        ("target_type", "STRING"),
        ("entity_type", "STRING"),
        ("entity_id", "STRING"),
        ("created_by", "STRING"),
        ("event_time", "TIMESTAMP"),
    ),
    "system.access.audit": (
        ("event_time", "TIMESTAMP"),
        ("event_date", "DATE"),
        ("user_identity", "STRUCT"),
        ("service_name", "STRING"),
        ("action_name", "STRING"),
        ("request_params", "MAP"),
        ("response", "STRUCT"),
    ),
}


def column_type(table: str, path: tuple[str, ...]) -> str:
    """The `type_name` of a column reference (struct fields and map values are strings)."""
    if len(path) > 1:
        return "STRING" if path[0] != "response" or path[-1] != "status_code" else "INT"
    return dict(COLUMNS[table]).get(path[0], "STRING")


def rows(store: Store, table: str) -> list[Row]:
    """Every row of `table`, computed from the store under its lock."""
    if table not in COLUMNS:
        raise SqlError(
            "TABLE_OR_VIEW_NOT_FOUND",
            f"The table or view `{table}` cannot be found.",
        )
    with store.lock:
        return list(_ROWS[table](store))


def _catalogs(store: Store) -> Iterator[Row]:
    for o in store.of_type(SecurableType.CATALOG):
        yield {"catalog_name": o.name, "catalog_owner": o.owner, "comment": o.extra.get("comment")}


def _schemata(store: Store) -> Iterator[Row]:
    for c in store.of_type(SecurableType.CATALOG):
        yield {"catalog_name": c.name, "schema_name": SYSTEM_SCHEMA, "schema_owner": SYSTEM_OWNER}
    for o in store.of_type(SecurableType.SCHEMA):
        catalog, schema = o.parts
        yield {"catalog_name": catalog, "schema_name": schema, "schema_owner": o.owner}


def _tables(store: Store) -> Iterator[Row]:
    for o in store.of_type(SecurableType.TABLE):
        catalog, schema, name = o.parts
        yield {
            "table_catalog": catalog,
            "table_schema": schema,
            "table_name": name,
            "table_type": "MANAGED",
            "table_owner": o.owner,
        }


def _grant_rows(store: Store, obj: Obj) -> Iterator[tuple[str, str, str, str]]:
    """(grantor, grantee, privilege, inherited_from) rows visible on `obj`."""
    for principal, privileges in sorted(obj.grants.items()):
        for p in sorted(privileges):
            yield obj.owner, principal, p, "NONE"
    parts = obj.parts
    for depth, type in enumerate((SecurableType.CATALOG, SecurableType.SCHEMA), start=1):
        if depth >= len(parts):
            break
        ancestor = store.objects.get((type, ".".join(parts[:depth])))
        if ancestor is None:
            continue
        for principal, privileges in sorted(ancestor.grants.items()):
            for p in sorted(privileges & PRIVILEGES[obj.type]):
                yield ancestor.owner, principal, p, type.value.upper()


def _privileges(store: Store, type: SecurableType, names: tuple[str, ...]) -> Iterator[Row]:
    for o in store.of_type(type):
        where = dict(zip(names, o.parts, strict=True))
        for grantor, grantee, privilege, inherited in _grant_rows(store, o):
            yield {
                "grantor": grantor,
                "grantee": grantee,
                **where,
                "privilege_type": privilege,
                "is_grantable": "NO",
                "inherited_from": inherited,
            }


def _lineage(store: Store) -> Iterator[Row]:
    yield from (dict(r) for r in store.lineage)


def _audit(store: Store) -> Iterator[Row]:
    for r in store.audit:
        row = dict(r)
        row.setdefault("event_date", str(r.get("event_time", ""))[:10] or None)
        yield row


_ROWS = {
    "system.information_schema.catalogs": _catalogs,
    "system.information_schema.schemata": _schemata,
    "system.information_schema.tables": _tables,
    "system.information_schema.catalog_privileges": lambda s: _privileges(
        s, SecurableType.CATALOG, ("catalog_name",)
    ),
    "system.information_schema.schema_privileges": lambda s: _privileges(
        s, SecurableType.SCHEMA, ("catalog_name", "schema_name")
    ),
    "system.information_schema.table_privileges": lambda s: _privileges(
        s, SecurableType.TABLE, ("table_catalog", "table_schema", "table_name")
    ),
    "system.access.table_lineage": _lineage,
    "system.access.audit": _audit,
}
