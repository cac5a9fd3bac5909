"""Microsoft Graph v1.0 endpoints of the local server: what govkit and msgraph-sdk call.

Groups (by id, by `$filter` on displayName), their `members` and `transitiveMembers`, users,
service principals by application id, and groups delta. Collections page by `$top` (default 100,
at most 999) with absolute `@odata.nextLink`s; advanced queries (`$count`, `$search`, OData casts)
need `ConsistencyLevel: eventual`, as in Graph.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from govkit.testing.graphdirectory import GROUP_TYPE, SP_TYPE, USER_TYPE, Directory

DEFAULT_PAGE = 100
MAX_PAGE = 999
DEFAULT_USER_PROPERTIES = (
    "businessPhones", "displayName", "givenName", "id", "jobTitle", "mail", "mobilePhone",
    "officeLocation", "preferredLanguage", "surname", "userPrincipalName",
)  # fmt: skip


class GraphError(Exception):
    """An error answered with Graph's body: `{"error": {"code", "message", "innerError"}}`."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def not_found(what: str) -> GraphError:
    return GraphError(
        404,
        "Request_ResourceNotFound",
        f"Resource '{what}' does not exist or one of its queried reference-property objects "
        "are not present.",
    )


UNSUPPORTED = GraphError(400, "Request_UnsupportedQuery", "Unsupported query.")


@dataclass
class GraphRequest:
    method: str
    path: str  # after /v1.0, repeated slashes collapsed
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    base_url: str  # http://127.0.0.1:PORT/v1.0
    directory: Directory
    body: Any = None
    params: tuple[str, ...] = ()

    @property
    def eventual(self) -> bool:
        return self.headers.get("consistencylevel", "").lower() == "eventual"


@dataclass
class GraphResponse:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    text: str | None = None  # a text/plain body ($count)


Handler = Callable[[GraphRequest], GraphResponse]


def _context(req: GraphRequest, what: str) -> str:
    return f"{req.base_url}/$metadata#{what}"


def _select(req: GraphRequest, obj: dict[str, Any], default: tuple[str, ...] = ()) -> Any:
    wanted = [s.strip() for s in req.query.get("$select", "").split(",") if s.strip()]
    if not wanted:
        return {k: v for k, v in obj.items() if not default or k in default}
    # Graph returns the selected properties that the type has, and always the id.
    return {k: obj[k] for k in ("id", *wanted) if k in obj}


def _typed(req: GraphRequest, obj: dict[str, Any]) -> dict[str, Any]:
    kind = USER_TYPE if "userPrincipalName" in obj else SP_TYPE if "appId" in obj else GROUP_TYPE
    default = DEFAULT_USER_PROPERTIES if kind == USER_TYPE else ()
    return {"@odata.type": kind, **_select(req, obj, default)}


def _string_value(text: str) -> str:
    return text.replace("''", "'")


_EQ = re.compile(r"^\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*$")


def parse_filter(text: str, allowed: tuple[str, ...]) -> list[tuple[str, str]]:
    """`a eq 'x' or a eq 'y'` as [(a, x), (a, y)]; anything else is an unsupported query."""
    clauses = []
    for part in re.split(r"\s+or\s+", text.strip()):
        found = _EQ.match(part)
        if not found or found.group(1) not in allowed:
            raise UNSUPPORTED
        clauses.append((found.group(1), _string_value(found.group(2))))
    return clauses


def _require_advanced(req: GraphRequest, cast: bool = False) -> None:
    if "$search" in req.query and not req.eventual:
        raise GraphError(
            400,
            "Request_BadRequest",
            "Request with $search query parameter only works through MSGraph with a special "
            "request header: 'ConsistencyLevel: eventual'",
        )
    if req.query.get("$count", "").lower() == "true" and not req.eventual:
        raise GraphError(400, "Request_BadRequest", "$count is not currently supported.")
    if cast and not (req.eventual and req.query.get("$count", "").lower() == "true"):
        raise UNSUPPORTED


