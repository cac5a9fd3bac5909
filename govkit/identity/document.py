"""The identities document (`govkit.identities/v1`): one shape whether Graph or a person wrote it.

Members are direct members, each `user:NAME`, `group:DISPLAY_NAME` or `sp:APPLICATION_ID`;
nesting is expanded by whoever reads the document (`expand_group`), and cycles terminate.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ConfigDict, TypeAdapter

from govkit.documents import parse_json, published_schema, require_format, validate

FORMAT: Literal["govkit.identities/v1"] = "govkit.identities/v1"

IdentitySource = Literal["graph", "file"]
MEMBER_KINDS = ("user", "group", "sp")


@dataclass(frozen=True, slots=True)
class Group:
    """An Entra ID group by its display name (the name Unity Catalog grants use)."""

    __pydantic_config__ = ConfigDict(extra="forbid")

    display_name: str
    id: str | None = None
    members: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class User:
    """A person, by the name Unity Catalog uses (the user principal name, an e-mail address)."""

    __pydantic_config__ = ConfigDict(extra="forbid")

    name: str
    id: str | None = None
    display_name: str | None = None
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class ServicePrincipal:
    """A service principal, by its application id (the name Unity Catalog uses)."""

    __pydantic_config__ = ConfigDict(extra="forbid")

    application_id: str
    id: str | None = None
    display_name: str | None = None
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class IdentityError:
    """Something a read could not read, after retries."""

    __pydantic_config__ = ConfigDict(extra="forbid")

    item: str
    message: str


@dataclass(frozen=True, slots=True)
class Identities:
    """An identities document. Build it with `make_identities` so that it is sorted."""

    __pydantic_config__ = ConfigDict(extra="forbid", title="govkit identities document")

    source: IdentitySource
    format: Literal["govkit.identities/v1"] = FORMAT
    taken_at: str | None = None
    complete: bool = True
    errors: tuple[IdentityError, ...] = ()
    groups: tuple[Group, ...] = ()
    users: tuple[User, ...] = ()
    service_principals: tuple[ServicePrincipal, ...] = ()
    _index: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def group(self, display_name: str) -> Group | None:
        found: Group | None = _lookup(self, "groups", display_name)
        return found

    def user(self, name: str) -> User | None:
        found: User | None = _lookup(self, "users", name)
        return found

    def service_principal(self, application_id: str) -> ServicePrincipal | None:
        found: ServicePrincipal | None = _lookup(self, "service_principals", application_id)
        return found


def _lookup(doc: Identities, kind: str, key: str) -> Any:
    index = doc._index.get(kind)
    if index is None:
        items: tuple[Any, ...] = getattr(doc, kind)
        index = doc._index[kind] = {_key(item): item for item in items}
    return index.get(key)


def _key(item: Group | User | ServicePrincipal) -> str:
    if isinstance(item, Group):
        return item.display_name
    if isinstance(item, User):
        return item.name
    return item.application_id


class IdentitiesFormatError(ValueError):
    """A file that is not an identities document."""


def parse_member(member: str) -> tuple[str, str]:
    """`user:alice@x` -> ("user", "alice@x"); raises ValueError on an unknown kind."""
    kind, sep, name = member.partition(":")
    if not sep or kind not in MEMBER_KINDS or not name:
        raise ValueError(
            f"member {member!r} is not user:NAME, group:DISPLAY_NAME or sp:APPLICATION_ID"
        )
    return kind, name


def make_identities(
    source: IdentitySource,
    groups: Iterable[Group] = (),
    users: Iterable[User] = (),
    service_principals: Iterable[ServicePrincipal] = (),
    taken_at: str | None = None,
    errors: Iterable[IdentityError] = (),
    complete: bool = True,
) -> Identities:
    """A sorted document; members sorted and de-duplicated; any error makes it incomplete."""
    errs = tuple(sorted(set(errors), key=lambda e: (e.item, e.message)))
    return Identities(
        source=source,
        taken_at=taken_at,
        complete=complete and not errs,
        errors=errs,
        groups=tuple(
            Group(g.display_name, g.id, tuple(sorted(set(g.members))))
            # Entra ID allows two groups with one display name: the id orders them.
            for g in sorted(groups, key=lambda g: (g.display_name, g.id or ""))
        ),
        users=tuple(sorted(users, key=lambda u: u.name)),
        service_principals=tuple(sorted(service_principals, key=lambda s: s.application_id)),
    )


def identities_to_dict(doc: Identities) -> dict[str, Any]:
    out: dict[str, Any] = {"format": doc.format, "source": doc.source}
    if doc.taken_at is not None:
        out["taken_at"] = doc.taken_at
    out["complete"] = doc.complete
    out["errors"] = [{"item": e.item, "message": e.message} for e in doc.errors]
    out["groups"] = [
        {
            "display_name": g.display_name,
            **({"id": g.id} if g.id is not None else {}),
            "members": list(g.members),
        }
        for g in doc.groups
    ]
    out["users"] = [
        {
            "name": u.name,
            **({"id": u.id} if u.id is not None else {}),
            **({"display_name": u.display_name} if u.display_name is not None else {}),
            "enabled": u.enabled,
        }
        for u in doc.users
    ]
    out["service_principals"] = [
        {
            "application_id": s.application_id,
            **({"id": s.id} if s.id is not None else {}),
            **({"display_name": s.display_name} if s.display_name is not None else {}),
            "enabled": s.enabled,
        }
        for s in doc.service_principals
    ]
    return out


def dumps(doc: Identities) -> str:
    """The canonical JSON text: same value, same bytes."""
    return json.dumps(identities_to_dict(doc), indent=2, ensure_ascii=False) + "\n"


@functools.cache
def _adapter() -> TypeAdapter[Identities]:
    return TypeAdapter(Identities)


def loads(text: str | bytes) -> Identities:
    """Parse one identities document, check its members, and put it in canonical order."""
    raw = parse_json(text, IdentitiesFormatError)
    require_format(raw, FORMAT, "an identities document", IdentitiesFormatError)
    if "_index" in raw:
        raise IdentitiesFormatError("invalid identities document: unknown key _index")
    doc = validate(_adapter(), raw, "identities document", IdentitiesFormatError)
    for i, group in enumerate(doc.groups):
        for j, member in enumerate(group.members):
            try:
                parse_member(member)
            except ValueError as exc:
                raise IdentitiesFormatError(
                    f"invalid identities document at groups.{i}.members.{j}: {exc}"
                ) from None
    return make_identities(
        doc.source,
        doc.groups,
        doc.users,
        doc.service_principals,
        taken_at=doc.taken_at,
        errors=doc.errors,
        complete=doc.complete,
    )


@dataclass(frozen=True, slots=True)
class Member:
    """A person or service principal reached through a group, with the groups on the way."""

    kind: Literal["user", "sp"]
    name: str
    # Outermost group last: ("finance-interns", "finance-analysts") for a member of
    # finance-interns, which is itself a member of finance-analysts.
    via: tuple[str, ...]


def expand_group(doc: Identities, display_name: str) -> Iterator[Member]:
    """Every user and service principal in a group, transitively, by its shortest path.

    Breadth first, so each member is reported once through its shortest chain of groups;
    a cycle of nested groups terminates because each group is entered once.
    """
    seen_groups = {display_name}
    seen_members: set[tuple[str, str]] = set()
    frontier: list[tuple[str, tuple[str, ...]]] = [(display_name, (display_name,))]
    while frontier:
        following: list[tuple[str, tuple[str, ...]]] = []
        for name, via in frontier:
            group = doc.group(name)
            if group is None:
                continue
            for member in group.members:
                kind, member_name = parse_member(member)
                if kind == "group":
                    if member_name not in seen_groups:
                        seen_groups.add(member_name)
                        following.append((member_name, (member_name, *via)))
                elif (kind, member_name) not in seen_members:
                    seen_members.add((kind, member_name))
                    yield Member("user" if kind == "user" else "sp", member_name, via)
        frontier = following


def groups_of(doc: Identities, name: str) -> tuple[str, ...]:
    """Every group `name` (a group, user or service principal) belongs to, transitively.

    The inverse of `expand_group`, by the same direct-membership lists; cycles terminate.
    """
    parents: dict[str, set[str]] = {}
    for group in doc.groups:
        for member in group.members:
            parents.setdefault(parse_member(member)[1], set()).add(group.display_name)
    found: set[str] = set()
    frontier = set(parents.get(name, ()))
    while frontier:
        found |= frontier
        frontier = {p for g in frontier for p in parents.get(g, ())} - found
    return tuple(sorted(found))


def json_schema() -> dict[str, Any]:
    """The published JSON Schema of the identities document."""
    schema = published_schema(_adapter(), "identities")
    schema.get("properties", {}).pop("_index", None)
    members = schema["$defs"]["Group"]["properties"]["members"]
    members["items"]["pattern"] = "^(user|group|sp):.+$"
    members["description"] = "Direct members: user:NAME, group:DISPLAY_NAME or sp:APPLICATION_ID"
    return schema
