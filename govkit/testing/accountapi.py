"""Account-level endpoints: service principals (account SCIM), their workspace permission
assignments and federation policies, as the provider calls them when the host is an account host.

Every path starts with `/api/2.0/accounts/{account_id}`; another account id answers 404.
"""

from __future__ import annotations

import uuid
from typing import Any

from govkit.testing import scimapi
from govkit.testing.http import Handler, Request, Response, Router, ok
from govkit.testing.store import ApiError, now_iso

ACCOUNT = "/api/2.0/accounts/([^/]+)"
ID = "([^/]+)"


def in_account(handler: Handler) -> Handler:
    """Check the account id of the path, then call `handler` with the remaining parameters."""

    def checked(req: Request) -> Response:
        account, *rest = req.params
        if account != req.store.account_id:
            raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"Account {account} does not exist.")
        req.params = tuple(rest)
        return handler(req)

    return checked


def _principal(req: Request, principal_id: str) -> dict[str, Any]:
    sp = req.store.service_principals.get(principal_id)
    if sp is None:
        raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"Principal {principal_id} does not exist.")
    return sp


def _workspace(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ApiError(400, "INVALID_PARAMETER_VALUE", f"Invalid workspace id {raw!r}") from None


# -- workspace permission assignments --------------------------------------------------------


def put_assignment(req: Request) -> Response:
    workspace, principal_id = _workspace(req.params[0]), req.params[1]
    permissions = req.json_body().get("permissions")
    if not isinstance(permissions, list) or not permissions:
        raise ApiError(400, "INVALID_PARAMETER_VALUE", "permissions must be a non-empty list")
    with req.store.lock:
        _principal(req, principal_id)
        req.store.assignments[(workspace, principal_id)] = sorted(str(p) for p in permissions)
    return ok({"permissions": sorted(str(p) for p in permissions)})


def list_assignments(req: Request) -> Response:
    workspace = _workspace(req.params[0])
    with req.store.lock:
        found = []
        for (ws, principal_id), permissions in sorted(req.store.assignments.items()):
            if ws != workspace:
                continue
            sp = req.store.service_principals.get(principal_id, {})
            principal = {
                "principal_id": int(principal_id),
                "display_name": sp.get("displayName", ""),
                "service_principal_name": sp.get("applicationId", ""),
            }
            found.append({"principal": principal, "permissions": permissions})
    return ok({"permission_assignments": found})


def delete_assignment(req: Request) -> Response:
    workspace, principal_id = _workspace(req.params[0]), req.params[1]
    with req.store.lock:
        if req.store.assignments.pop((workspace, principal_id), None) is None:
            raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", "Permission assignment not found.")
    return ok()


# -- service principal federation policies ---------------------------------------------------


def create_policy(req: Request) -> Response:
    sp_id = req.params[0]
    policy_id = req.query.get("policy_id") or str(uuid.uuid4())
    body = req.json_body()
    with req.store.lock:
        _principal(req, sp_id)
        if (sp_id, policy_id) in req.store.federation_policies:
            raise ApiError(409, "ALREADY_EXISTS", f"Federation policy {policy_id} already exists.")
        at = now_iso()
        policy = {
            **{k: v for k, v in body.items() if k in ("description", "oidc_policy")},
            "name": f"accounts/{req.store.account_id}/servicePrincipals/{sp_id}"
            f"/federationPolicies/{policy_id}",
            "policy_id": policy_id,
            "service_principal_id": int(sp_id),
            "uid": str(uuid.uuid4()),
            "create_time": at,
            "update_time": at,
        }
        req.store.federation_policies[(sp_id, policy_id)] = policy
        return ok(policy)


def _policy(req: Request) -> dict[str, Any]:
    policy = req.store.federation_policies.get((req.params[0], req.params[1]))
    if policy is None:
        raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"Policy {req.params[1]} does not exist.")
    return policy


def get_policy(req: Request) -> Response:
    with req.store.lock:
        return ok(_policy(req))


def update_policy(req: Request) -> Response:
    body = req.json_body()
    with req.store.lock:
        policy = _policy(req)
        policy.update({k: v for k, v in body.items() if k in ("description", "oidc_policy")})
        policy["update_time"] = now_iso()
        return ok(policy)


def delete_policy(req: Request) -> Response:
    with req.store.lock:
        _policy(req)
        del req.store.federation_policies[(req.params[0], req.params[1])]
    return ok()


def register(router: Router) -> None:
    sps = f"{ACCOUNT}/scim/v2/ServicePrincipals"
    assignments = f"{ACCOUNT}/workspaces/{ID}/permissionassignments"
    policies = f"{ACCOUNT}/servicePrincipals/{ID}/federationPolicies"
    routes: list[tuple[str, str, Handler]] = [
        ("GET", sps, scimapi.list_sps),
        ("POST", sps, scimapi.create_sp),
        ("GET", f"{sps}/{ID}", scimapi.get_sp),
        ("PUT", f"{sps}/{ID}", scimapi.put_sp),
        ("PATCH", f"{sps}/{ID}", scimapi.patch_sp),
        ("DELETE", f"{sps}/{ID}", scimapi.delete_sp),
        ("GET", assignments, list_assignments),
        ("PUT", f"{assignments}/principals/{ID}", put_assignment),
        ("DELETE", f"{assignments}/principals/{ID}", delete_assignment),
        ("POST", policies, create_policy),
        ("GET", f"{policies}/{ID}", get_policy),
        ("PATCH", f"{policies}/{ID}", update_policy),
        ("DELETE", f"{policies}/{ID}", delete_policy),
    ]
    for method, pattern, handler in routes:
        router.add(method, pattern, in_account(handler))