def _page_size(req: GraphRequest) -> int:
    raw = req.query.get("$top")
    if raw is None:
        return DEFAULT_PAGE
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise GraphError(
            400,
            "Request_BadRequest",
            f"Invalid page size specified: '{raw}'. Must be between 1 and {MAX_PAGE} inclusive.",
        )
    return int(raw)


def encode_token(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def decode_token(token: str) -> dict[str, Any]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError):
        raise GraphError(400, "Request_BadRequest", "Invalid skip token.") from None
    if not isinstance(data, dict):
        raise GraphError(400, "Request_BadRequest", "Invalid skip token.")
    return data


def link(req: GraphRequest, **extra: str) -> str:
    """An absolute link to this path with the same query, `$skiptoken` etc. replaced."""
    query = {k: v for k, v in req.query.items() if k not in ("$skiptoken", "$deltatoken")}
    query.update(extra)
    qs = urllib.parse.urlencode(query, safe="$,'()=", quote_via=urllib.parse.quote)
    return f"{req.base_url}{req.path}?{qs}"


def collection(req: GraphRequest, items: list[dict[str, Any]], what: str) -> GraphResponse:
    """One page of `items`, with `@odata.count` on the first page when asked."""
    size = _page_size(req)
    start = 0
    if "$skiptoken" in req.query:
        start = int(decode_token(req.query["$skiptoken"]).get("offset", 0))
    body: dict[str, Any] = {"@odata.context": _context(req, what)}
    if req.query.get("$count", "").lower() == "true" and start == 0:
        body["@odata.count"] = len(items)
    if start + size < len(items):
        body["@odata.nextLink"] = link(
            req, **{"$skiptoken": encode_token({"offset": start + size})}
        )
    body["value"] = items[start : start + size]
    return GraphResponse(200, body)


# -- groups --------------------------------------------------------------------------------------


def _listing(
    req: GraphRequest,
    what: str,
    what_kind: str,
    filterable: tuple[str, ...],
    default: tuple[str, ...] = (),
) -> GraphResponse:
    """A collection in id order, narrowed by `$filter` (string equality, case-insensitive)."""
    _require_advanced(req)
    d = req.directory
    with d.lock:
        if "$filter" in req.query:
            clauses = parse_filter(req.query["$filter"], filterable)
            hits = {o["id"]: o for k, v in clauses for o in d.lookup(what_kind, k, v)}
            found = [hits[i] for i in sorted(hits)]
        else:
            objects: dict[str, dict[str, Any]] = getattr(d, what_kind)
            found = sorted(objects.values(), key=lambda o: o["id"])
        items = [_select(req, o, default) for o in found]
    return collection(req, items, what)


def list_groups(req: GraphRequest) -> GraphResponse:
    return _listing(req, "groups", "groups", ("displayName", "id"))


def list_users(req: GraphRequest) -> GraphResponse:
    fields = ("userPrincipalName", "id", "mail")
    return _listing(req, "users", "users", fields, DEFAULT_USER_PROPERTIES)


def list_sps(req: GraphRequest) -> GraphResponse:
    fields = ("appId", "id", "displayName")
    return _listing(req, "servicePrincipals", "service_principals", fields)


def _group(req: GraphRequest) -> dict[str, Any]:
    group = req.directory.groups.get(req.params[0])
    if group is None:
        raise not_found(req.params[0])
    return group


def get_group(req: GraphRequest) -> GraphResponse:
    with req.directory.lock:
        body = _select(req, _group(req))
    return GraphResponse(200, {"@odata.context": _context(req, "groups/$entity"), **body})


def _member_ids(d: Directory, gid: str, transitive: bool) -> list[str]:
    if not transitive:
        return list(d.members.get(gid, ()))
    seen: dict[str, None] = {}
    frontier = [gid]
    while frontier:
        following = []
        for group_id in frontier:
            for member in d.members.get(group_id, ()):
                if member not in seen and member != gid:
                    seen[member] = None
                    if member in d.groups:
                        following.append(member)
        frontier = following
    return sorted(seen)


