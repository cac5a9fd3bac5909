"""Read the identities document from Microsoft Graph: declared groups, their members, the rest.

One round looks up every declared group (by `entra_object_id`, and by display name to see
renames and duplicates), service principal (by application id) and user; then rounds of
`members` reads walk the nested groups breadth first until no group is left unread, following
`@odata.nextLink`s in the next round. Every read is a part of a `$batch`; a part that still
fails after retries becomes an error of the document, which then says `complete: false`.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govkit.identity.batching import Answer, Batcher, BatchSettings, Get
from govkit.identity.delta import Cached
from govkit.identity.document import (
    Group,
    Identities,
    IdentityError,
    ServicePrincipal,
    User,
    make_identities,
)

MEMBER_SELECT = "id,displayName,userPrincipalName,appId,accountEnabled"
USER_SELECT = "id,displayName,userPrincipalName,accountEnabled"
SP_SELECT = "id,appId,displayName,accountEnabled"
EVENTUAL = (("ConsistencyLevel", "eventual"),)
_TYPES = {
    "#microsoft.graph.user": "user",
    "#microsoft.graph.group": "group",
    "#microsoft.graph.serviceprincipal": "sp",
}


@dataclass(frozen=True)
class Targets:
    """What the spec declares: groups (display name, object id), application ids, user names."""

    groups: tuple[tuple[str, str | None], ...] = ()
    service_principals: tuple[str, ...] = ()
    users: tuple[str, ...] = ()


@dataclass
class GraphRead:
    """A read's document, its warnings (members of unknown types) and the requests it made.

    `missing_groups` are the declared groups that Graph answered it does not have (neither by
    object id nor by display name); a group whose lookup failed is an error instead.
    """

    identities: Identities
    warnings: list[str]
    requests: int
    cache_text: str | None = None  # the next run's delta cache, after a complete read
    missing_groups: tuple[str, ...] = ()


@dataclass
class _Crawl:
    # id -> {"name": display name, "members": [(kind, id), ...]}
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)  # by id
    sps: dict[str, ServicePrincipal] = field(default_factory=dict)  # by id
    errors: list[IdentityError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    cache: Cached | None = None
    found_groups: set[str] = field(default_factory=set)  # declared names Graph has
    unread_groups: set[str] = field(default_factory=set)  # declared names a lookup failed for

    def missing_groups(self, targets: Targets) -> tuple[str, ...]:
        answered = self.found_groups | self.unread_groups
        return tuple(sorted(name for name, _ in targets.groups if name not in answered))

    def fail(self, item: str, answer: Answer) -> None:
        self.errors.append(IdentityError(item, answer.message or f"HTTP {answer.status}"))


def _odata_string(value: str) -> str:
    """An OData string literal, URL-encoded: quotes doubled inside."""
    return urllib.parse.quote("'" + value.replace("'", "''") + "'", safe="")


def lookups(targets: Targets) -> list[Get]:
    """The first round: every declared principal, by id and by name."""
    gets: list[Get] = []
    for name, oid in targets.groups:
        if oid:
            gets.append(Get(f"group-id\t{name}\t{oid}", f"/groups/{oid}?$select=id,displayName"))
        # $count with ConsistencyLevel: eventual, as Graph's advanced queries require.
        filter_ = urllib.parse.quote("displayName eq ", safe="") + _odata_string(name)
        gets.append(
            Get(
                f"group-name\t{name}",
                f"/groups?$filter={filter_}&$select=id,displayName&$count=true",
                EVENTUAL,
            )
        )
    for app_id in targets.service_principals:
        key = _odata_string(app_id)
        gets.append(Get(f"sp\t{app_id}", f"/servicePrincipals(appId={key})?$select={SP_SELECT}"))
    for upn in targets.users:
        gets.append(Get(f"user\t{upn}", f"/users/{urllib.parse.quote(upn)}?$select={USER_SELECT}"))
    return gets


def _take_lookup(crawl: _Crawl, key: str, answer: Answer) -> None:
    kind, name, *_ = key.split("\t")
    what = {"group-id": "group", "group-name": "group", "sp": "service principal", "user": "user"}
    if answer.status == 404:
        return  # absent: the check reports it; not a failed read
    if not answer.ok or not isinstance(answer.body, dict):
        crawl.fail(f"{what[kind]} {name}", answer)
        if kind.startswith("group"):
            crawl.unread_groups.add(name)
        return
    body = answer.body
    found = body.get("value", []) if kind == "group-name" else [body]
    for obj in found:
        if kind.startswith("group"):
            crawl.groups.setdefault(obj["id"], {"name": obj.get("displayName") or obj["id"]})
            crawl.found_groups.add(name)
        elif kind == "sp":
            _add_sp(crawl, obj)
        else:
            _add_user(crawl, obj)


def _add_user(crawl: _Crawl, obj: dict[str, Any]) -> tuple[str, str]:
    upn = obj.get("userPrincipalName") or obj["id"]
    crawl.users[obj["id"]] = User(
        upn, obj["id"], obj.get("displayName"), bool(obj.get("accountEnabled", True))
    )
    return ("user", obj["id"])


def _add_sp(crawl: _Crawl, obj: dict[str, Any]) -> tuple[str, str]:
    app_id = obj.get("appId") or obj["id"]
    crawl.sps[obj["id"]] = ServicePrincipal(
        app_id, obj["id"], obj.get("displayName"), bool(obj.get("accountEnabled", True))
    )
    return ("sp", obj["id"])


def expand(crawl: _Crawl, gid: str) -> list[Get]:
    """The reads a group needs: none when the cache holds it unchanged (nested ones likewise)."""
    cache = crawl.cache
    if cache is None or gid not in cache.unchanged:
        return [members_get(gid)]
    members = [(str(kind), str(oid)) for kind, oid in cache.groups[gid]["members"]]
    crawl.groups[gid]["members"] = members
    gets: list[Get] = []
    for kind, oid in members:
        if kind == "user" and oid in cache.users:
            crawl.users[oid] = cache.users[oid]
        elif kind == "sp" and oid in cache.sps:
            crawl.sps[oid] = cache.sps[oid]
        elif kind == "group" and oid not in crawl.groups:
            crawl.groups[oid] = {"name": cache.groups.get(oid, {}).get("name", oid)}
            gets.extend(expand(crawl, oid))
    return gets


def _take_members(crawl: _Crawl, gid: str, answer: Answer, batcher: Batcher) -> list[Get]:
    """Record one page of a group's members; the next page and new nested groups to read."""
    group = crawl.groups[gid]
    if not answer.ok or not isinstance(answer.body, dict):
        crawl.fail(f"members of group {group['name']} ({gid})", answer)
        return []
    follow: list[Get] = []
    members: list[tuple[str, str]] = group.setdefault("members", [])
    for obj in answer.body.get("value", []):
        kind = _TYPES.get(str(obj.get("@odata.type", "")).lower())
        if kind == "user":
            members.append(_add_user(crawl, obj))
        elif kind == "sp":
            members.append(_add_sp(crawl, obj))
        elif kind == "group":
            members.append(("group", obj["id"]))
            if obj["id"] not in crawl.groups:
                crawl.groups[obj["id"]] = {"name": obj.get("displayName") or obj["id"]}
                follow.extend(expand(crawl, obj["id"]))
        else:
            crawl.warnings.append(
                f"group {group['name']}: member {obj.get('id')} of type "
                f"{obj.get('@odata.type') or 'unknown'} is not a user, group or service "
                "principal; left out"
            )
    next_link = answer.body.get("@odata.nextLink")
    if isinstance(next_link, str):
        follow.append(Get(f"members\t{gid}\t{next_link}", batcher.relative(next_link)))
    return follow


