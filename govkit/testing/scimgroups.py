"""SCIM Groups, as a workspace and as the account serve them, and how tests seed them.

Databricks has two kinds of group. An account group is assigned to workspaces and can hold
Unity Catalog grants; a workspace-local group exists in one workspace only and cannot. Through
a workspace (`/api/2.0/preview/scim/v2/Groups`) both are listed, told apart by
`meta.resourceType` (`Group` or `WorkspaceGroup`); the account
(`/api/2.0/accounts/{account_id}/scim/v2/Groups`) lists only its own.

Lists page by a 1-based `startIndex` and a `count`; clients (databricks-sdk) stop at an empty
page. Errors use the SCIM error body, which the SDKs map by status (`SCIM_404`, ...).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from govkit.state import State
from govkit.testing.accountapi import ACCOUNT, in_account
from govkit.testing.http import Request, Response, Router, ok
from govkit.testing.store import Store

GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
WORKSPACE_GROUPS = "/api/2.0/preview/scim/v2/Groups"
DEFAULT_COUNT = 10000  # what Databricks answers without `count`
_FILTER = re.compile(r'\s*displayName\s+eq\s+"((?:[^"\\]|\\.)*)"\s*', re.IGNORECASE)
_ALWAYS = ("id", "schemas")  # returned whatever `attributes` asks for (RFC 7644 3.9)


class ScimError(Exception):
    """An error answered with the SCIM error body."""

    def __init__(self, status: int, detail: str, scim_type: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, detail, scim_type

    def response(self) -> Response:
        body: dict[str, Any] = {
            "schemas": [ERROR_SCHEMA],
            "detail": self.detail,
            "status": str(self.status),
        }
        if self.scim_type:
            body["scimType"] = self.scim_type
        return Response(self.status, body)


def seed_groups(
    store: Store,
    names: Iterable[str] = (),
    *,
    states: Iterable[State] = (),
    workspace_local: Iterable[str] = (),
) -> None:
    """Give the server groups: `names` and every group a State grants to or that owns a
    securable, as account groups; `workspace_local` as groups of this workspace only.

    A principal that is a user (an e-mail) or a known service principal is not a group.
    """
    wanted = set(names)
    for state in states:
        for s in state.securables:
            wanted.update(s.grants)
            if s.owner:
                wanted.add(s.owner)
    with store.lock:
        sp_ids = {str(sp.get("applicationId")) for sp in store.service_principals.values()}
        for name in sorted(wanted):
            if "@" not in name and name not in sp_ids:
                _add(store, name, workspace_local=False)
        for name in sorted(set(workspace_local)):
            _add(store, name, workspace_local=True)


def _add(store: Store, name: str, *, workspace_local: bool) -> None:
    group_id = str(len(store.groups) + 5000000000000001)
    store.groups[group_id] = {
        "id": group_id,
        "displayName": name,
        "workspaceLocal": workspace_local,
    }


def _view(group: dict[str, Any]) -> dict[str, Any]:
    return {
        "schemas": [GROUP_SCHEMA],
        "id": group["id"],
        "displayName": group["displayName"],
        "members": list(group.get("members", [])),
        "groups": [],
        "roles": [],
        "entitlements": [],
        "meta": {"resourceType": "WorkspaceGroup" if group["workspaceLocal"] else "Group"},
    }


def _project(resource: dict[str, Any], query: dict[str, str]) -> dict[str, Any]:
    """Keep the attributes asked for (top level, as Databricks honours them), or drop the
    excluded ones."""
    wanted = _names(query.get("attributes"))
    excluded = _names(query.get("excludedAttributes"))
    if wanted:
        return {k: v for k, v in resource.items() if k in wanted or k in _ALWAYS}
    return {k: v for k, v in resource.items() if k not in excluded or k in _ALWAYS}


def _names(raw: str | None) -> set[str]:
    return {part.strip().split(".")[0] for part in (raw or "").split(",") if part.strip()}


def _positive(query: dict[str, str], name: str, default: int) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ScimError(400, f"Invalid {name}: {raw!r}", "invalidValue") from None
    return max(value, 1 if name == "startIndex" else 0)


def _matching(req: Request, account: bool) -> list[dict[str, Any]]:
    raw_filter = req.query.get("filter", "")
    wanted = None
    if raw_filter.strip():
        found = _FILTER.fullmatch(raw_filter)
        if found is None:
            raise ScimError(400, f"Unsupported filter: {raw_filter}", "invalidFilter")
        wanted = found.group(1).replace('\\"', '"')
    with req.store.lock:
        groups = [
            g
            for g in req.store.groups.values()
            if not (account and g["workspaceLocal"])
            and (wanted is None or g["displayName"] == wanted)
        ]
    return sorted(groups, key=lambda g: str(g["id"]))


def _list(req: Request, account: bool) -> Response:
    try:
        groups = _matching(req, account)
        start = _positive(req.query, "startIndex", 1)
        count = _positive(req.query, "count", DEFAULT_COUNT)
    except ScimError as exc:
        return exc.response()
    page = [_project(_view(g), req.query) for g in groups[start - 1 : start - 1 + count]]
    return ok(
        {
            "schemas": [LIST_SCHEMA],
            "totalResults": len(groups),
            "startIndex": start,
            "itemsPerPage": len(page),
            "Resources": page,
        }
    )


def _get(req: Request, account: bool) -> Response:
    with req.store.lock:
        group = req.store.groups.get(req.params[0])
    if group is None or (account and group["workspaceLocal"]):
        return ScimError(404, f"Group with id {req.params[0]} not found.").response()
    return ok(_project(_view(group), req.query))


def list_workspace_groups(req: Request) -> Response:
    return _list(req, account=False)


def list_account_groups(req: Request) -> Response:
    return _list(req, account=True)


def get_workspace_group(req: Request) -> Response:
    return _get(req, account=False)


def get_account_group(req: Request) -> Response:
    return _get(req, account=True)


def register(router: Router) -> None:
    account_groups = f"{ACCOUNT}/scim/v2/Groups"
    router.add("GET", WORKSPACE_GROUPS, list_workspace_groups)
    router.add("GET", f"{WORKSPACE_GROUPS}/([^/]+)", get_workspace_group)
    router.add("GET", account_groups, in_account(list_account_groups))
    router.add("GET", f"{account_groups}/([^/]+)", in_account(get_account_group))
