"""Unity Catalog privileges: the one table of which privilege is grantable on which securable.

Sources: shared reference `unity-catalog.md` (the Databricks privileges reference) and the
provider's `docs/resources/grants.md` at v1.128.0, which lists the privileges per securable (the
provider itself accepts any string). tests/test_privileges.py holds this table against the
databricks-sdk `Privilege` enum, so a privilege Databricks adds cannot go unclassified.
Every stage (spec validation, policy, compile, the local API server) asks this module.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping


class SecurableType(str, enum.Enum):
    """Unity Catalog securable types, in the State document's sort order."""

    CATALOG = "catalog"
    SCHEMA = "schema"
    TABLE = "table"
    VOLUME = "volume"
    FUNCTION = "function"
    EXTERNAL_LOCATION = "external_location"
    STORAGE_CREDENTIAL = "storage_credential"
    CONNECTION = "connection"
    METASTORE = "metastore"
    # Appended so that the State order of the types above stays as it was.
    CREDENTIAL = "credential"  # a service credential (the API's `credential`)
    MODEL = "model"  # a registered model; its grants path is `function` (provider v1.128.0)
    SHARE = "share"

    @property
    def order(self) -> int:
        return _ORDER[self]


_ORDER = {t: i for i, t in enumerate(SecurableType)}

_INHERITABLE = (
    "CREATE_FUNCTION",
    "CREATE_MATERIALIZED_VIEW",
    "CREATE_MODEL",
    "CREATE_TABLE",
    "CREATE_VOLUME",
    "EXECUTE",
    "EXTERNAL_USE_SCHEMA",
    "MODIFY",
    "READ_VOLUME",
    "REFRESH",
    "SELECT",
    "USE_SCHEMA",
    "WRITE_VOLUME",
)

PRIVILEGES: Mapping[SecurableType, frozenset[str]] = {
    SecurableType.METASTORE: frozenset(
        {
            "CREATE_CATALOG",
            "CREATE_CLEAN_ROOM",
            "CREATE_CONNECTION",
            "CREATE_EXTERNAL_LOCATION",
            "CREATE_PROVIDER",
            "CREATE_RECIPIENT",
            "CREATE_SHARE",
            "CREATE_SERVICE_CREDENTIAL",
            "CREATE_STORAGE_CREDENTIAL",
            "SET_SHARE_PERMISSION",
            "USE_MARKETPLACE_ASSETS",
            "USE_PROVIDER",
            "USE_RECIPIENT",
            "USE_SHARE",
        }
    ),
    SecurableType.CATALOG: frozenset(
        {
            "ALL_PRIVILEGES",
            "APPLY_TAG",
            "BROWSE",
            "CREATE_CONNECTION",
            "CREATE_SCHEMA",
            "MANAGE",
            "USE_CATALOG",
            *_INHERITABLE,
        }
    ),
    SecurableType.SCHEMA: frozenset(
        {
            "ALL_PRIVILEGES",
            "APPLY_TAG",
            "CREATE_FUNCTION",
            "CREATE_MATERIALIZED_VIEW",
            "CREATE_MODEL",
            "CREATE_TABLE",
            "CREATE_VOLUME",
            "EXTERNAL_USE_SCHEMA",
            "MANAGE",
            "USE_SCHEMA",
            "EXECUTE",
            "MODIFY",
            "READ_VOLUME",
            "REFRESH",
            "SELECT",
            "WRITE_VOLUME",
        }
    ),
    SecurableType.TABLE: frozenset(
        {"ALL_PRIVILEGES", "APPLY_TAG", "MANAGE", "MODIFY", "SELECT", "REFRESH"}
    ),
    SecurableType.VOLUME: frozenset(
        {"ALL_PRIVILEGES", "APPLY_TAG", "MANAGE", "READ_VOLUME", "WRITE_VOLUME"}
    ),
    SecurableType.FUNCTION: frozenset({"ALL_PRIVILEGES", "APPLY_TAG", "EXECUTE", "MANAGE"}),
    SecurableType.EXTERNAL_LOCATION: frozenset(
        {
            "ALL_PRIVILEGES",
            "BROWSE",
            "CREATE_EXTERNAL_TABLE",
            "CREATE_EXTERNAL_VOLUME",
            # Lakehouse Federation of a Hive metastore: foreign securables on authorized paths.
            "CREATE_FOREIGN_SECURABLE",
            "CREATE_MANAGED_STORAGE",
            # Path credential vending to engines outside Databricks.
            "EXTERNAL_USE_LOCATION",
            "MANAGE",
            "READ_FILES",
            "WRITE_FILES",
        }
    ),
    SecurableType.STORAGE_CREDENTIAL: frozenset(
        {
            "ALL_PRIVILEGES",
            "CREATE_EXTERNAL_LOCATION",
            "CREATE_EXTERNAL_TABLE",
            "MANAGE",
            "READ_FILES",
            "WRITE_FILES",
        }
    ),
    SecurableType.CONNECTION: frozenset(
        {"ALL_PRIVILEGES", "CREATE_FOREIGN_CATALOG", "MANAGE", "USE_CONNECTION"}
    ),
    SecurableType.CREDENTIAL: frozenset(
        {"ACCESS", "ALL_PRIVILEGES", "CREATE_CONNECTION", "MANAGE"}
    ),
    SecurableType.MODEL: frozenset({"ALL_PRIVILEGES", "APPLY_TAG", "EXECUTE", "MANAGE"}),
    # A share is granted to recipients, not to principals of the account: SELECT only.
    SecurableType.SHARE: frozenset({"SELECT"}),
}

