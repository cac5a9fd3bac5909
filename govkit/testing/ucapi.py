"""Unity Catalog REST endpoints: catalogs, schemas and tables (`ucgrants`: grants, bindings).

Paths, bodies and error codes follow what databricks-sdk and the Terraform provider send and
expect (see the wire references). Path parameters arrive unescaped, dots included. What each
caller may see and change, and from which workspace, is `callers`'s.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from govkit.privileges import SecurableType
from govkit.testing import callers
from govkit.testing.http import Request, Response, Router, ok, paginate
from govkit.testing.store import (
    MAINTAINED_CATALOGS,
    SYSTEM_OWNER,
    SYSTEM_SCHEMA,
    ApiError,
    Obj,
)

UC = "/api/2.1/unity-catalog"
NAME = "([^/]+)"

# Optional fields that the provider expects echoed exactly as sent.
_ECHOED = ("comment", "properties", "options", "storage_root", "connection_name", "share_name")


def _base(req: Request, obj: Obj) -> dict[str, Any]:
    body: dict[str, Any] = {
        "owner": obj.owner,
        "metastore_id": req.store.metastore_id,
        "full_name": obj.name,
        "created_at": obj.created_at,
        "created_by": req.store.caller,
        "updated_at": obj.created_at,
        "updated_by": req.store.caller,
    }
    body.update({k: v for k, v in obj.extra.items() if v not in (None, "", {}, [])})
    return body


def catalog_info(req: Request, obj: Obj, browse_only: bool = False) -> dict[str, Any]:
    return {
        **_base(req, obj),
        "name": obj.name,
        "isolation_mode": obj.isolation_mode,
        "catalog_type": MAINTAINED_CATALOGS.get(obj.name, "MANAGED_CATALOG"),
        "securable_type": "CATALOG",
        "id": obj.id,
        "browse_only": browse_only,
    }


def schema_info(req: Request, obj: Obj) -> dict[str, Any]:
    catalog, name = obj.parts
    return {
        **_base(req, obj),
        "name": name,
        "catalog_name": catalog,
        "schema_id": obj.id,
        "catalog_type": "MANAGED_CATALOG",
    }


def leaf_names(req: Request, obj: Obj) -> dict[str, Any]:
    """The common fields of a table or volume: owner and audit fields, its three names."""
    catalog, schema, name = obj.parts
    return {**_base(req, obj), "name": name, "catalog_name": catalog, "schema_name": schema}


def table_info(req: Request, obj: Obj) -> dict[str, Any]:
    return {
        **leaf_names(req, obj),
        "table_id": obj.id,
        "table_type": "MANAGED",
        "data_source_format": "DELTA",
    }


def _system_schema(req: Request, catalog: str) -> dict[str, Any]:
    """`information_schema`, which Unity Catalog lists in every catalog."""
    return {
        "name": SYSTEM_SCHEMA,
        "catalog_name": catalog,
        "full_name": f"{catalog}.{SYSTEM_SCHEMA}",
        "owner": SYSTEM_OWNER,
        "metastore_id": req.store.metastore_id,
    }


def _required(req: Request, name: str) -> str:
    value = req.query.get(name) or req.json_body().get(name)
    if not value:
        raise ApiError(400, "INVALID_PARAMETER_VALUE", f"Missing required field: {name}")
    return str(value)


# -- catalogs --------------------------------------------------------------------------------


def _flag(req: Request, name: str) -> bool:
    return req.query.get(name, "").lower() == "true"


def list_catalogs(req: Request) -> Response:
    """What `CatalogsAPI.list` documents: every catalog for a metastore admin, else those the
    caller owns or holds USE_CATALOG on (BROWSE with `include_browse`); catalogs not bound to
    this workspace only with `include_unbound`, for a caller who may change their bindings."""
    store, caller = req.store, req.caller
    browse, unbound = _flag(req, "include_browse"), _flag(req, "include_unbound")
    infos = []
    with store.lock:
        for obj in store.of_type(SecurableType.CATALOG):
            view = callers.catalog_view(store, caller, obj, browse)
            if view is None:
                continue
            if not callers.reachable(store, req.bound_workspace, obj) and not (
                unbound and callers.may_bind(store, caller, obj)
            ):
                continue
            infos.append(catalog_info(req, obj, view == "browse"))
    page, token = paginate(req, infos, lambda i: str(i["name"]))
    return ok({"catalogs": page, **({"next_page_token": token} if token else {})})


def create_catalog(req: Request) -> Response:
    body = req.json_body()
    name = _required(req, "name")
    owner = req.caller.name  # the creator is the first owner
    with req.store.lock:
        obj = req.store.add(Obj(SecurableType.CATALOG, name, owner))
        obj.extra = {k: body[k] for k in _ECHOED if k in body}
        # Unity Catalog creates `default` in every new catalog; the provider deletes it.
        req.store.add(Obj(SecurableType.SCHEMA, f"{obj.name}.default", owner))
        return ok(catalog_info(req, obj))


def visible(req: Request, type: SecurableType, name: str) -> Obj:
    """The securable, if this workspace reaches it and the caller may see it (each `get`)."""
    obj = req.store.get(type, name)
    callers.require_reachable(req.store, req.bound_workspace, obj)
    callers.require_visible(req.store, req.caller, obj)
    return obj


def writable(req: Request, type: SecurableType, name: str) -> Obj:
    """The securable, if this workspace may write to it and the caller may manage it."""
    obj = req.store.get(type, name)
    callers.require_writable(req.store, req.bound_workspace, obj)
    callers.require_manage(req.store, req.caller, obj)
    return obj


def get_catalog(req: Request) -> Response:
    with req.store.lock:
        return ok(catalog_info(req, visible(req, SecurableType.CATALOG, req.params[0])))


def update_catalog(req: Request) -> Response:
    body = req.json_body()
    with req.store.lock:
        obj = writable(req, SecurableType.CATALOG, req.params[0])
        mode = body.get("isolation_mode")
        if mode is not None:
            if mode not in ("ISOLATED", "OPEN"):
                raise ApiError(400, "INVALID_PARAMETER_VALUE", f"Invalid isolation_mode {mode}")
            obj.isolation_mode = mode
        _update_common(req, obj, body, "updateCatalog")
        return ok(catalog_info(req, obj))


def _update_common(req: Request, obj: Obj, body: dict[str, Any], action: str) -> None:
    for k in ("comment", "properties"):
        if k in body:
            obj.extra[k] = body[k]
    owner = body.get("owner")
    if owner:
        obj.owner = str(owner)
        # A real workspace names a catalog `name_arg`, a schema or table `full_name_arg`, as
        # their PATCH paths do (Databricks audit log reference, Unity Catalog events).
        key = "name_arg" if obj.type is SecurableType.CATALOG else "full_name_arg"
        req.store.record_audit(
            action,
            {key: obj.name, "securable_type": obj.type.value, "owner": obj.owner},
            who=req.caller.name,
        )


def delete_catalog(req: Request) -> Response:
    with req.store.lock:
        writable(req, SecurableType.CATALOG, req.params[0])
        req.store.remove(SecurableType.CATALOG, req.params[0], req.query.get("force") == "true")
    return ok()


# -- schemas ---------------------------------------------------------------------------------


def list_schemas(req: Request) -> Response:
    catalog = _required(req, "catalog_name")
    store = req.store
    with store.lock:
        parent = visible(req, SecurableType.CATALOG, catalog)
        infos = [
            schema_info(req, o)
            for o in store.children(SecurableType.SCHEMA, parent.name)
            if callers.lists_schema(store, req.caller, parent, o)
        ]
    infos = sorted([*infos, _system_schema(req, parent.name)], key=lambda i: str(i["name"]))
    page, token = paginate(req, infos, lambda i: str(i["name"]))
    return ok({"schemas": page, **({"next_page_token": token} if token else {})})


def create_schema(req: Request) -> Response:
    body = req.json_body()
    name, catalog = _required(req, "name"), _required(req, "catalog_name")
    with req.store.lock:
        parent = req.store.get(SecurableType.CATALOG, catalog)
        callers.require_writable(req.store, req.bound_workspace, parent)
        obj = req.store.add(Obj(SecurableType.SCHEMA, f"{parent.name}.{name}", req.caller.name))
        obj.extra = {k: body[k] for k in _ECHOED if k in body}
        req.store.schema_created(obj.name)
        return ok(schema_info(req, obj))


def get_schema(req: Request) -> Response:
    with req.store.lock:
        return ok(schema_info(req, visible(req, SecurableType.SCHEMA, req.params[0])))


def update_schema(req: Request) -> Response:
    with req.store.lock:
        obj = writable(req, SecurableType.SCHEMA, req.params[0])
        _update_common(req, obj, req.json_body(), "updateSchema")
        return ok(schema_info(req, obj))


def delete_schema(req: Request) -> Response:
    with req.store.lock:
        writable(req, SecurableType.SCHEMA, req.params[0])
        req.store.remove(SecurableType.SCHEMA, req.params[0], req.query.get("force") == "true")
    return ok()


# -- tables ----------------------------------------------------------------------------------


def list_tables(req: Request) -> Response:
    catalog, schema = _required(req, "catalog_name"), _required(req, "schema_name")
    store = req.store
    with store.lock:
        parent = visible(req, SecurableType.SCHEMA, f"{catalog}.{schema}")
        children = store.children(SecurableType.TABLE, parent.name)
        infos = [table_info(req, o) for o in children if callers.lists_table(store, req.caller, o)]
    page, token = paginate(req, infos, lambda i: str(i["name"]))
    return ok({"tables": page, **({"next_page_token": token} if token else {})})


Info = Callable[[Request, Obj], dict[str, Any]]


def get_leaf(type: SecurableType, info: Info) -> Callable[[Request], Response]:
    """GET of a table or volume by full name."""

    def get(req: Request) -> Response:
        with req.store.lock:
            return ok(info(req, visible(req, type, req.params[0])))

    return get


def update_leaf(type: SecurableType, info: Info, action: str) -> Callable[[Request], Response]:
    """PATCH of a table's or volume's owner and comment; `action` names it in the audit log."""

    def update(req: Request) -> Response:
        with req.store.lock:
            obj = writable(req, type, req.params[0])
            _update_common(req, obj, req.json_body(), action)
            return ok(info(req, obj))

    return update


def delete_leaf(type: SecurableType) -> Callable[[Request], Response]:
    def delete(req: Request) -> Response:
        with req.store.lock:
            writable(req, type, req.params[0])
            req.store.remove(type, req.params[0], force=True)
        return ok()

    return delete


get_table = get_leaf(SecurableType.TABLE, table_info)
update_table = update_leaf(SecurableType.TABLE, table_info, "updateTables")
delete_table = delete_leaf(SecurableType.TABLE)


def register(router: Router) -> None:
    routes = [
        ("GET", f"{UC}/catalogs", list_catalogs),
        ("POST", f"{UC}/catalogs", create_catalog),
        ("GET", f"{UC}/catalogs/{NAME}", get_catalog),
        ("PATCH", f"{UC}/catalogs/{NAME}", update_catalog),
        ("DELETE", f"{UC}/catalogs/{NAME}", delete_catalog),
        ("GET", f"{UC}/schemas", list_schemas),
        ("POST", f"{UC}/schemas", create_schema),
        ("GET", f"{UC}/schemas/{NAME}", get_schema),
        ("PATCH", f"{UC}/schemas/{NAME}", update_schema),
        ("DELETE", f"{UC}/schemas/{NAME}", delete_schema),
        ("GET", f"{UC}/tables", list_tables),
        ("GET", f"{UC}/tables/{NAME}", get_table),
        ("PATCH", f"{UC}/tables/{NAME}", update_table),
        ("DELETE", f"{UC}/tables/{NAME}", delete_table),
    ]
    for method, pattern, handler in routes:
        router.add(method, pattern, handler)