_CASTS = {
    f"{prefix}.{name}": kind
    for prefix in ("graph", "microsoft.graph")
    for name, kind in (("user", USER_TYPE), ("group", GROUP_TYPE), ("servicePrincipal", SP_TYPE))
}


def group_members(req: GraphRequest) -> GraphResponse:
    transitive = req.params[1] == "transitiveMembers"
    cast = req.params[2] if len(req.params) > 2 else None
    if cast is not None and cast not in _CASTS:
        raise GraphError(400, "Request_BadRequest", f"Unsupported type cast segment '{cast}'.")
    _require_advanced(req, cast=cast is not None)
    d = req.directory
    with d.lock:
        _group(req)
        objects = [d.object(m) for m in _member_ids(d, req.params[0], transitive)]
        items = [_typed(req, o) for o in objects if o is not None]
    if cast is not None:
        items = [i for i in items if i["@odata.type"] == _CASTS[cast]]
    return collection(req, items, "directoryObjects")


def group_members_count(req: GraphRequest) -> GraphResponse:
    if not req.eventual:
        raise GraphError(400, "Request_BadRequest", "$count is not currently supported.")
    with req.directory.lock:
        _group(req)
        count = len(_member_ids(req.directory, req.params[0], req.params[1] != "members"))
    return GraphResponse(200, text=str(count))


# -- users and service principals ----------------------------------------------------------------


def get_user(req: GraphRequest) -> GraphResponse:
    key = urllib.parse.unquote(req.params[0])
    d = req.directory
    with d.lock:
        user = d.users.get(key) or d.user_by_upn(key)
        if user is None:
            raise not_found(key)
        body = _select(req, user, DEFAULT_USER_PROPERTIES)
    return GraphResponse(200, {"@odata.context": _context(req, "users/$entity"), **body})


def _sp_response(req: GraphRequest, sp: dict[str, Any] | None, key: str) -> GraphResponse:
    if sp is None:
        raise not_found(key)
    body = _select(req, sp)
    return GraphResponse(
        200, {"@odata.context": _context(req, "servicePrincipals/$entity"), **body}
    )


def get_sp_by_app_id(req: GraphRequest) -> GraphResponse:
    key = _string_value(urllib.parse.unquote(req.params[0]))
    with req.directory.lock:
        return _sp_response(req, req.directory.sp_by_app_id(key), key)


def get_sp(req: GraphRequest) -> GraphResponse:
    with req.directory.lock:
        return _sp_response(req, req.directory.service_principals.get(req.params[0]), req.params[0])


def get_object(req: GraphRequest) -> GraphResponse:
    with req.directory.lock:
        obj = req.directory.object(req.params[0])
        if obj is None:
            raise not_found(req.params[0])
        body = _typed(req, obj)
    return GraphResponse(200, {"@odata.context": _context(req, "directoryObjects/$entity"), **body})


def register(add: Callable[[str, str, Handler], None]) -> None:
    """Routes under /v1.0 (register the delta routes first: `delta` looks like an id)."""
    guid = r"([0-9A-Za-z-]+)"
    add("GET", "/groups", list_groups)
    add("GET", f"/groups/{guid}", get_group)
    add("GET", f"/groups/{guid}/(members|transitiveMembers)", group_members)
    add("GET", f"/groups/{guid}/(members|transitiveMembers)/([A-Za-z.]+)", group_members)
    add("GET", rf"/groups/{guid}/(members|transitiveMembers)/\$count", group_members_count)
    add("GET", "/users", list_users)
    add("GET", "/users/([^/]+)", get_user)
    add("GET", "/servicePrincipals", list_sps)
    add("GET", r"/servicePrincipals\(appId='((?:[^']|'')*)'\)", get_sp_by_app_id)
    add("GET", f"/servicePrincipals/{guid}", get_sp)
    add("GET", f"/directoryObjects/{guid}", get_object)
