"""Unity Catalog REST endpoints: permissions, workspace bindings and the metastore.

Who may read and change grants and bindings, and from which workspace, is `callers`'s; a grant
to a principal deleted since stays on the securable and lists only with
`include_deleted_principals`, with its `principal_id` and no `principal` (databricks-sdk
`PrivilegeAssignment`: "For deleted principals, principal is empty while principal_id is
populated").
"""

from __future__ import annotations

import json
from typing import Any

from govkit.privileges import PRIVILEGES, SecurableType
from govkit.testing import callers
from govkit.testing.http import Request, Response, Router, ok, paginate
from govkit.testing.store import ApiError, Obj, Store, now_iso

UC = "/api/2.1/unity-catalog"
NAME = "([^/]+)"

# -- permissions -----------------------------------------------------------------------------


def _securable(req: Request) -> Obj:
    raw_type, name = req.params
    try:
        type = SecurableType(raw_type.lower().replace("-", "_"))
    except ValueError:
        raise ApiError(
            400, "INVALID_PARAMETER_VALUE", f"Invalid securable type {raw_type!r}"
        ) from None
    obj = req.store.get(type, name)
    callers.require_reachable(req.store, req.bound_workspace, obj)
    return obj


def _assignments(store: Store, grants: dict[str, set[str]], deleted: bool) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for principal, held in sorted(grants.items()):
        if not held:
            continue
        gone = store.deleted.get(principal)
        if gone is None:
            out.append({"principal": principal, "privileges": sorted(held)})
        elif deleted:
            out.append({"principal_id": gone, "privileges": sorted(held)})
    return out


def get_permissions(req: Request) -> Response:
    """Direct grants. An admin, an owner or a MANAGE holder sees them all; anyone else its own
    (SQL `SHOW GRANTS`: "you can only see your own grants" without those rights)."""
    store, caller = req.store, req.caller
    with store.lock:
        obj = _securable(req)
        deleted = req.query.get("include_deleted_principals", "").lower() == "true"
        assignments = _assignments(store, obj.grants, deleted)
        if not callers.can_manage(store, caller, obj):
            assignments = [a for a in assignments if a.get("principal") in caller.principals]
    principal = req.query.get("principal")
    if principal is not None:
        assignments = [a for a in assignments if a.get("principal") == principal]
    # A page must hold at least one complete assignment: 1..149 is rejected, as documented.
    page, token = paginate(
        req,
        assignments,
        lambda a: str(a.get("principal") or a.get("principal_id")),
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
        callers.require_writable(req.store, req.bound_workspace, obj)
        callers.require_manage(req.store, req.caller, obj)
        req.store.change_grants(obj, changes)
        req.store.record_audit(
            "updatePermissions",
            {
                "securable_type": obj.type.value,
                "securable_full_name": obj.name,
                "changes": json.dumps(changes, sort_keys=True),
            },
            who=req.caller.name,
        )
        return ok({"privilege_assignments": _assignments(req.store, obj.grants, False)})


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


# -- workspace bindings and the metastore ----------------------------------------------------


_BINDABLE = ("catalog", "storage_credential", "credential", "external_location")


def _bound(req: Request) -> Obj:
    """The securable of a bindings call (`catalog`, `storage_credential`, `external_location`)."""
    type, name = req.params
    if type not in _BINDABLE:
        raise ApiError(400, "INVALID_PARAMETER_VALUE", f"Invalid securable type {type!r}")
    kind = SecurableType.STORAGE_CREDENTIAL if type == "credential" else SecurableType(type)
    return req.store.get(kind, name)


def get_bindings(req: Request) -> Response:
    with req.store.lock:
        obj = _bound(req)
        callers.require_bindings_reader(req.store, req.caller, obj)
        bindings = [{"workspace_id": w, "binding_type": t} for w, t in sorted(obj.bindings.items())]
    page, token = paginate(req, bindings, lambda b: f"{b['workspace_id']:020d}")
    return ok({"bindings": page, **({"next_page_token": token} if token else {})})


def update_bindings(req: Request) -> Response:
    body = req.json_body()
    with req.store.lock:
        obj = _bound(req)
        callers.require_bindings_reader(req.store, req.caller, obj)
        for b in body.get("add") or []:
            obj.bindings[int(b["workspace_id"])] = b.get("binding_type", "BINDING_TYPE_READ_WRITE")
        for b in body.get("remove") or []:
            obj.bindings.pop(int(b["workspace_id"]), None)
        bindings = [{"workspace_id": w, "binding_type": t} for w, t in sorted(obj.bindings.items())]
    return ok({"bindings": bindings})


def get_catalog_workspaces(req: Request) -> Response:
    with req.store.lock:
        obj = req.store.get(SecurableType.CATALOG, req.params[0])
        callers.require_bindings_reader(req.store, req.caller, obj)
        return ok({"workspaces": sorted(obj.bindings)})


def update_catalog_workspaces(req: Request) -> Response:
    body = req.json_body()
    with req.store.lock:
        obj = req.store.get(SecurableType.CATALOG, req.params[0])
        callers.require_bindings_reader(req.store, req.caller, obj)
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
            "owner": store.metastore_owner,
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
