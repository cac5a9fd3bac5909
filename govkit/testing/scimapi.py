"""SCIM endpoints (`Me`, service principals), host metadata and one-hop table lineage."""

from __future__ import annotations

import re
import uuid
from typing import Any

from govkit.testing.http import Request, Response, Router, ok
from govkit.testing.store import ApiError

SCIM = "/api/2.0/preview/scim/v2"
SP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServicePrincipal"


def _scim_missing(what: str) -> ApiError:
    # SCIM answers 404 with its own body shape; the SDKs map it to "not found" by status.
    return ApiError(404, "SCIM_404", f"{what} not found")


def me(req: Request) -> Response:
    """The calling principal, with its groups (SCIM `Me`): who a reader runs as."""
    caller = req.caller
    groups = set(caller.groups)
    if caller.role == "metastore_admin":
        # A metastore admin is a member of the group that owns the metastore (metastore_summary
        # `owner`): how a client tells that it is one.
        groups.add(req.store.metastore_owner)
    body: dict[str, Any] = {
        "id": caller.id,
        "userName": caller.name,
        "displayName": caller.name,
        "active": True,
        "groups": [{"display": g, "type": "direct"} for g in sorted(groups)],
    }
    if caller.role == "service_principal":
        body["applicationId"] = caller.name
    else:
        body["emails"] = [{"value": caller.name, "primary": True}]
    if caller.role == "workspace_admin":
        body["groups"].append({"display": "admins", "type": "direct"})
    # The provider learns the workspace id only from this header (it ignores the body).
    return Response(200, body, {"X-Databricks-Org-Id": str(req.workspace_id)})


def well_known(req: Request) -> Response:
    """Host metadata, on the hosts added with `UCServer.add_host`.

    The server's own port answers 404, which keeps the SDK and the provider on explicit
    configuration (fast, and not retried); the provider then learns the workspace from `Me`.
    """
    host = req.host
    if not host.metadata:
        raise ApiError(404, "NOT_FOUND", "host metadata is not available")
    body = {
        "host_type": host.kind,
        "account_id": req.store.account_id,
        "workspace_id": "" if host.kind == "account" else str(req.workspace_id),
        "cloud": "AWS",
        "oidc_endpoint": "",
    }
    return ok(body)


def _sp_view(sp: dict[str, Any]) -> dict[str, Any]:
    return {
        "schemas": [SP_SCHEMA],
        "id": sp["id"],
        "applicationId": sp["applicationId"],
        "displayName": sp.get("displayName", sp["applicationId"]),
        "active": bool(sp.get("active", True)),
        "externalId": sp.get("externalId"),
        "entitlements": [e for e in sp.get("entitlements", []) if e],
        "groups": sp.get("groups", []),
        "roles": sp.get("roles", []),
    }


def list_sps(req: Request) -> Response:
    wanted = None
    found = re.fullmatch(r'\s*applicationId\s+eq\s+"?([^"]+)"?\s*', req.query.get("filter", ""))
    if found:
        wanted = found.group(1)
    with req.store.lock:
        sps = [
            _sp_view(sp)
            for sp in req.store.service_principals.values()
            if wanted is None or sp["applicationId"] == wanted
        ]
    sps.sort(key=lambda s: str(s["id"]))
    # SCIM pages by a 1-based startIndex and a count; clients stop at an empty page.
    start = max(1, int(req.query.get("startIndex") or 1))
    count = int(req.query.get("count") or 100)
    page = sps[start - 1 : start - 1 + count]
    return ok(
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": len(sps),
            "startIndex": start,
            "itemsPerPage": len(page),
            "Resources": page,
        }
    )


def create_sp(req: Request) -> Response:
    body = req.json_body()
    app_id = str(body.get("applicationId") or uuid.uuid4())
    with req.store.lock:
        if any(s["applicationId"] == app_id for s in req.store.service_principals.values()):
            raise ApiError(
                409,
                "RESOURCE_ALREADY_EXISTS",
                f"Service principal with application ID {app_id} already exists.",
            )
        sp_id = str(len(req.store.service_principals) + 7000000000000001)
        sp = {**body, "id": sp_id, "applicationId": app_id, "active": body.get("active", True)}
        req.store.service_principals[sp_id] = sp
        return Response(201, _sp_view(sp))


def _get_sp(req: Request) -> dict[str, Any]:
    sp = req.store.service_principals.get(req.params[0])
    if sp is None:
        raise _scim_missing(f"Service principal {req.params[0]}")
    return sp


def get_sp(req: Request) -> Response:
    with req.store.lock:
        return ok(_sp_view(_get_sp(req)))


def put_sp(req: Request) -> Response:
    body = req.json_body()
    with req.store.lock:
        sp = _get_sp(req)
        # A PUT without applicationId (the provider sends it only on Azure) keeps the old one.
        updated = {**body, "id": sp["id"], "applicationId": sp["applicationId"]}
        req.store.service_principals[sp["id"]] = updated
        return ok(_sp_view(updated))


def patch_sp(req: Request) -> Response:
    with req.store.lock:
        sp = _get_sp(req)
        for op in req.json_body().get("Operations", []):
            if op.get("path") == "active":
                value = op.get("value")
                raw = value[0].get("value") if isinstance(value, list) and value else value
                sp["active"] = str(raw).lower() == "true"
        return ok(_sp_view(sp))


def delete_sp(req: Request) -> Response:
    with req.store.lock:
        sp = _get_sp(req)
        del req.store.service_principals[sp["id"]]
    return Response(204, None)


def table_lineage(req: Request) -> Response:
    """One hop of lineage for `table_name`, from the stored `system.access.table_lineage` rows."""
    body = req.body if isinstance(req.body, dict) else {}
    name = req.query.get("table_name") or body.get("table_name")
    if not name:
        raise ApiError(400, "INVALID_PARAMETER_VALUE", "Missing required field: table_name")
    with req.store.lock:
        rows = list(req.store.lineage)
    ups = {r["source_table_full_name"] for r in rows if r.get("target_table_full_name") == name}
    downs = {r["target_table_full_name"] for r in rows if r.get("source_table_full_name") == name}
    return ok(
        {
            "upstreams": [_table_ref(n) for n in sorted(u for u in ups if u)],
            "downstreams": [_table_ref(n) for n in sorted(d for d in downs if d)],
        }
    )


def _table_ref(full_name: str) -> dict[str, Any]:
    catalog, schema, name = ([*full_name.split("."), "", ""])[:3]
    return {
        "tableInfo": {
            "name": name,
            "catalog_name": catalog,
            "schema_name": schema,
            "table_type": "TABLE",
        },
        "notebookInfos": [],
        "jobInfos": [],
    }


def register(router: Router) -> None:
    router.add("GET", "/.well-known/databricks-config", well_known)
    router.add("GET", f"{SCIM}/Me", me)
    router.add("GET", f"{SCIM}/ServicePrincipals", list_sps)
    router.add("POST", f"{SCIM}/ServicePrincipals", create_sp)
    router.add("GET", f"{SCIM}/ServicePrincipals/([^/]+)", get_sp)
    router.add("PUT", f"{SCIM}/ServicePrincipals/([^/]+)", put_sp)
    router.add("PATCH", f"{SCIM}/ServicePrincipals/([^/]+)", patch_sp)
    router.add("DELETE", f"{SCIM}/ServicePrincipals/([^/]+)", delete_sp)
    router.add("GET", "/api/2.0/lineage-tracking/table-lineage", table_lineage)
