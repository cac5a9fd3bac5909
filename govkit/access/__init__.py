"""Effective access: who reads, writes and could grant on a securable, and what a principal
reaches, each with the path that gives it (shared/DESIGN.md, "Effective access").

The one module of these rules: `govkit access`, `govkit audit` and the access diff all use it.

    index = effective_access(state, identities)   # indexes built once
    index.on("finance_prod.reporting.revenue")    # SecurableAccess: read, write, could_grant
    index.of("alice@meridian.example")            # PrincipalAccess: reads, writes
    index.names(securable)                        # AccessNames: the sets only, shared, fast
"""

from govkit.access.compute import (
    ACCOUNT_USERS,
    AccessIndex,
    UnknownSecurable,
    effective_access,
    group_aliases,
)
from govkit.access.model import (
    OWNER,
    AccessNames,
    Holder,
    Kind,
    PrincipalAccess,
    Reach,
    SecurableAccess,
    Step,
)

__all__ = [
    "ACCOUNT_USERS",
    "OWNER",
    "AccessIndex",
    "AccessNames",
    "Holder",
    "Kind",
    "PrincipalAccess",
    "Reach",
    "SecurableAccess",
    "Step",
    "UnknownSecurable",
    "effective_access",
    "group_aliases",
]
