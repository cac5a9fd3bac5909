"""One caller of the local Unity Catalog server: a token's principal, its role and groups.

Its own file, below both the store (which maps tokens to callers) and `callers` (what a caller
may see and change), so that neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES = ("metastore_admin", "workspace_admin", "user", "service_principal")
# Every account principal belongs to this group (docs: "Special groups").
ACCOUNT_USERS = "account users"
DEFAULT_NAME = "govkit-test@example.com"  # the server's own token: a metastore admin


@dataclass(frozen=True)
class Caller:
    """One token's principal: `name` is its user name (an e-mail, or a service principal's
    application id), `groups` the account groups it belongs to."""

    name: str
    role: str = "user"
    groups: frozenset[str] = field(default_factory=frozenset)
    id: str = "1000000000000001"

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"caller role must be one of {', '.join(ROLES)}, not {self.role!r}")

    @property
    def principals(self) -> frozenset[str]:
        """The names a grant or an ownership may name this caller by."""
        return frozenset({self.name, *self.groups, ACCOUNT_USERS})
