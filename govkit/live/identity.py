"""Who a live read runs as, what that identity can see, and which workspace it reads from.

Unity Catalog shows a caller only what it may see, without saying that anything was left out:
a catalog list shows a non-admin only the catalogs it owns or uses, `information_schema` shows
a MANAGE holder only its own grants (databricks-sdk `CatalogsAPI.list`, `SchemasAPI.list`,
`TablesAPI.list`; shared reference unity-catalog.md). So before reading, a reader asks who it is
(SCIM `Me`, with its groups), who owns the metastore (`metastore_summary`: its members are the
metastore admins) and which workspace it is in (`current-metastore-assignment`). A reader that
is neither a metastore admin nor the owner of a securable in scope cannot see the whole of it:
that securable is unread, never "missing".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from govkit.live.rest import UC, Rest

ME = "/api/2.0/preview/scim/v2/Me"
# What Unity Catalog answers for an ISOLATED catalog from a workspace it is not bound to.
NOT_ACCESSIBLE = "is not accessible in current workspace"

NEEDS = (
    "run the read as a metastore admin, or as the owner of every securable in scope "
    "(see docs/live.md)"
)


@dataclass(frozen=True)
class Reader:
    """The identity a read runs as: its name, groups, admin-ness and workspace."""

    name: str
    groups: frozenset[str]
    admin: bool
    workspace_id: int | None

    def owns(self, owner: object) -> bool:
        return isinstance(owner, str) and (owner == self.name or owner in self.groups)

    def sees_all_of(self, info: Mapping[str, Any]) -> bool:
        """Whether every grant and child of the listed securable `info` is visible."""
        return self.admin or self.owns(info.get("owner"))

    def cannot_see(self, what: str) -> str:
        return (
            f"the reader {self.name} is neither a metastore admin nor the owner of {what}, so "
            f"it cannot see all of its grants and children; hint: {NEEDS}"
        )

    def not_listed(self, what: str) -> str:
        return (
            f"not in the list the reader {self.name} sees: a reader that is not a metastore "
            f"admin cannot tell a missing {what} from one it may not see; hint: {NEEDS}"
        )


def who_reads(rest: Rest) -> Reader:
    """The reader's identity; raises ReadFailed when any of the three calls fails."""
    me = rest.get(ME)
    name = str(me.get("userName") or me.get("applicationId") or "")
    groups = frozenset(_displays(me.get("groups") or []))
    summary = rest.get(f"{UC}/metastore_summary")
    owner = summary.get("owner")
    admin = isinstance(owner, str) and (owner == name or owner in groups)
    assignment = rest.get(f"{UC}/current-metastore-assignment")
    raw = assignment.get("workspace_id")
    workspace = int(raw) if isinstance(raw, int | str) and str(raw).isdigit() else None
    return Reader(name or "(unknown)", groups, admin, workspace)


def _displays(groups: Iterable[Any]) -> Iterable[str]:
    for g in groups:
        if isinstance(g, dict) and isinstance(g.get("display"), str):
            yield g["display"]


def unreachable(bound: Iterable[int], reader: Reader, name: str) -> str:
    """Why a catalog could not be read from the reader's workspace, with the fix."""
    ids = ", ".join(str(w) for w in sorted(bound)) or "none"
    here = reader.workspace_id if reader.workspace_id is not None else "unknown"
    return (
        f"catalog {name} is ISOLATED and bound to workspaces [{ids}], not to workspace {here} "
        "the reader runs in; hint: give the host of a bound workspace under "
        "`environments.<env>.hosts` in the organisation file, or read from one"
    )