def members_get(gid: str) -> Get:
    return Get(f"members\t{gid}", f"/groups/{gid}/members?$select={MEMBER_SELECT}&$top=999")


async def crawl_groups(crawl: _Crawl, batcher: Batcher, first: Iterable[Get]) -> None:
    """Read members round by round until every group reached has been read to its last page."""
    pending = list(first)
    while pending:
        answers = await batcher.get_all(pending)
        following: list[Get] = []
        for get in pending:
            gid = get.key.split("\t")[1]
            following.extend(_take_members(crawl, gid, answers[get.key], batcher))
        pending = following


async def read_graph(
    adapter: Any,
    base_url: str,
    targets: Targets,
    settings: BatchSettings,
    cache: Cached | None = None,
    batcher: Batcher | None = None,
) -> tuple[_Crawl, Batcher]:
    """Look up every target, then read the members of every group found (or take the cache's)."""
    batcher = batcher or Batcher(adapter, base_url, settings)
    crawl = _Crawl(cache=cache)
    first = lookups(targets)
    answers = await batcher.get_all(first)
    for get in first:
        _take_lookup(crawl, get.key, answers[get.key])
    first = [get for gid in sorted(crawl.groups) for get in expand(crawl, gid)]
    await crawl_groups(crawl, batcher, first)
    return crawl, batcher


def to_document(crawl: _Crawl, taken_at: str) -> Identities:
    names = {
        "user": {oid: u.name for oid, u in crawl.users.items()},
        "sp": {oid: s.application_id for oid, s in crawl.sps.items()},
        "group": {oid: g["name"] for oid, g in crawl.groups.items()},
    }
    groups = [
        Group(
            g["name"],
            gid,
            tuple(f"{k}:{names[k][oid]}" for k, oid in g.get("members", ()) if oid in names[k]),
        )
        for gid, g in crawl.groups.items()
    ]
    return make_identities(
        "graph",
        groups,
        crawl.users.values(),
        crawl.sps.values(),
        taken_at=taken_at,
        errors=crawl.errors,
    )


def now_utc() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_client(credential: Any, graph_url: str) -> Any:
    """A GraphServiceClient for `graph_url` (its adapter's base URL set before first use)."""
    from msgraph.graph_service_client import GraphServiceClient

    from govkit.identity.credentials import graph_scopes

    client = GraphServiceClient(credentials=credential, scopes=graph_scopes(graph_url))
    client.request_adapter.base_url = graph_url.rstrip("/")
    return client


async def pull_graph(
    credential: Any,
    graph_url: str,
    targets: Targets,
    settings: BatchSettings,
    cache: Path | None = None,
) -> GraphRead:
    """The identities document for `targets`, read from the Graph at `graph_url`.

    With `cache`, a run follows the cache's delta links and reads only what changed; after a
    complete read, `GraphRead.cache_text` is the cache for the next run.
    """
    from govkit.identity import delta

    client = make_client(credential, graph_url)
    taken_at = now_utc()
    batcher = Batcher(client.request_adapter, graph_url, settings)
    data = delta.load_cache(cache, graph_url) if cache is not None else None
    since = await delta.cached_since(batcher, data) if data is not None else None
    links = since[1] if since is not None else None
    if cache is not None and since is None:
        links = await delta.start_links(batcher)
    crawl, _ = await read_graph(
        client.request_adapter, graph_url, targets, settings,
        cache=since[0] if since is not None else None, batcher=batcher,
    )  # fmt: skip
    doc = to_document(crawl, taken_at)
    text = None
    if cache is not None and links is not None and doc.complete:
        text = delta.cache_text(crawl, graph_url, links)
    return GraphRead(doc, crawl.warnings, batcher.requests, text, crawl.missing_groups(targets))
