"""Directory rules on groups: they exist, keep their names, are unique, hold people."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from govkit.diagnostics import Severity
from govkit.policy.base import Finding, and_list
from govkit.policy.directory import DirectoryContext, DirectoryRule, at

if TYPE_CHECKING:
    from govkit.identity.document import Identities


class GroupExists(DirectoryRule):
    """A declared group exists in Entra ID.

    A group deleted in Entra ID (or never created) still receives grants in Unity Catalog,
    where nobody can be a member of it: the grants are dead, and a new group of the same name
    would inherit them silently.

    Bad (`marketing-engineers` was deleted in Entra ID):

    ```yaml
    groups:
      marketing-engineers: {entra_object_id: 3b4c5d6e-7f8a-4b9c-9d0e-2f3a4b5c6d7e}
    ```

    Good: remove the declaration and its grants, or recreate the group in Entra ID.
    """

    code = "GOV406"
    name = "identities.group-exists"
    severity = Severity.ERROR

    def check_directory(self, dc: DirectoryContext) -> Iterator[Finding]:
        for name, group in dc.groups.items():
            oid = group.entra_object_id
            if (not oid or oid.lower() not in dc.by_id) and name not in dc.by_name:
                yield at(
                    dc,
                    name,
                    None,
                    f"group {name} does not exist in {dc.source}",
                    "recreate it in Entra ID, or remove it and its grants",
                )


class GroupRenamed(DirectoryRule):
    """A declared group's display name is still its name in Entra ID.

    Unity Catalog grants name a group by its display name. When the group is renamed in Entra ID,
    automatic identity management renames it in Databricks too, and every grant written to the
    old name stops reaching anyone, without an error anywhere.

    Bad (Entra ID now calls object 7f8a9b0c-... `customer-insight-analysts`):

    ```yaml
    customer-analysts: {entra_object_id: 7f8a9b0c-1d2e-4f3a-9b4c-6d7e8f9a0b1c}
    ```

    Good:

    ```yaml
    customer-insight-analysts: {entra_object_id: 7f8a9b0c-1d2e-4f3a-9b4c-6d7e8f9a0b1c}
    ```
    """

    code = "GOV407"
    name = "identities.group-renamed"
    severity = Severity.ERROR

    def check_directory(self, dc: DirectoryContext) -> Iterator[Finding]:
        for name, group in dc.groups.items():
            oid = (group.entra_object_id or "").lower()
            found = dc.by_id.get(oid)
            if found is not None and found.display_name != name and name not in dc.by_name:
                yield at(
                    dc,
                    name,
                    None,
                    f"group {name} is called {found.display_name!r} in Entra ID now "
                    f"(object {group.entra_object_id}); grants to {name} reach nobody",
                    f"rename {name} to {found.display_name} in the spec, or rename the group back",
                )


class DisplayNameUnique(DirectoryRule):
    """One Entra ID group has a declared group's display name.

    Unity Catalog names a group by its display name only; with two groups of one name, which
    people a grant reaches depends on which one Databricks synchronised.

    Bad (in the identities document):

    ```yaml
    groups:
      - {display_name: finance-analysts, id: 3d4e5f6a-7b8c-4d9e-9f0a-2b3c4d5e6f7a}
      - {display_name: finance-analysts, id: 9c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f}
    ```

    Good: rename one of them in Entra ID, so that each display name is unique.
    """

    code = "GOV408"
    name = "identities.display-name-unique"
    severity = Severity.ERROR

    def check_directory(self, dc: DirectoryContext) -> Iterator[Finding]:
        for name in dc.groups:
            named = dc.by_name.get(name, [])
            if len(named) > 1:
                ids = and_list(sorted(g.id or "(no id)" for g in named))
                yield at(
                    dc,
                    name,
                    None,
                    f"{len(named)} groups in Entra ID are named {name}: {ids}",
                    "rename all but one in Entra ID",
                )


class ObjectIdMatches(DirectoryRule):
    """A group's `entra_object_id` is the id of the group of that display name.

    An object id copied from the wrong group makes audits list the other group's people as
    members, while Unity Catalog grants to the display name.

    Bad (0b9c2f6e-... is `finance-owners`):

    ```yaml
    finance-analysts: {entra_object_id: 0b9c2f6e-7a1d-4e3b-8c5f-2d4a6b8c0e1f}
    ```

    Good:

    ```yaml
    finance-analysts: {entra_object_id: 3d4e5f6a-7b8c-4d9e-9f0a-2b3c4d5e6f7a}
    ```
    """

    code = "GOV409"
    name = "identities.object-id-matches"
    severity = Severity.ERROR

    def check_directory(self, dc: DirectoryContext) -> Iterator[Finding]:
        for name, group in dc.groups.items():
            oid = group.entra_object_id
            named = dc.by_name.get(name, [])
            if not oid or not named or any((g.id or "").lower() == oid.lower() for g in named):
                continue
            other = dc.by_id.get(oid.lower())
            actual = and_list(sorted(g.id or "(no id)" for g in named))
            what = f"names group {other.display_name!r}" if other else "names no group"
            yield at(
                dc,
                name,
                "entra_object_id",
                f"entra_object_id {oid} of {name} {what}; {name} is {actual}",
                f"set entra_object_id to {actual}",
            )


class EmptyGroupWithGrants(DirectoryRule):
    """A group that holds grants has members.

    An empty group with grants is either a leftover (remove the grants) or a group waiting for
    people (then the grants are premature, and whoever is added next gets them unreviewed).

    Bad (and `internal-audit` has no members in Entra ID):

    ```yaml
    grants:
      - {principal: internal-audit, access: read}
    ```

    Good: remove the grants until the engagement starts, or add its people.
    """

    code = "GOV413"
    name = "identities.empty-group-with-grants"
    severity = Severity.WARNING

    def check_directory(self, dc: DirectoryContext) -> Iterator[Finding]:
        from govkit.identity.document import expand_group  # at run time: see directory.py

        for name in sorted(dc.grantees() & set(dc.groups)):
            group = dc.found(name)
            if group is not None and next(expand_group(dc.doc, group.display_name), None) is None:
                yield at(
                    dc,
                    name,
                    None,
                    f"group {name} holds grants but has no members",
                    "remove its grants, or add its people in Entra ID",
                )


class NoNestingCycle(DirectoryRule):
    """A group is not nested in itself.

    Entra ID allows a cycle of nested groups (dynamic groups make them by accident). Unity
    Catalog and govkit stop at the repeat, but the cycle makes everyone in it a member of every
    group on it, which is rarely what anyone meant.

    Bad (in the identities document):

    ```yaml
    groups:
      - {display_name: finance-analysts, members: ["group:finance-interns"]}
      - {display_name: finance-interns, members: ["group:finance-analysts"]}
    ```

    Good: nesting goes one way only (`finance-interns` in `finance-analysts`).
    """

    code = "GOV414"
    name = "identities.no-nesting-cycle"
    severity = Severity.WARNING

    def check_directory(self, dc: DirectoryContext) -> Iterator[Finding]:
        for name in sorted(dc.groups):
            group = dc.found(name)
            chain = _cycle(dc.doc, group.display_name) if group is not None else None
            if chain:
                yield at(
                    dc,
                    name,
                    None,
                    f"group {name} is nested in itself: {' -> '.join(chain)}",
                    "remove one nesting of the cycle in Entra ID",
                )


def _cycle(doc: Identities, start: str) -> list[str] | None:
    """The shortest chain of nested groups from `start` back to itself, if there is one."""
    from govkit.identity.document import parse_member  # at run time: see directory.py

    parents: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for name in frontier:
            group = doc.group(name)
            for member in group.members if group is not None else ():
                kind, nested = parse_member(member)
                if kind != "group":
                    continue
                if nested == start:
                    chain = [name]
                    while chain[-1] != start:
                        chain.append(parents[chain[-1]])
                    return [*reversed(chain), start]
                if nested not in parents:
                    parents[nested] = name
                    following.append(nested)
        frontier = following
    return None


RULES: tuple[type[DirectoryRule], ...] = (
    GroupExists,
    GroupRenamed,
    DisplayNameUnique,
    ObjectIdMatches,
    EmptyGroupWithGrants,
    NoNestingCycle,
)