ALL_KNOWN: frozenset[str] = frozenset().union(*PRIVILEGES.values())

# Spellings that look like privileges but were retired or never existed, with the modern name.
LEGACY: Mapping[str, str] = {
    "USAGE": "USE_CATALOG or USE_SCHEMA",
    "CREATE": "CREATE_SCHEMA, CREATE_TABLE, CREATE_VOLUME or CREATE_FUNCTION",
    "ALL": "ALL_PRIVILEGES (or, better, the privileges you mean)",
    "READ_FILES_ON_LOCATION": "READ_FILES",
    "READ_METADATA": "BROWSE",
}

# Privileges that only read; everything else writes, creates or administers.
READ_PRIVILEGES: frozenset[str] = frozenset(
    {
        "SELECT",
        "USE_CATALOG",
        "USE_SCHEMA",
        "BROWSE",
        "EXECUTE",
        "READ_VOLUME",
        "READ_FILES",
        "USE_CONNECTION",
        "ACCESS",
    }
)

# Built-in access levels; an organisation file may redefine or add levels.
_READ = ("USE_CATALOG", "USE_SCHEMA", "SELECT", "EXECUTE", "READ_VOLUME", "BROWSE")
_WRITE = (
    *_READ,
    "MODIFY",
    "WRITE_VOLUME",
    "REFRESH",
    "CREATE_TABLE",
    "CREATE_VOLUME",
    "CREATE_FUNCTION",
    "CREATE_MATERIALIZED_VIEW",
    "CREATE_MODEL",
)
DEFAULT_ACCESS_LEVELS: Mapping[str, tuple[str, ...]] = {
    "read": _READ,
    "write": _WRITE,
    "manage": (*_WRITE, "CREATE_SCHEMA", "APPLY_TAG", "MANAGE"),
}


def normalise(name: str) -> str:
    """`use catalog`, `USE CATALOG`, `use-catalog` -> `USE_CATALOG`."""
    return "_".join(name.replace("-", " ").replace("_", " ").upper().split())


def valid_on(privilege: str) -> tuple[SecurableType, ...]:
    """The securable types on which `privilege` may be granted, in type order."""
    return tuple(t for t in SecurableType if privilege in PRIVILEGES[t])


def expand_level(privileges: Iterable[str], securable: SecurableType) -> tuple[str, ...]:
    """The privileges of an access level that are valid on `securable`, sorted."""
    allowed = PRIVILEGES[securable]
    return tuple(sorted({p for p in privileges if p in allowed}))


def is_write(privilege: str) -> bool:
    return privilege not in READ_PRIVILEGES
