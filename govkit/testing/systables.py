"""The system tables of the local warehouse: their DuckDB definitions and how the store fills them.

Two kinds of source feed DuckDB: the securables, their direct grants and storage fields (base
tables from which `sysviews` computes the `information_schema` views in SQL), and the lineage
and audit rows the store holds, loaded as they are into `system.access.table_lineage` and
`system.access.audit`.

The privilege views carry direct grants (`inherited_from = 'NONE'`) and the grants inherited from
ancestors (`inherited_from = 'CATALOG'` or `'SCHEMA'`), as the real views do, so that a reader
that forgets the filter is caught. Columns follow the Databricks documentation of each table.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from govkit.privileges import PRIVILEGES, SecurableType
from govkit.testing import callers, sysviews
from govkit.testing.store import Obj, Store

# A source's content, column by column: every value is text or None, converted by the INSERT.
Columns = dict[str, list[str | None]]
# Who runs a statement and from which workspace (None: a lenient host that reaches everything).
View = tuple[callers.Caller, int | None]


@dataclass(frozen=True)
class Source:
    """One DuckDB table loaded from the store: its columns with their DuckDB types."""

    table: str  # name in DuckDB
    columns: tuple[tuple[str, str], ...]


_STRUCT_IDENTITY = "STRUCT(email VARCHAR, subject_name VARCHAR)"
_STRUCT_RESPONSE = "STRUCT(status_code INTEGER, error_message VARCHAR, result VARCHAR)"
_STRUCT_IDENTITY_METADATA = "STRUCT(run_by VARCHAR, run_as VARCHAR, acting_resource VARCHAR)"
_STRUCT_ENTITY_METADATA = (
    "STRUCT(job_info STRUCT(job_id VARCHAR, job_run_id VARCHAR), dashboard_id VARCHAR, "
    "legacy_dashboard_id VARCHAR, notebook_id VARCHAR, sql_query_id VARCHAR, "
    "dlt_pipeline_info STRUCT(dlt_pipeline_id VARCHAR, dlt_update_id VARCHAR))"
)

SECURABLES = Source(
    "base.securables",
    (
        ("securable_type", "VARCHAR"),
        ("full_name", "VARCHAR"),
        ("owner", "VARCHAR"),
        ("comment", "VARCHAR"),
        ("created", "TIMESTAMP"),
    ),
)
GRANTS = Source(
    "base.grants",
    (
        ("securable_type", "VARCHAR"),
        ("full_name", "VARCHAR"),
        ("grantee", "VARCHAR"),
        ("privilege_type", "VARCHAR"),
    ),
)
# What the storage views show beyond owner and comment, for credentials and locations.
STORAGE = Source(
    "base.storage",
    (
        ("securable_type", "VARCHAR"),
        ("full_name", "VARCHAR"),
        ("id", "VARCHAR"),
        ("url", "VARCHAR"),
        ("credential_name", "VARCHAR"),
        ("read_only", "BOOLEAN"),
        ("credential_type", "VARCHAR"),
        ("purpose", "VARCHAR"),  # a credential's STORAGE or SERVICE; NULL for a location
    ),
)
LINEAGE = Source(
    "system_access.table_lineage",
    (
        ("account_id", "VARCHAR"),
        ("metastore_id", "VARCHAR"),
        ("workspace_id", "VARCHAR"),
        ("entity_type", "VARCHAR"),
        ("entity_id", "VARCHAR"),
        ("entity_run_id", "VARCHAR"),
        ("source_table_full_name", "VARCHAR"),
        ("source_table_catalog", "VARCHAR"),
        ("source_table_schema", "VARCHAR"),
        ("source_table_name", "VARCHAR"),
        ("source_path", "VARCHAR"),
        ("source_type", "VARCHAR"),
        ("target_table_full_name", "VARCHAR"),
        ("target_table_catalog", "VARCHAR"),
        ("target_table_schema", "VARCHAR"),
        ("target_table_name", "VARCHAR"),
        ("target_path", "VARCHAR"),
        ("target_type", "VARCHAR"),
        ("created_by", "VARCHAR"),
        ("event_time", "TIMESTAMP"),
        ("event_date", "DATE"),
        ("record_id", "VARCHAR"),
        ("event_id", "VARCHAR"),
        ("statement_id", "VARCHAR"),
        ("entity_metadata", _STRUCT_ENTITY_METADATA),
    ),
)
AUDIT = Source(
    "system_access.audit",
    (
        ("account_id", "VARCHAR"),
        ("workspace_id", "VARCHAR"),
        ("version", "VARCHAR"),
        ("event_time", "TIMESTAMP"),
        ("event_date", "DATE"),
        ("source_ip_address", "VARCHAR"),
        ("user_agent", "VARCHAR"),
        ("session_id", "VARCHAR"),
        ("user_identity", _STRUCT_IDENTITY),
        ("service_name", "VARCHAR"),
        ("action_name", "VARCHAR"),
        ("request_id", "VARCHAR"),
        ("request_params", "MAP(VARCHAR, VARCHAR)"),
        ("response", _STRUCT_RESPONSE),
        ("audit_level", "VARCHAR"),
        ("event_id", "VARCHAR"),
        ("identity_metadata", _STRUCT_IDENTITY_METADATA),
    ),
)
SOURCES = (SECURABLES, GRANTS, STORAGE, LINEAGE, AUDIT)

# Which privileges on an ancestor reach a child of each type (an inherited row).
_APPLICABLE = [(t.value.upper(), p) for t in SecurableType for p in sorted(PRIVILEGES.get(t, ()))]

# Databricks name -> (DuckDB name, the sources it is computed from)
TABLES: dict[str, tuple[str, tuple[Source, ...]]] = {
    f"system.information_schema.{name}": (f"system_information_schema.{name}", (SECURABLES, GRANTS))
    for name in (
        "catalogs",
        "schemata",
        "tables",
        "catalog_privileges",
        "schema_privileges",
        "table_privileges",
    )
}
TABLES.update(
    {
        f"system.information_schema.{name}": (f"system_information_schema.{name}", needs)
        for name, needs in (
            ("external_locations", (SECURABLES, STORAGE)),
            ("storage_credentials", (SECURABLES, STORAGE)),
            ("external_location_privileges", (SECURABLES, GRANTS)),
            ("storage_credential_privileges", (SECURABLES, GRANTS)),
            ("credentials", (SECURABLES, STORAGE)),
            ("credential_privileges", (SECURABLES, STORAGE, GRANTS)),
        )
    }
)
TABLES["system.access.table_lineage"] = (LINEAGE.table, (LINEAGE,))
TABLES["system.access.audit"] = (AUDIT.table, (AUDIT,))


def schema_ddl() -> list[str]:
    """Every statement that creates the empty warehouse: schemas, tables, views."""
    ddl = [f"CREATE SCHEMA {s}" for s in ("base", "system_information_schema", "system_access")]
    for source in SOURCES:
        columns = ", ".join(f"{name} {type}" for name, type in source.columns)
        ddl.append(f"CREATE TABLE {source.table} ({columns})")
    ddl.append("CREATE TABLE base.applicable (securable_type VARCHAR, privilege_type VARCHAR)")
    values = ", ".join(f"('{t}', '{p}')" for t, p in _APPLICABLE)
    ddl.append(f"INSERT INTO base.applicable VALUES {values}")
    ddl.extend(sysviews.VIEWS)
    return ddl


def insert_sql(source: Source) -> str:
    """An INSERT that takes one list of text per column and converts each to its type."""
    values = []
    for i, (_, type) in enumerate(source.columns, start=1):
        raw = f"unnest(${i})"
        if type == "TIMESTAMP":  # any ISO form, offsets honoured, stored as UTC
            values.append(f"CAST(CAST({raw} AS TIMESTAMPTZ) AS TIMESTAMP)")
        elif type.startswith(("STRUCT", "MAP")):
            values.append(f"json_transform({raw}, '\"{type}\"')")  # missing keys are NULL
        elif type != "VARCHAR":
            values.append(f"CAST({raw} AS {type})")
        else:
            values.append(raw)
    return f"INSERT INTO {source.table} SELECT {', '.join(values)}"


class LoadError(Exception):
    """Rows the store holds that do not fit their system table (a test's own mistake)."""


def fill(store: Store, source: Source, view: View | None = None) -> Columns:
    """The content of `source` from the store, read under its lock, as `view` sees it.

    `information_schema` shows a caller only the objects it has a privilege on (or owns), of
    catalogs its workspace reaches, and grants only to itself unless it owns the object or is
    an admin (docs: "Information schema": "filtered to the objects the user has privileges
    on"; a MANAGE holder sees only its own grants).
    """
    with store.lock:
        if view is not None and view[1] is None and callers.is_admin(store, view[0]):
            view = None  # an admin on a lenient host sees everything
        if source is SECURABLES:
            return _securables(store, _visible(store, view))
        if source is GRANTS:
            return _grants(store, _visible(store, view), view)
        if source is STORAGE:
            return _storage(store, _visible(store, view))
        rows = [dict(r) for r in (store.lineage if source is LINEAGE else store.audit)]
        defaults = _lineage_defaults if source is LINEAGE else _audit_defaults
        return _rows(source, store, rows, defaults)


_KIND = {t: t.value.upper() for t in SecurableType}


# Built column by column, without a tuple per row: the fill runs before every statement, in a
# process whose heap the cyclic collector would otherwise walk again and again.
Objects = dict[tuple[SecurableType, str], Obj]


def _visible(store: Store, view: View | None) -> Objects:
    if view is None:
        return store.objects
    caller, workspace = view
    return {
        key: o
        for key, o in store.objects.items()
        if callers.reachable(store, workspace, o) and callers.sees(store, caller, o)
    }


def _securables(store: Store, objects: Objects) -> Columns:
    keys, objs = list(objects), list(objects.values())
    return {
        "securable_type": [_KIND[t] for t, _ in keys],
        "full_name": [name for _, name in keys],
        "owner": [o.owner for o in objs],
        "comment": [o.extra.get("comment") for o in objs],
        "created": [_iso(o.created_at) if o.created_at else None for o in objs],
    }


def _grants(store: Store, objects: Objects, view: View | None) -> Columns:
    out: Columns = {name: [] for name, _ in GRANTS.columns}
    kinds, names = out["securable_type"].append, out["full_name"].append
    grantees, privileges = out["grantee"].append, out["privilege_type"].append
    everyone = view is None or callers.is_admin(store, view[0])
    for (t, name), o in objects.items():
        kind = _KIND[t]
        for principal, held in o.grants.items():
            if principal in store.deleted:
                continue  # a grant to a deleted principal has no grantee name to show
            if (
                view is not None
                and not everyone
                and not callers.sees_grant(store, view[0], o, principal)
            ):
                continue
            for privilege in sorted(held):  # a stable row order, run after run
                kinds(kind)
                names(name)
                grantees(principal)
                privileges(privilege)
    return out


_STORAGE_TYPES = (SecurableType.STORAGE_CREDENTIAL, SecurableType.EXTERNAL_LOCATION)
_IDENTITIES = {
    "azure_managed_identity": "AZURE_MANAGED_IDENTITY",
    "aws_iam_role": "AWS_IAM_ROLE",
    "databricks_gcp_service_account": "GCP_SERVICE_ACCOUNT",
}


def _storage(store: Store, objects: Objects) -> Columns:
    out: Columns = {name: [] for name, _ in STORAGE.columns}
    for (t, name), o in objects.items():
        if t not in _STORAGE_TYPES:
            continue
        kind = next((v for k, v in _IDENTITIES.items() if k in o.extra), None)
        out["securable_type"].append(_KIND[t])
        out["full_name"].append(name)
        out["id"].append(o.id)
        out["url"].append(_text(o.extra.get("url")))
        out["credential_name"].append(_text(o.extra.get("credential_name")))
        out["read_only"].append("true" if o.extra.get("read_only") else "false")
        credential = t is SecurableType.STORAGE_CREDENTIAL
        out["credential_type"].append(kind if credential else None)
        out["purpose"].append(str(o.extra.get("purpose") or "STORAGE") if credential else None)
    return out


def _iso(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc).isoformat()


def _lineage_defaults(store: Store, row: dict[str, Any]) -> None:
    """Fill what a real lineage record always carries from the parts a test gives."""
    row.setdefault("account_id", store.account_id)
    row.setdefault("metastore_id", store.metastore_id)
    row.setdefault("workspace_id", str(store.workspace_id))
    for side in ("source", "target"):
        full = row.get(f"{side}_table_full_name")
        if not full:
            continue
        parts = [*str(full).split("."), None, None][:3]
        for key, part in zip(("catalog", "schema", "name"), parts, strict=True):
            row.setdefault(f"{side}_table_{key}", part)
        row.setdefault(f"{side}_type", "TABLE")
    _event_date(row)


def _audit_defaults(store: Store, row: dict[str, Any]) -> None:
    row.setdefault("account_id", store.account_id)
    row.setdefault("workspace_id", str(store.workspace_id))
    row.setdefault("version", "2.0")
    row.setdefault("audit_level", "WORKSPACE_LEVEL")
    _event_date(row)


def _event_date(row: dict[str, Any]) -> None:
    if row.get("event_date") is None and row.get("event_time"):
        row["event_date"] = str(row["event_time"])[:10]


Defaults = Callable[[Store, dict[str, Any]], None]


def _rows(
    source: Source, store: Store, rows: Iterable[dict[str, Any]], defaults: Defaults
) -> Columns:
    names = [name for name, _ in source.columns]
    known = set(names)
    out: Columns = {name: [] for name in names}
    for number, row in enumerate(rows, start=1):
        unknown = sorted(set(row) - known)
        if unknown:
            raise LoadError(
                f"row {number} of {_public_name(source)} has unknown column(s) "
                f"{', '.join(unknown)}; its columns are {', '.join(names)}"
            )
        defaults(store, row)
        for name in names:
            out[name].append(_text(row.get(name)))
    return out


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, Mapping):
        return json.dumps(value)
    return str(value)


def _public_name(source: Source) -> str:
    return next(name for name, (table, _) in TABLES.items() if table == source.table)
