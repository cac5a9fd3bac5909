"""Hive grants translated to Unity Catalog: privileges by the table below, principals from
workspace-local groups to the account's Entra ID groups with the same members.

Hive (`SHOW GRANTS`) -> Unity Catalog, on the object's counterpart: SELECT and MODIFY keep their
names; USAGE on a database is USE_SCHEMA on its schema and USE_CATALOG on the catalog (on the
Hive catalog, USE_CATALOG); READ_METADATA is BROWSE, a catalog privilege; CREATE is CREATE_TABLE
on a schema (CREATE_SCHEMA on the catalog); OWN makes the owner; ALL PRIVILEGES is
ALL_PRIVILEGES. Sources: the Databricks docs "Privileges and securable objects in the Hive
metastore" (docs.databricks.com/sql/language-manual/sql-ref-privileges-hms.html) and the Unity
Catalog privileges reference; BROWSE is a catalog privilege (govkit/privileges.py).
ANY FILE and ANONYMOUS FUNCTION have no counterpart: they are counted, not translated.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from govkit.identity.document import Identities, expand_group
from govkit.migrate.document import HiveGrant, HiveWorkspace

# Where a translated privilege sits: the catalog, the schema, or the table itself.
CATALOG, SCHEMA, TABLE = "catalog", "schema", "table"
_ON_DATABASE: dict[str, tuple[tuple[str, str], ...]] = {
    "SELECT": ((SCHEMA, "SELECT"),),
    "MODIFY": ((SCHEMA, "MODIFY"),),
    "READ_METADATA": ((CATALOG, "BROWSE"),),
    "USAGE": ((SCHEMA, "USE_SCHEMA"), (CATALOG, "USE_CATALOG")),
    "CREATE": ((SCHEMA, "CREATE_TABLE"),),
    "ALL PRIVILEGES": ((SCHEMA, "ALL_PRIVILEGES"),),
}
_ON_TABLE: dict[str, tuple[tuple[str, str], ...]] = {
    "SELECT": ((TABLE, "SELECT"),),
    "MODIFY": ((TABLE, "MODIFY"),),
    "READ_METADATA": ((CATALOG, "BROWSE"),),
    "ALL PRIVILEGES": ((TABLE, "ALL_PRIVILEGES"),),
}
_ON_CATALOG: dict[str, tuple[tuple[str, str], ...]] = {
    "SELECT": ((CATALOG, "SELECT"),),
    "MODIFY": ((CATALOG, "MODIFY"),),
    "READ_METADATA": ((CATALOG, "BROWSE"),),
    "USAGE": ((CATALOG, "USE_CATALOG"),),
    "CREATE": ((CATALOG, "CREATE_SCHEMA"),),
    "ALL PRIVILEGES": ((CATALOG, "ALL_PRIVILEGES"),),
}
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")


def translated(grant: HiveGrant) -> tuple[tuple[str, str], ...] | None:
    """(where, privilege) pairs of a grant; `()` for OWN (an owner, not a grant); None for a
    grant with no Unity Catalog counterpart."""
    action = grant.action_type.upper().replace("_", " ").replace("READ METADATA", "READ_METADATA")
    if action == "OWN":
        return ()
    table = {"DATABASE": _ON_DATABASE, "SCHEMA": _ON_DATABASE, "TABLE": _ON_TABLE}
    table |= {"VIEW": _ON_TABLE, "CATALOG": _ON_CATALOG}
    found = table.get(grant.object_type.upper(), {}).get(action)
    return found


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a Hive principal is in Unity Catalog: `name` (None: no counterpart), and whether it
    is a person (whose grants are kept with an `imported:` waiver)."""

    name: str | None
    user: bool = False


def members_index(identities: Identities) -> dict[frozenset[str], list[str]]:
    """Entra ID groups by the set of people and service principals in them (nesting expanded)."""
    out: dict[frozenset[str], list[str]] = {}
    for group in identities.groups:
        members = frozenset(
            f"{m.kind}:{m.name}" for m in expand_group(identities, group.display_name)
        )
        if members:
            out.setdefault(members, []).append(group.display_name)
    return out


class Principals:
    """Resolves the principals of one workspace's grants."""

    def __init__(
        self,
        workspace: HiveWorkspace,
        index: Mapping[frozenset[str], list[str]],
        overrides: Mapping[str, str],
    ) -> None:
        self._groups = {g.display_name: g for g in workspace.groups}
        self._index = index
        self._overrides = overrides
        self.candidates: dict[str, list[str]] = {}

    def _members(self, name: str, seen: frozenset[str] = frozenset()) -> Iterable[str]:
        for member in self._groups[name].members:
            kind, _, inner = member.partition(":")
            if kind == "group" and inner in self._groups and inner not in seen:
                yield from self._members(inner, seen | {name})
            elif kind != "group":
                yield member

    def resolve(self, name: str) -> Principal:
        if name in self._overrides:
            return Principal(self._overrides[name])
        if name in self._groups:
            found = self._index.get(frozenset(self._members(name)), [])
            self.candidates[name] = found
            return Principal(found[0] if len(found) == 1 else None)
        if "@" in name:
            return Principal(name, user=True)
        if _UUID.match(name):
            return Principal(name)  # a service principal by its application id
        return Principal(None)
