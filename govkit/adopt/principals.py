"""Who the principals of a live State are: group, service principal or user, and their spec names.

Unity Catalog names a group by display name, a user by e-mail and a service principal by its
application id. A directory (an identities document, or SCIM) says which is which where it
knows; otherwise the shape of the name decides: an e-mail is a user, a UUID an application id,
anything else a group.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from govkit.adopt.report import reported
from govkit.diagnostics import Diagnostic

PrincipalKind = Literal["group", "service_principal", "user"]

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\Z")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")
SECTIONS: dict[PrincipalKind, str] = {
    "group": "groups",
    "service_principal": "service_principals",
    "user": "users",
}


@dataclass(frozen=True)
class Known:
    """What a directory says about one Unity Catalog principal name."""

    kind: PrincipalKind
    display_name: str | None = None
    scim_id: str | None = None
    enabled: bool = True
    # Workspaces a service principal is assigned to (an account read); None when unknown.
    assigned: tuple[int, ...] | None = None


@dataclass(frozen=True)
class Directory:
    """Who a source knows, by Unity Catalog name; `lists` says of which kinds it knows all."""

    source: str
    known: Mapping[str, Known] = field(default_factory=dict)
    lists: frozenset[PrincipalKind] = frozenset()


NO_DIRECTORY = Directory("the shape of the names")
DECLARED = "declared in the spec already"


@dataclass(frozen=True)
class Principal:
    """A principal as the spec declares it: its key, kind, and how it was classified."""

    uc_name: str
    key: str
    kind: PrincipalKind
    how: str
    scim_id: str | None = None
    assigned: tuple[int, ...] | None = None


def shape_kind(name: str) -> PrincipalKind:
    if _UUID.match(name):
        return "service_principal"
    if _EMAIL.match(name):
        return "user"
    return "group"


def _sp_key(uc_name: str, display: str | None, used: set[str]) -> str:
    candidates = [display] if display and not _UUID.match(display) else []
    candidates += [f"sp-{uc_name[:8]}", f"sp-{uc_name}"]
    for candidate in candidates:
        if candidate.strip() and candidate not in used:
            return candidate
    return f"sp-{uc_name}-{len(used)}"  # pragma: no cover - a UUID is unique by itself


def _problem(directory: Directory, name: str, kind: PrincipalKind, known: Known | None) -> str:
    if known is not None:
        return "" if known.enabled else f"is disabled in {directory.source}: has it left?"
    if kind not in directory.lists:
        return ""
    if kind == "group":
        return (
            f"is not in {directory.source}: a workspace-local group, or one not synced to the "
            "account; Unity Catalog grants need account groups"
        )
    return f"is not in {directory.source}: has it left?"


def classify(
    names: Iterable[str],
    directory: Directory,
    declared: Mapping[str, tuple[str, PrincipalKind]] | None = None,
) -> tuple[dict[str, Principal], list[Diagnostic]]:
    """Every name classified and given a unique spec key; `declared` keeps existing keys."""
    declared = declared or {}
    used = {key for key, _ in declared.values()}
    out: dict[str, Principal] = {}
    problems: list[Diagnostic] = []
    pending_sps: list[tuple[str, Known | None]] = []
    for name in sorted(set(names)):
        known = directory.known.get(name)
        if name in declared:
            key, kind = declared[name]
            scim_id = known.scim_id if known is not None else None
            assigned = known.assigned if known is not None else None
            out[name] = Principal(name, key, kind, DECLARED, scim_id, assigned)
        elif known is not None:
            how = f"a {known.kind.replace('_', ' ')} in {directory.source}"
            if known.kind == "service_principal":
                pending_sps.append((name, known))
                continue
            out[name] = Principal(name, name, known.kind, how)
            used.add(name)
        else:
            kind = shape_kind(name)
            if kind == "service_principal":
                pending_sps.append((name, None))
                continue
            shape = "an e-mail address" if kind == "user" else "neither an e-mail nor a UUID"
            out[name] = Principal(name, name, kind, f"{shape} ({directory.source})")
            used.add(name)
        problem = _problem(directory, name, out[name].kind, known)
        if problem:
            problems.append(reported("GOV706", name, f"{out[name].kind} {name} {problem}"))
    # Service principals last: their readable keys must not take a group's or a user's name.
    for name, known in pending_sps:
        display = known.display_name if known is not None else None
        key = _sp_key(name, display, used)
        used.add(key)
        how = (
            f"application id of {display!r} in {directory.source}"
            if known is not None
            else "an application id (a UUID)"
        )
        out[name] = Principal(
            name,
            key,
            "service_principal",
            how,
            known.scim_id if known else None,
            known.assigned if known else None,
        )
        problem = _problem(directory, name, "service_principal", known)
        if problem:
            problems.append(reported("GOV706", name, f"service principal {name} {problem}"))
    return dict(sorted(out.items())), problems
