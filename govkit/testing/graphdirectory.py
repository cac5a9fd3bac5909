"""The directory behind the local Graph server: an identities document as Graph objects.

Every object gets a stable id (its own, else a UUID derived from its name), so the same document
always serves the same ids. Replacing the directory bumps a generation; groups remember their
members per generation, which is what delta queries answer from.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from govkit.identity.document import Identities, parse_member

_NAMESPACE = uuid.UUID("6f1c7a52-3b0e-4d5e-9a51-8e2c0d4b7a10")

USER_TYPE = "#microsoft.graph.user"
GROUP_TYPE = "#microsoft.graph.group"
SP_TYPE = "#microsoft.graph.servicePrincipal"


def derived_id(kind: str, name: str) -> str:
    """A stable object id for an object the document names without an id."""
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{name}"))


@dataclass
class GroupHistory:
    """A group's members by generation, and the generation it was deleted in (if it was)."""

    versions: list[tuple[int, frozenset[str], str]] = field(default_factory=list)
    deleted_at: int | None = None

    def at(self, generation: int) -> tuple[frozenset[str], str] | None:
        """Members and display name as of `generation`, or None if the group did not exist."""
        found = None
        for gen, members, name in self.versions:
            if gen <= generation:
                found = (members, name)
        return found


@dataclass
class Directory:
    """Users, groups and service principals as Graph returns them, by object id."""

    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    service_principals: dict[str, dict[str, Any]] = field(default_factory=dict)
    members: dict[str, tuple[str, ...]] = field(default_factory=dict)  # group id -> member ids
    generation: int = 1
    oldest_delta: int = 0  # delta tokens older than this are expired (410)
    history: dict[str, GroupHistory] = field(default_factory=dict)
    # user id -> (generation, account state) per change, and when it was deleted
    user_history: dict[str, list[tuple[int, tuple[Any, ...]]]] = field(default_factory=dict)
    user_deleted: dict[str, int] = field(default_factory=dict)
    # service principal id -> (generation, account state) per change, and when it was deleted
    sp_history: dict[str, list[tuple[int, tuple[Any, ...]]]] = field(default_factory=dict)
    sp_deleted: dict[str, int] = field(default_factory=dict)
    # What an expired delta link answers: identity resources answer 400 syncStateNotFound
    # ("Duration of change tracking tokens for identity and education resources", Microsoft
    # 365 Developer Blog, 2020-07-03); a synchronization reset answers 410 Gone ("Use delta
    # query to track changes in Microsoft Graph data", learn.microsoft.com/graph/
    # delta-query-overview, "Synchronization reset").
    expired_status: int = 400
    lock: threading.RLock = field(default_factory=threading.RLock)
    _indexes: dict[tuple[str, str], dict[str, list[dict[str, Any]]]] = field(default_factory=dict)

    def lookup(self, kind: str, key: str, value: str) -> list[dict[str, Any]]:
        """Objects of `kind` whose `key` equals `value` (case-insensitive, as Graph's `eq`)."""
        index = self._indexes.get((kind, key))
        if index is None:
            index = {}
            objects: dict[str, dict[str, Any]] = getattr(self, kind)
            for obj in sorted(objects.values(), key=lambda o: str(o["id"])):
                index.setdefault(str(obj[key]).lower(), []).append(obj)
            self._indexes[(kind, key)] = index
        return index.get(value.lower(), [])

    def object(self, oid: str) -> dict[str, Any] | None:
        return self.users.get(oid) or self.groups.get(oid) or self.service_principals.get(oid)

    def user_by_upn(self, upn: str) -> dict[str, Any] | None:
        return next(iter(self.lookup("users", "userPrincipalName", upn)), None)

    def sp_by_app_id(self, app_id: str) -> dict[str, Any] | None:
        return next(iter(self.lookup("service_principals", "appId", app_id)), None)

    def replace(self, doc: Identities) -> None:
        """Serve `doc` from now on; groups that changed are what the next delta reports."""
        with self.lock:
            fresh = build_directory(doc)
            self.generation += 1
            for gid, group in fresh.groups.items():
                history = self.history.setdefault(gid, GroupHistory())
                state = (frozenset(fresh.members[gid]), group["displayName"])
                if history.at(self.generation) != state or history.deleted_at is not None:
                    history.versions.append((self.generation, *state))
                    history.deleted_at = None
            for gid in self.groups.keys() - fresh.groups.keys():
                self.history[gid].deleted_at = self.generation
            for now, before, accounts, deleted, account in (
                (fresh.users, self.users, self.user_history, self.user_deleted, user_state),
                (fresh.service_principals, self.service_principals, self.sp_history,
                 self.sp_deleted, sp_state),
            ):  # fmt: skip
                for oid, obj in now.items():
                    versions = accounts.setdefault(oid, [])
                    if not versions or versions[-1][1] != account(obj) or oid in deleted:
                        versions.append((self.generation, account(obj)))
                        deleted.pop(oid, None)
                for oid in before.keys() - now.keys():
                    deleted[oid] = self.generation
            self._indexes.clear()
            self.users, self.groups = fresh.users, fresh.groups
            self.service_principals, self.members = fresh.service_principals, fresh.members

    def expire_delta_links(self, status: int = 400) -> None:
        """Every delta link issued so far answers `status`: 400 syncStateNotFound (a token
        past its lifetime) or 410 Gone (a synchronization reset)."""
        with self.lock:
            self.oldest_delta = self.generation + 1
            self.generation += 1
            self.expired_status = status


