"""`GET /groups/delta`: every group with `members@delta`, then only what changed.

The first walk pages through every group and ends with an `@odata.deltaLink`; following that
link later answers the groups that changed since (members added, members `@removed`, deleted
groups as `@removed`); users and service principals likewise, by account state. A link older
than the directory's sync state answers 400 syncStateNotFound, or 410 after a sync reset.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from govkit.testing.graphapi import (
    GraphError,
    GraphRequest,
    GraphResponse,
    Handler,
    collection,
    decode_token,
    encode_token,
    link,
    parse_filter,
)
from govkit.testing.graphdirectory import GROUP_TYPE, SP_TYPE, USER_TYPE, Directory


def _member_ref(d: Directory, oid: str, removed: bool = False) -> dict[str, Any]:
    kind = USER_TYPE if oid in d.users else GROUP_TYPE if oid in d.groups else SP_TYPE
    ref: dict[str, Any] = {"@odata.type": kind, "id": oid}
    if removed:
        ref["@removed"] = {"reason": "deleted"}
    return ref


def _group_entry(
    req: GraphRequest, gid: str, added: list[str], removed: list[str]
) -> dict[str, Any]:
    d = req.directory
    group = d.groups[gid]
    wanted = [s.strip() for s in req.query.get("$select", "").split(",") if s.strip()]
    entry: dict[str, Any] = {
        k: v for k, v in group.items() if not wanted or k == "id" or k in wanted
    }
    if not wanted or "members" in wanted:
        entry["members@delta"] = [_member_ref(d, m) for m in added] + [
            _member_ref(d, m, removed=True) for m in removed
        ]
    return entry


def _changes(req: GraphRequest, since: int | None) -> list[dict[str, Any]]:
    d = req.directory
    wanted_ids = None
    if "$filter" in req.query:
        wanted_ids = {v for _, v in parse_filter(req.query["$filter"], ("id",))}
    entries: list[dict[str, Any]] = []
    for gid in sorted(d.history):
        if wanted_ids is not None and gid not in wanted_ids:
            continue
        history = d.history[gid]
        if since is not None and history.deleted_at is not None:
            if history.deleted_at > since and history.at(since) is not None:
                entries.append({"id": gid, "@removed": {"reason": "changed"}})
            continue
        if gid not in d.groups:
            continue
        current = set(d.members.get(gid, ()))
        before = history.at(since) if since is not None else None
        if since is not None and before == (frozenset(current), d.groups[gid]["displayName"]):
            continue
        old = set(before[0]) if before is not None else set()
        entries.append(_group_entry(req, gid, sorted(current - old), sorted(old - current)))
    return entries


def _delta(
    req: GraphRequest,
    what: str,
    changes: Callable[[GraphRequest, int | None], list[dict[str, Any]]],
) -> GraphResponse:
    d = req.directory
    with d.lock:
        since: int | None = None
        if "$deltatoken" in req.query:
            since = int(decode_token(req.query["$deltatoken"]).get("gen", -1))
        elif "$skiptoken" in req.query:
            raw = decode_token(req.query["$skiptoken"]).get("since")
            since = None if raw is None else int(raw)
        if since is not None and (since < d.oldest_delta or since > d.generation):
            if d.expired_status == 410:
                raise GraphError(
                    410, "resyncRequired", "A full synchronization is required (sync reset)."
                )
            raise GraphError(
                400,
                "syncStateNotFound",
                "The sync state generation is not found. The delta token is expired and data "
                "must be synchronized again.",
            )
        entries = changes(req, since)
        generation = d.generation
    if "$deltatoken" in req.query:
        # Pages of a change walk keep the generation they started from in their skip token.
        req.query.pop("$deltatoken")
        req.query["$skiptoken"] = encode_token({"offset": 0, "since": since})
    response = collection(req, entries, what)
    body = response.body
    next_link = body.pop("@odata.nextLink", None)
    if next_link is not None:
        offset = int(decode_token(next_link.rsplit("$skiptoken=", 1)[1])["offset"])
        body["@odata.nextLink"] = link(
            req, **{"$skiptoken": encode_token({"offset": offset, "since": since})}
        )
    else:
        body["@odata.deltaLink"] = link(req, **{"$deltatoken": encode_token({"gen": generation})})
    value = body.pop("value")
    body["value"] = value
    return response


def _account_changes(
    req: GraphRequest,
    since: int | None,
    history: dict[str, list[tuple[int, tuple[Any, ...]]]],
    deleted: dict[str, int],
    objects: dict[str, dict[str, Any]],
) -> list[dict[str, Any]]:
    """Users or service principals whose account (name, display name, enabled) changed."""
    wanted = [s.strip() for s in req.query.get("$select", "").split(",") if s.strip()]
    entries: list[dict[str, Any]] = []
    for oid in sorted(history):
        versions = history[oid]
        if oid in deleted:
            if since is not None and deleted[oid] > since and versions[0][0] <= since:
                entries.append({"id": oid, "@removed": {"reason": "changed"}})
            continue
        if since is not None and versions[-1][0] <= since:
            continue
        obj = objects[oid]
        entries.append({k: v for k, v in obj.items() if not wanted or k == "id" or k in wanted})
    return entries


def users_delta(req: GraphRequest) -> GraphResponse:
    """`GET /users/delta`: every user, then the users whose account changed."""
    d = req.directory
    return _delta(
        req, "users",
        lambda r, since: _account_changes(r, since, d.user_history, d.user_deleted, d.users),
    )  # fmt: skip


def service_principals_delta(req: GraphRequest) -> GraphResponse:
    """`GET /servicePrincipals/delta`: every service principal, then those whose account
    changed (disabled, renamed), as Graph's servicePrincipal delta does."""
    d = req.directory
    return _delta(
        req, "servicePrincipals",
        lambda r, since: _account_changes(
            r, since, d.sp_history, d.sp_deleted, d.service_principals
        ),
    )  # fmt: skip


def groups_delta(req: GraphRequest) -> GraphResponse:
    return _delta(req, "groups", _changes)


def register(add: Callable[[str, str, Handler], None]) -> None:
    add("GET", r"/groups/(?:delta(?:\(\))?|microsoft\.graph\.delta)", groups_delta)
    add("GET", r"/users/(?:delta(?:\(\))?|microsoft\.graph\.delta)", users_delta)
    add(
        "GET",
        r"/servicePrincipals/(?:delta(?:\(\))?|microsoft\.graph\.delta)",
        service_principals_delta,
    )
