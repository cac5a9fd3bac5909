"""Unity Catalog REST endpoints: catalogs, schemas, tables, permissions, bindings, metastore.

Paths, bodies and error codes follow what databricks-sdk and the Terraform provider send and
expect (see the wire references). Path parameters arrive unescaped, dots included.
"""

from __future__ import annotations

from typing import Any

from govkit.privileges import PRIVILEGES, SecurableType
from govkit.testing.http import Request, Response, Router, ok, paginate
from govkit.testing.store import SYSTEM_OWNER, SYSTEM_SCHEMA, ApiError, Obj, now_iso

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


def catalog_info(req: Request, obj: Obj) -> dict[str, Any]:
    return {
        **_base(req, obj),
        "name": obj.name,
        "isolation_mode": obj.isolation_mode,
        "catalog_type": "MANAGED_CATALOG",
        "securable_type": "CATALOG",
        "id": obj.id,
        "browse_only": False,
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


def table_info(req: Request, obj: Obj) -> dict[str, Any]:
    catalog, schema, name = obj.parts
    return {
        **_base(req, obj),
        "name": name,
        "catalog_name": catalog,
        "schema_name": schema,
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


def list_catalogs(req: Request) -> Response:
    with req.store.lock:
        infos = [catalog_info(req, o) for o in req.store.of_type(SecurableType.CATALOG)]
    page, token = paginate(req, infos, lambda i: str(i["name"]))
    return ok({"catalogs": page, **({"next_page_token": token} if token else {})})


def create_catalog(req: Request) -> Response:
    body = req.json_body()
    name = _required(req, "name")
    with req.store.lock:
        obj = req.store.add(Obj(SecurableType.CATALOG, name, req.store.caller))
        obj.extra = {k: body[k] for k in _ECHOED if k in body}
        # Unity Catalog creates `default` in every new catalog; the provider deletes it.
        req.store.add(Obj(SecurableType.SCHEMA, f"{name}.default", req.store.caller))
        return ok(catalog_info(req, obj))


def get_catalog(req: Request) -> Response:
    with req.store.lock:
        return ok(catalog_info(req, req.store.get(SecurableType.CATALOG, req.params[0])))


def update_catalog(req: Request) -> Response:
    body = req.json_body()
    with req.store.lock:
        obj = req.store.get(SecurableType.CATALOG, req.params[0])
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
        req.store.record_audit(action, {key: obj.name, "owner": obj.owner})


def delete_catalog(req: Request) -> Response:
    with req.store.lock:
        req.store.remove(SecurableType.CATALOG, req.params[0], req.query.get("force") == "true")
    return ok()


# -- schemas ---------------------------------------------------------------------------------


def list_schemas(req: Request) -> Response:
    catalog = _required(req, "catalog_name")
    with req.store.lock:
        req.store.get(SecurableType.CATALOG, catalog)
        infos = [schema_info(req, o) for o in req.store.children(SecurableType.SCHEMA, catalog)]
    infos = sorted([*infos, _system_schema(req, catalog)], key=lambda i: str(i["name"]))
    page, token = paginate(req, infos, lambda i: str(i["name"]))
    return ok({"schemas": page, **({"next_page_token": token} if token else {})})


def create_schema(req: Request) -> Response:
    body = req.json_body()
    name, catalog = _required(req, "name"), _required(req, "catalog_name")
    with req.store.lock:
        req.store.get(SecurableType.CATALOG, catalog)
        obj = req.store.add(Obj(SecurableType.SCHEMA, f"{catalog}.{name}", req.store.caller))
        obj.extra = {k: body[k] for k in _ECHOED if k in body}
        req.store.schema_created(obj.name)
        return ok(schema_info(req, obj))


def get_schema(req: Request) -> Response:
    with req.store.lock:
        return ok(schema_info(req, req.store.get(SecurableType.SCHEMA, req.params[0])))


def update_schema(req: Request) -> Response:
    with req.store.lock:
        obj = req.store.get(SecurableType.SCHEMA, req.params[0])
        _update_common(req, obj, req.json_body(), "updateSchema")
        return ok(schema_info(req, obj))


def delete_schema(req: Request) -> Response:
    with req.store.lock:
        req.store.remove(SecurableType.SCHEMA, req.params[0], req.query.get("force") == "true")
    return ok()


# -- tables ----------------------------------------------------------------------------------


def list_tables(req: Request) -> Response:
    catalog, schema = _required(req, "catalog_name"), _required(req, "schema_name")
    with req.store.lock:
        req.store.get(SecurableType.SCHEMA, f"{catalog}.{schema}")
        children = req.store.children(SecurableType.TABLE, f"{catalog}.{schema}")
        infos = [table_info(req, o) for o in children]
    page, token = paginate(req, infos, lambda i: str(i["name"]))
    return ok({"tables": page, **({"next_page_token": token} if token else {})})


def get_table(req: Request) -> Response:
    with req.store.lock:
        return ok(table_info(req, req.store.get(SecurableType.TABLE, req.params[0])))


def update_table(req: Request) -> Response:
    with req.store.lock:
        obj = req.store.get(SecurableType.TABLE, req.params[0])
        _update_common(req, obj, req.json_body(), "updateTables")
        return ok(table_info(req, obj))


def delete_table(req: Request) -> Response:
    with req.store.lock:
        req.store.remove(SecurableType.TABLE, req.params[0], force=True)
    return ok()


# -- permissions -----------------------------------------------------------------------------


def _securable(req: Request) -> Obj:
    raw_type, name = req.params
    try:
        type = SecurableType(raw_type.lower().replace("-", "_"))
    except ValueError:
        raise ApiError(
            400, "INVALID_PARAMETER_VALUE", f"Invalid securable type {raw_type!r}"
        ) from None
    return req.store.get(type, name)


def _assignments(grants: dict[str, set[str]]) -> list[dict[str, Any]]:
    return [{"principal": p, "privileges": sorted(v)} for p, v in sorted(grants.items()) if v]


def get_permissions(req: Request) -> Response:
    with req.store.lock:
        obj = _securable(req)
        assignments = _assignments(obj.grants)
    principal = req.query.get("principal")
    if principal is not None:
        assignments = [a for a in assignments if a["principal"] == principal]
    # A page must hold at least one complete assignment: 1..149 is rejected, as documented.
    page, token = paginate(
        req,
        assignments,
        lambda a: str(a["principal"]),
        page_size=req.config.permissions_page_size,
        minimum_positive=150,
    )
    return ok({"privilege_assignments": page, **({"next_page_token": token} if token else {})})


def update_permissions(req: Request) -> Response:
    changes = req.json_body().get("changes") or []
    if not isinstance(changes, list):
        raise ApiError(400, "INVALID_PARAMETER_VALUE", "changes must be a list")
    with req.store.lock:
        obj = _securable(req)
        req.store.change_grants(obj, changes)
        req.store.record_audit(
            "updatePermissions",
            {
                "securable_type": obj.type.value,
                "securable_full_name": obj.name,
                "changes": _json(changes),
            },
        )
        return ok({"privilege_assignments": _assignments(obj.grants)})


def get_effective_permissions(req: Request) -> Response:
    with req.store.lock:
        obj = _securable(req)
        effective: dict[str, list[dict[str, Any]]] = {}
        parts = obj.parts
        for depth, type in enumerate((SecurableType.CATALOG, SecurableType.SCHEMA), start=1):
            if depth >= len(parts):
                break
            ancestor = req.store.get(type, ".".join(parts[:depth]))
            for principal, privileges in ancestor.grants.items():
                for p in sorted(privileges & PRIVILEGES[obj.type]):
                    effective.setdefault(principal, []).append(
                        {
                            "privilege": p,
                            "inherited_from_type": type.value.upper(),
                            "inherited_from_name": ancestor.name,
                        }
                    )
        for principal, privileges in obj.grants.items():
            for p in sorted(privileges):
                effective.setdefault(principal, []).append({"privilege": p})
    return ok(
        {
            "privilege_assignments": [
                {"principal": p, "privileges": v} for p, v in sorted(effective.items())
            ]
        }
    )


def _json(value: Any) -> str:
    import json

    return json.dumps(value, sort_keys=True)


# -- workspace bindings and the metastore ----------------------------------------------------


def get_bindings(req: Request) -> Response:
    type, name = req.params
    with req.store.lock:
        obj = req.store.get(SecurableType(type), name)
        bindings = [{"workspace_id": w, "binding_type": t} for w, t in sorted(obj.bindings.items())]
    page, token = paginate(req, bindings, lambda b: f"{b['workspace_id']:020d}")
    return ok({"bindings": page, **({"next_page_token": token} if token else {})})


def update_bindings(req: Request) -> Response:
    type, name = req.params
    body = req.json_body()
    with req.store.lock:
        obj = req.store.get(SecurableType(type), name)
        for b in body.get("add") or []:
            obj.bindings[int(b["workspace_id"])] = b.get("binding_type", "BINDING_TYPE_READ_WRITE")
        for b in body.get("remove") or []:
            obj.bindings.pop(int(b["workspace_id"]), None)
        bindings = [{"workspace_id": w, "binding_type": t} for w, t in sorted(obj.bindings.items())]
    return ok({"bindings": bindings})


def get_catalog_workspaces(req: Request) -> Response:
    with req.store.lock:
        obj = req.store.get(SecurableType.CATALOG, req.params[0])
        return ok({"workspaces": sorted(obj.bindings)})


def update_catalog_workspaces(req: Request) -> Response:
    body = req.json_body()
    with req.store.lock:
        obj = req.store.get(SecurableType.CATALOG, req.params[0])
        for w in body.get("assign_workspaces") or []:
            obj.bindings[int(w)] = "BINDING_TYPE_READ_WRITE"
        for w in body.get("unassign_workspaces") or []:
            obj.bindings.pop(int(w), None)
        return ok({"workspaces": sorted(obj.bindings)})


def current_metastore_assignment(req: Request) -> Response:
    store = req.store
    return ok(
        {
            "metastore_id": store.metastore_id,
            "workspace_id": req.workspace_id,
            "default_catalog_name": "main",
        }
    )


def metastore_summary(req: Request) -> Response:
    store = req.store
    return ok(
        {
            "metastore_id": store.metastore_id,
            "name": "govkit-local",
            "owner": "metastore-admins",
            "region": "local",
            "cloud": "azure",
            "global_metastore_id": f"azure:local:{store.metastore_id}",
            "created_at": 0,
            "updated_at": 0,
            "delta_sharing_scope": "INTERNAL",
            "privilege_model_version": "1.0",
            "updated_by": store.caller,
            "created_by": store.caller,
            "last_updated": now_iso(),
        }
    )


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
        ("GET", f"{UC}/permissions/{NAME}/{NAME}", get_permissions),
        ("PATCH", f"{UC}/permissions/{NAME}/{NAME}", update_permissions),
        ("GET", f"{UC}/effective-permissions/{NAME}/{NAME}", get_effective_permissions),
        ("GET", f"{UC}/bindings/{NAME}/{NAME}", get_bindings),
        ("PATCH", f"{UC}/bindings/{NAME}/{NAME}", update_bindings),
        ("GET", f"{UC}/workspace-bindings/catalogs/{NAME}", get_catalog_workspaces),
        ("PATCH", f"{UC}/workspace-bindings/catalogs/{NAME}", update_catalog_workspaces),
        ("GET", f"{UC}/current-metastore-assignment", current_metastore_assignment),
        ("GET", f"{UC}/metastore_summary", metastore_summary),
    ]
    for method, pattern, handler in routes:
        router.add(method, pattern, handler)
