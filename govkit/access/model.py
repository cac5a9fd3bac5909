"""The values effective access answers with: who holds what, and the path that gives it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from govkit.privileges import SecurableType
from govkit.state import Securable

# "group" only for a group the identities document does not know: its members are unknown, so
# the group itself is named rather than silently dropped.
Kind = Literal["user", "service_principal", "group"]

# The privilege of a step that ownership gives.
OWNER = "OWNER"


@dataclass(frozen=True, slots=True)
class Step:
    """One privilege a principal holds on one securable, and the groups it holds it through.

    `groups` runs from the group the principal is a direct member of to the group that holds the
    grant (empty for a direct grant), as `alice <- group finance-interns <- group finance-analysts`.
    """

    privilege: str  # SELECT, USE_SCHEMA, ..., ALL_PRIVILEGES, or OWNER
    securable_type: SecurableType
    securable: str
    groups: tuple[str, ...] = ()

    def text(self, principal: str) -> str:
        """`alice@x <- group finance-analysts: SELECT on catalog finance_prod`."""
        chain = "".join(f" <- group {g}" for g in self.groups)
        what = "owner of" if self.privilege == OWNER else f"{self.privilege} on"
        return f"{principal}{chain}: {what} {self.securable_type.value} {self.securable}"


@dataclass(frozen=True, slots=True)
class Holder:
    """A person or service principal with one step per privilege the access needs.

    Reading a table takes three (SELECT, USE_SCHEMA, USE_CATALOG), each possibly through a
    different group.
    """

    principal: str  # as Unity Catalog names it: e-mail, application id, or an unknown group
    kind: Kind
    via: tuple[Step, ...]

    def lines(self) -> tuple[str, ...]:
        return tuple(step.text(self.principal) for step in self.via)


@dataclass(frozen=True, slots=True)
class SecurableAccess:
    """Who reads, writes and could grant themselves access on one securable, sorted by name."""

    securable: Securable
    read: tuple[Holder, ...]
    write: tuple[Holder, ...]
    could_grant: tuple[Holder, ...]


@dataclass(frozen=True, slots=True)
class Reach:
    """A securable a principal reaches, with the steps that give it."""

    securable_type: SecurableType
    securable: str
    via: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class PrincipalAccess:
    """What one person or service principal reads and writes, in State order."""

    principal: str
    kind: Kind
    reads: tuple[Reach, ...]
    writes: tuple[Reach, ...]


@dataclass(frozen=True, slots=True)
class AccessNames:
    """The principals only, for counting and comparing at scale (shared between securables)."""

    read: frozenset[str]
    write: frozenset[str]
    could_grant: frozenset[str]
