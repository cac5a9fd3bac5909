"""Effective access: the rules of shared/DESIGN.md ("Effective access"), written once.

A principal holds a privilege on a securable when it, or a group it belongs to (transitively),
holds that privilege or ALL_PRIVILEGES directly on the securable or an ancestor (catalog ->
schema -> table/volume/function), or owns the securable itself; ownership does not flow down.
Reading a table takes SELECT on it, USE_SCHEMA on its schema and USE_CATALOG on its catalog, each
held as above, possibly through different groups.

Everything is computed at the level of grantees first (a few per securable) and expanded to
people once per distinct set of grantees: thousands of tables that share their grants share the
expansion, so an estate of 100k securables and 50k people answers in seconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Literal

from govkit.access import model
from govkit.access.model import OWNER, Kind
from govkit.identity.document import Group, Identities, expand_group
from govkit.privileges import SecurableType
from govkit.state import Securable, State

ALL_PRIVILEGES = "ALL_PRIVILEGES"
# The account-wide group every user and service principal belongs to.
ACCOUNT_USERS = "account users"
# ALL_PRIVILEGES does not include MANAGE (Databricks privileges reference).
_NOT_IN_ALL = frozenset({"MANAGE"})

_HIERARCHY = frozenset(
    {
        SecurableType.CATALOG,
        SecurableType.SCHEMA,
        SecurableType.TABLE,
        SecurableType.VOLUME,
        SecurableType.FUNCTION,
    }
)
# The privilege that reads / writes the content of each type (None: no such access).
_CONTENT: dict[SecurableType, tuple[str | None, str | None]] = {
    SecurableType.CATALOG: ("SELECT", "MODIFY"),
    SecurableType.SCHEMA: ("SELECT", "MODIFY"),
    SecurableType.TABLE: ("SELECT", "MODIFY"),
    SecurableType.VOLUME: ("READ_VOLUME", "WRITE_VOLUME"),
    SecurableType.FUNCTION: ("EXECUTE", None),
    SecurableType.EXTERNAL_LOCATION: ("READ_FILES", "WRITE_FILES"),
    SecurableType.STORAGE_CREDENTIAL: ("READ_FILES", "WRITE_FILES"),
    SecurableType.CONNECTION: ("USE_CONNECTION", None),
    SecurableType.METASTORE: (None, None),
}
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

# (grantee, privilege or OWNER, depth in the chain catalog=0, schema=1, leaf=2). Depths are
# relative, so that tables of one schema with the same grants share one key and one expansion.
_Candidate = tuple[str, str, int]
_Key = frozenset[_Candidate]
# per person: (privilege, depth, groups) for each privilege the access needs
_Source = tuple[str, int, tuple[str, ...]]
_Profile = dict[str, tuple[Kind, tuple[_Source, ...]]]
_Access = Literal["read", "write", "could_grant"]


class UnknownSecurable(LookupError):
    """A name that the State does not hold."""


def _chain(securable: Securable) -> tuple[tuple[SecurableType, str], ...]:
    """The securable and its ancestors, catalog first."""
    if securable.type not in _HIERARCHY:
        return ((securable.type, securable.name),)
    parts = securable.name.split(".")
    out: list[tuple[SecurableType, str]] = [(SecurableType.CATALOG, parts[0])]
    if len(parts) > 1:
        out.append((SecurableType.SCHEMA, ".".join(parts[:2])))
    if len(parts) > 2:
        out.append((securable.type, securable.name))
    return tuple(out)


def _rank(groups: tuple[str, ...], candidate: _Candidate) -> tuple[object, ...]:
    # The path shown is the shortest chain of groups, then a named privilege before
    # ALL_PRIVILEGES before ownership, then the nearest securable; the rest breaks ties.
    grantee, privilege, depth = candidate
    return (
        len(groups),
        privilege == OWNER,
        privilege == ALL_PRIVILEGES,
        -depth,
        grantee,
        privilege,
        groups,
    )


class AccessIndex:
    """Effective access over one State and one identities document; build with `effective_access`.

    Indexes and expansions are built once and shared by every question; answers are frozen values.
    Without an identities document, groups cannot be expanded and are named as kind "group".
    """

    def __init__(
        self, state: State, identities: Identities | None, aliases: Mapping[str, str] | None = None
    ) -> None:
        self.state = state
        self.identities = identities
        # Unity Catalog group name -> the display name the identities know it by (renamed).
        self.aliases: Mapping[str, str] = aliases or {}
        self._by_key: dict[tuple[SecurableType, str], Securable] = {
            (s.type, s.name): s for s in state.securables
        }
        self._by_name: dict[str, Securable] = {}
        for s in state.securables:
            self._by_name.setdefault(s.name, s)
        self._candidates: dict[tuple[SecurableType, str, str, int], _Key] = {}
        self._members: dict[str, tuple[tuple[Kind, str, tuple[str, ...]], ...]] = {}
        self._people: dict[_Key, dict[str, tuple[Kind, str, int, tuple[str, ...]]]] = {}
        self._profiles: dict[tuple[_Key, ...], _Profile] = {}
        self._names: dict[tuple[_Key, ...], frozenset[str]] = {}
        self._grantees: dict[tuple[_Key, ...], tuple[str, ...]] = {}
        self._grantees_by_shape: dict[
            tuple[SecurableType, str, int, str | None, str],
            tuple[dict[str, tuple[str, ...]], tuple[str, ...]],
        ] = {}
        self._by_shape: dict[
            tuple[SecurableType, str, int, str | None],
            tuple[dict[str, tuple[str, ...]], model.AccessNames],
        ] = {}

    # -- principals --------------------------------------------------------------------------

    def group(self, name: str) -> Group | None:
        """The identities' group a grant to `name` reaches, through its object id first."""
        ids = self.identities
        return None if ids is None else ids.group(self.aliases.get(name, name))

    def principal_kind(self, name: str) -> Kind:
        """What a Unity Catalog principal name is: from the identities, else from its form."""
        ids = self.identities
        if ids is not None:
            if self.group(name) is not None:
                return "group"
            if ids.service_principal(name) is not None:
                return "service_principal"
            if ids.user(name) is not None:
                return "user"
        if name == ACCOUNT_USERS:
            return "group"
        if "@" in name:
            return "user"
        return "service_principal" if _UUID.match(name) else "group"

    def is_known(self, name: str) -> bool:
        """Whether the identities document names this principal (always False without one)."""
        ids = self.identities
        if ids is None:
            return False
        return (
            self.group(name) is not None
            or ids.user(name) is not None
            or ids.service_principal(name) is not None
            or (name == ACCOUNT_USERS)
        )

    def members(self, grantee: str) -> tuple[tuple[Kind, str, tuple[str, ...]], ...]:
        """The people and service principals a grant to `grantee` reaches, with their groups."""
        found = self._members.get(grantee)
        if found is None:
            found = self._members[grantee] = self._expand(grantee)
        return found

    def _expand(self, grantee: str) -> tuple[tuple[Kind, str, tuple[str, ...]], ...]:
        ids = self.identities
        found = self.group(grantee)
        if ids is not None and found is not None:
            # The chain ends at the grantee as Unity Catalog names it, renamed or not.
            return tuple(
                ("user" if m.kind == "user" else "service_principal", m.name,
                 (*m.via[:-1], grantee))
                for m in expand_group(ids, found.display_name)
            )  # fmt: skip
        if ids is not None and grantee == ACCOUNT_USERS:
            via = (ACCOUNT_USERS,)
            everyone: list[tuple[Kind, str, tuple[str, ...]]] = [
                ("user", u.name, via) for u in ids.users
            ]
            everyone += [
                ("service_principal", s.application_id, via) for s in ids.service_principals
            ]
            return tuple(everyone)
        return ((self.principal_kind(grantee), grantee, ()),)

    # -- grantees per securable --------------------------------------------------------------

    def _inherited(
        self, chain: tuple[tuple[SecurableType, str], ...], depth: int, privilege: str
    ) -> _Key:
        """Grants of `privilege` (or ALL_PRIVILEGES) on chain[depth] and its ancestors."""
        kind, name = chain[depth]
        leaf = depth == len(chain) - 1 and kind not in (SecurableType.CATALOG, SecurableType.SCHEMA)
        cache_key = (kind, name, privilege, depth)
        if not leaf:
            hit = self._candidates.get(cache_key)
            if hit is not None:
                return hit
        base = self._inherited(chain, depth - 1, privilege) if depth else frozenset()
        securable = self._by_key.get((kind, name))
        found: _Key = base
        if securable is not None and securable.grants:
            direct = [
                (grantee, p, depth)
                for grantee, privileges in securable.grants.items()
                for p in (privilege, ALL_PRIVILEGES)
                if p in privileges and not (p == ALL_PRIVILEGES and privilege in _NOT_IN_ALL)
            ]
            if direct:
                found = base | frozenset(direct)
        if not leaf:
            self._candidates[cache_key] = found
        return found

    def _owner(self, chain: tuple[tuple[SecurableType, str], ...], depth: int) -> _Key:
        securable = self._by_key.get(chain[depth])
        if securable is None or securable.owner is None:
            return frozenset()
        return frozenset({(securable.owner, OWNER, depth)})

    def _keys(self, securable: Securable, access: _Access) -> tuple[_Key, ...] | None:
        """One key of grantees per privilege the access needs; None when it has no meaning."""
        chain = _chain(securable)
        last = len(chain) - 1
        if access == "could_grant":
            owners = frozenset().union(*(self._owner(chain, d) for d in range(last + 1)))
            return (owners | self._inherited(chain, last, "MANAGE"),)
        content = _CONTENT[securable.type][0 if access == "read" else 1]
        if content is None:
            return None
        needs = [(content, last)]
        if securable.type in _HIERARCHY:
            needs += [("USE_SCHEMA", min(1, last)), ("USE_CATALOG", 0)]
        return tuple(self._inherited(chain, d, p) | self._owner(chain, d) for p, d in needs)

    # -- people ------------------------------------------------------------------------------

    def _expand_key(self, key: _Key) -> dict[str, tuple[Kind, str, int, tuple[str, ...]]]:
        found = self._people.get(key)
        if found is not None:
            return found
        best: dict[str, tuple[tuple[object, ...], Kind, str, int, tuple[str, ...]]] = {}
        for candidate in key:
            grantee, privilege, depth = candidate
            for kind, person, groups in self.members(grantee):
                rank = _rank(groups, candidate)
                held = best.get(person)
                if held is None or rank < held[0]:
                    best[person] = (rank, kind, privilege, depth, groups)
        found = self._people[key] = {p: v[1:] for p, v in best.items()}
        return found

    def _profile(self, keys: tuple[_Key, ...]) -> _Profile:
        found = self._profiles.get(keys)
        if found is not None:
            return found
        expanded = [self._expand_key(k) for k in keys]
        smallest = min(expanded, key=len)
        profile: _Profile = {}
        for person in smallest:
            sources: list[_Source] = []
            for people in expanded:
                hit = people.get(person)
                if hit is None:
                    break
                sources.append(hit[1:])
            else:
                profile[person] = (expanded[0][person][0], tuple(sources))
        self._profiles[keys] = profile
        return profile

    def _names_of(self, keys: tuple[_Key, ...] | None) -> frozenset[str]:
        if keys is None:
            return frozenset()
        found = self._names.get(keys)
        if found is None:
            found = self._names[keys] = frozenset(self._profile(keys))
        return found

    # -- questions ---------------------------------------------------------------------------

    def securable(self, name: str) -> Securable:
        """The securable of this full name, or UnknownSecurable."""
        found = self._by_name.get(name)
        if found is None:
            raise UnknownSecurable(name)
        return found

    def find(self, name: str) -> Securable | None:
        """The securable of this full name, if the State holds it."""
        return self._by_name.get(name)

    def names(self, securable: Securable) -> model.AccessNames:
        """Who reads, writes and could grant, as names only; equal securables share the sets."""
        # Securables of one parent with the same owner and the same grants (State documents
        # share one grants mapping between them) have the same answer: compute it once.
        parent = securable.name.rpartition(".")[0]
        key = (securable.type, parent, id(securable.grants), securable.owner)
        hit = self._by_shape.get(key)
        if hit is not None and hit[0] is securable.grants:
            return hit[1]
        found = model.AccessNames(
            read=self._names_of(self._keys(securable, "read")),
            write=self._names_of(self._keys(securable, "write")),
            could_grant=self._names_of(self._keys(securable, "could_grant")),
        )
        # The grants mapping is kept with the answer, so that its id cannot be reused.
        self._by_shape[key] = (securable.grants, found)
        return found

    def grantees(self, securable: Securable, access: _Access) -> tuple[str, ...]:
        """The principals named in grants (or as owner) that give the access's first privilege
        to someone who has it all: `finance-analysts` for a SELECT through that group."""
        shape = (securable.type, securable.name.rpartition(".")[0], id(securable.grants),
                 securable.owner, access)  # fmt: skip
        hit = self._grantees_by_shape.get(shape)
        if hit is not None and hit[0] is securable.grants:
            return hit[1]
        keys = self._keys(securable, access)
        found: tuple[str, ...] = ()
        if keys is not None:
            cached = self._grantees.get(keys)
            if cached is None:
                held = self._profile(keys).items()
                names = {sources[0][2][-1] if sources[0][2] else p for p, (_, sources) in held}
                cached = self._grantees[keys] = tuple(sorted(names))
            found = cached
        self._grantees_by_shape[shape] = (securable.grants, found)
        return found

    def _holders(self, securable: Securable, access: _Access) -> tuple[model.Holder, ...]:
        keys = self._keys(securable, access)
        if keys is None:
            return ()
        chain = _chain(securable)
        profile = self._profile(keys)
        return tuple(
            model.Holder(person, kind, _steps(chain, sources))
            for person, (kind, sources) in sorted(profile.items())
        )

    def holder(self, securable: Securable, access: _Access, principal: str) -> model.Holder | None:
        """One principal's access with its path, without listing everyone else's."""
        keys = self._keys(securable, access)
        found = self._profile(keys).get(principal) if keys is not None else None
        if found is None:
            return None
        return model.Holder(principal, found[0], _steps(_chain(securable), found[1]))

    def on(self, name: str) -> model.SecurableAccess:
        """Who reads, writes and could grant themselves access on `name`, each with its path."""
        securable = self.securable(name)
        return model.SecurableAccess(
            securable,
            read=self._holders(securable, "read"),
            write=self._holders(securable, "write"),
            could_grant=self._holders(securable, "could_grant"),
        )

    def of(self, principal: str) -> model.PrincipalAccess:
        """What a person or service principal reads and writes, each with its path."""
        reads: list[model.Reach] = []
        writes: list[model.Reach] = []
        kind: Kind = self.principal_kind(principal)
        wanted: tuple[tuple[_Access, list[model.Reach]], ...] = (("read", reads), ("write", writes))
        for securable in self.state.securables:
            for access, out in wanted:
                keys = self._keys(securable, access)
                if keys is None or principal not in self._names_of(keys):
                    continue
                found_kind, sources = self._profile(keys)[principal]
                kind = found_kind
                out.append(
                    model.Reach(securable.type, securable.name, _steps(_chain(securable), sources))
                )
        return model.PrincipalAccess(principal, kind, tuple(reads), tuple(writes))

    def people(self) -> Iterator[tuple[Kind, str]]:
        """Every person and service principal the identities document names, sorted by name."""
        ids = self.identities
        if ids is None:
            return iter(())
        found: list[tuple[Kind, str]] = [("user", u.name) for u in ids.users]
        found += [("service_principal", s.application_id) for s in ids.service_principals]
        return iter(sorted(found, key=lambda k: k[1]))


def _steps(
    chain: tuple[tuple[SecurableType, str], ...], sources: tuple[_Source, ...]
) -> tuple[model.Step, ...]:
    return tuple(
        model.Step(privilege, chain[depth][0], chain[depth][1], groups)
        for privilege, depth, groups in sources
    )


def effective_access(
    state: State, identities: Identities | None, aliases: Mapping[str, str] | None = None
) -> AccessIndex:
    """The index of effective access over a State (desired or live) and an identities document;
    `aliases` (from `group_aliases`) names the groups that Entra ID knows by another name."""
    return AccessIndex(state, identities, aliases)


def group_aliases(
    object_ids: Mapping[str, str | None], identities: Identities | None
) -> dict[str, str]:
    """Group name -> the display name of the identities' group with its object id, where the
    two differ: a group renamed in Entra ID keeps its id, and the id is what identifies it."""
    if identities is None:
        return {}
    by_id = {g.id: g.display_name for g in identities.groups if g.id is not None}
    return {
        name: by_id[oid]
        for name, oid in sorted(object_ids.items())
        if oid is not None and oid in by_id and by_id[oid] != name
    }
