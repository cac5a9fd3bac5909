"""The delta cache of `identities pull --cache FILE`: a nightly run reads only what changed.

The cache keeps the last read by object ids and the delta links of `groups/delta` (names and
memberships), `users/delta` and `servicePrincipals/delta` (account state). The next run follows
the three links: groups that did not change take their members from the cache, users and
service principals take their changed state from the delta; the rest is read as usual. An
expired link (400 syncStateNotFound, or 410 Gone after a reset), an unreadable delta, a cache
for another Graph or a cache that is not one all mean a full read, never a partial one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from govkit.identity.batching import Batcher, Get
from govkit.identity.document import ServicePrincipal, User

T = TypeVar("T")
FORMAT = "govkit.identities-cache/v1"
GROUPS_DELTA = "/groups/delta?$select=displayName,members"
USERS_DELTA = "/users/delta?$select=id,displayName,userPrincipalName,accountEnabled"
# A service principal disabled or renamed in a group that did not change shows only here
# (servicePrincipal: delta, Microsoft Graph v1.0 reference).
SPS_DELTA = "/servicePrincipals/delta?$select=id,appId,displayName,accountEnabled"
_WALKS = (("groups_delta", GROUPS_DELTA), ("users_delta", USERS_DELTA), ("sps_delta", SPS_DELTA))


@dataclass
class Cached:
    """A previous read by ids, and which of its groups Graph's delta says did not change."""

    groups: dict[str, dict[str, Any]]  # id -> {"name": str, "members": [[kind, id], ...]}
    users: dict[str, User]
    sps: dict[str, ServicePrincipal]
    unchanged: frozenset[str]


class ReadByIds(Protocol):
    """A complete read by object ids (graph.py's crawl), as the cache keeps it."""

    @property
    def groups(self) -> Mapping[str, Mapping[str, Any]]: ...
    @property
    def users(self) -> Mapping[str, User]: ...
    @property
    def sps(self) -> Mapping[str, ServicePrincipal]: ...


async def walk(batcher: Batcher, link: str) -> tuple[list[dict[str, Any]], str] | None:
    """Every entry of a delta walk and its new delta link; None when it must start over."""
    entries: list[dict[str, Any]] = []
    url = batcher.relative(link)
    for _ in range(10_000):  # a bound on pages, against a server that never ends a walk
        answer = (await batcher.get_all([Get("delta", url)]))["delta"]
        if not answer.ok or not isinstance(answer.body, dict):
            return None  # 410 Gone, or a page that failed: read everything instead
        entries.extend(answer.body.get("value", []))
        if "@odata.deltaLink" in answer.body:
            return entries, str(answer.body["@odata.deltaLink"])
        next_link = answer.body.get("@odata.nextLink")
        if not isinstance(next_link, str):
            return None
        url = batcher.relative(next_link)
    return None


def load_cache(path: Path, graph_url: str) -> dict[str, Any] | None:
    """The cache at `path` if it is one, for this Graph; None otherwise (then: a full read)."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    if data.get("graph_url") != graph_url.rstrip("/"):
        return None
    return data


async def cached_since(
    batcher: Batcher, data: dict[str, Any]
) -> tuple[Cached, dict[str, str]] | None:
    """The cache brought up to date by the three delta walks (groups, users, service
    principals), and the new links; None: read all. An expired link (400 syncStateNotFound
    or 410 Gone) and a cache without one of the links are both a full read."""
    walks = {}
    for key, _ in _WALKS:
        walked = await walk(batcher, str(data.get(key, "")))
        if walked is None:
            return None
        walks[key] = walked
    users = _merged(
        {oid: User(*row) for oid, row in data.get("users", {}).items()},
        walks["users_delta"][0],
        lambda oid, e, old: User(
            e.get("userPrincipalName") or (old.name if old else oid),
            oid,
            e.get("displayName") or (old.display_name if old else None),
            bool(e.get("accountEnabled", old.enabled if old else True)),
        ),
    )
    sps = _merged(
        {oid: ServicePrincipal(*row) for oid, row in data.get("sps", {}).items()},
        walks["sps_delta"][0],
        lambda oid, e, old: ServicePrincipal(
            e.get("appId") or (old.application_id if old else oid),
            oid,
            e.get("displayName") or (old.display_name if old else None),
            bool(e.get("accountEnabled", old.enabled if old else True)),
        ),
    )
    changed = {str(e.get("id")) for e in walks["groups_delta"][0]}
    groups: dict[str, dict[str, Any]] = data.get("groups", {})
    cached = Cached(
        groups=groups, users=users, sps=sps, unchanged=frozenset(groups.keys() - changed)
    )
    return cached, {key: walks[key][1] for key, _ in _WALKS}


def _merged(
    cached: dict[str, T],
    entries: list[dict[str, Any]],
    build: Callable[[str, dict[str, Any], T | None], T],
) -> dict[str, T]:
    """`cached` with a delta walk's entries applied: changed ones rebuilt, `@removed` gone."""
    out = dict(cached)
    for entry in entries:
        oid = str(entry.get("id"))
        old = out.pop(oid, None)
        if "@removed" not in entry:
            out[oid] = build(oid, entry, old)
    return out


async def start_links(batcher: Batcher) -> dict[str, str] | None:
    """Delta links as of now, from a walk whose entries a full read makes redundant."""
    links = {}
    for key, start in _WALKS:
        walked = await walk(batcher, start)
        if walked is None:
            return None
        links[key] = walked[1]
    return links


def cache_text(crawl: ReadByIds, graph_url: str, links: dict[str, str]) -> str:
    """The cache after a complete read: ids, names, members and the delta links."""
    data = {
        "format": FORMAT,
        "graph_url": graph_url.rstrip("/"),
        **links,
        "groups": {
            gid: {"name": g["name"], "members": [list(m) for m in g.get("members", ())]}
            for gid, g in sorted(crawl.groups.items())
        },
        "users": {
            oid: [u.name, u.id, u.display_name, u.enabled] for oid, u in sorted(crawl.users.items())
        },
        "sps": {
            oid: [s.application_id, s.id, s.display_name, s.enabled]
            for oid, s in sorted(crawl.sps.items())
        },
    }
    return json.dumps(data, separators=(",", ":")) + "\n"