def user_state(user: dict[str, Any]) -> tuple[Any, ...]:
    return (user["userPrincipalName"], user["displayName"], user["accountEnabled"])


def sp_state(sp: dict[str, Any]) -> tuple[Any, ...]:
    return (sp["appId"], sp["displayName"], sp["accountEnabled"])


def build_directory(doc: Identities) -> Directory:
    """Graph objects for every user, group and service principal of `doc`.

    A member that the document lists only inside a group (a user or service principal with no
    entry of its own) is served as an enabled object of that name.
    """
    directory = Directory()
    for user in doc.users:
        _add_user(directory, user.name, user.id, user.display_name, user.enabled)
    for sp in doc.service_principals:
        _add_sp(directory, sp.application_id, sp.id, sp.display_name, sp.enabled)
    group_ids: dict[str, str] = {}
    for group in doc.groups:
        gid = group.id or derived_id("group", group.display_name)
        group_ids.setdefault(group.display_name, gid)
        directory.groups[gid] = {
            "id": gid,
            "displayName": group.display_name,
            "description": None,
            "mail": None,
            "mailEnabled": False,
            "mailNickname": group.display_name.replace(" ", "-"),
            "securityEnabled": True,
            "groupTypes": [],
        }
    upns = {u["userPrincipalName"].lower(): oid for oid, u in directory.users.items()}
    apps = {s["appId"].lower(): oid for oid, s in directory.service_principals.items()}
    for group in doc.groups:
        gid = group.id or derived_id("group", group.display_name)
        ids: list[str] = []
        for member in group.members:
            kind, name = parse_member(member)
            if kind == "group":
                if name in group_ids:
                    ids.append(group_ids[name])
            elif kind == "user":
                ids.append(upns.get(name.lower()) or _add_user(directory, name, None, None, True))
                upns[name.lower()] = ids[-1]
            else:
                ids.append(apps.get(name.lower()) or _add_sp(directory, name, None, None, True))
                apps[name.lower()] = ids[-1]
        directory.members[gid] = tuple(sorted(set(ids)))
        directory.history[gid] = GroupHistory(
            [(1, frozenset(directory.members[gid]), group.display_name)]
        )
    directory.user_history = {uid: [(1, user_state(u))] for uid, u in directory.users.items()}
    directory.sp_history = {
        oid: [(1, sp_state(s))] for oid, s in directory.service_principals.items()
    }
    return directory


def _add_user(
    directory: Directory, upn: str, oid: str | None, display: str | None, enabled: bool
) -> str:
    oid = oid or derived_id("user", upn.lower())
    local = upn.split("@", 1)[0]
    given, _, surname = (display or local.replace(".", " ").title()).partition(" ")
    directory.users[oid] = {
        "id": oid,
        "displayName": display or local.replace(".", " ").title(),
        "givenName": given,
        "surname": surname or None,
        "userPrincipalName": upn,
        "mail": upn,
        "accountEnabled": enabled,
        "userType": "Member",
        "businessPhones": [],
        "jobTitle": None,
        "mobilePhone": None,
        "officeLocation": None,
        "preferredLanguage": "en-US",
    }
    return oid


def _add_sp(
    directory: Directory, app_id: str, oid: str | None, display: str | None, enabled: bool
) -> str:
    oid = oid or derived_id("sp", app_id.lower())
    directory.service_principals[oid] = {
        "id": oid,
        "appId": app_id,
        "displayName": display or app_id,
        "appDisplayName": display or app_id,
        "accountEnabled": enabled,
        "servicePrincipalType": "Application",
        "servicePrincipalNames": [app_id],
    }
    return oid
