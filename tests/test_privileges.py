"""The one privilege table against what Databricks itself knows.

databricks-sdk's `Privilege` enum is generated from the Unity Catalog API definition: every
privilege it names is either grantable on a securable type in `govkit.privileges`, a legacy
spelling the spec rejects with a hint, or named below as governing something govkit does not
declare. A privilege that Databricks adds therefore fails this test until someone classifies it.
"""

from __future__ import annotations

import pytest
from databricks.sdk.service import catalog

from govkit.privileges import (
    ALL_KNOWN,
    LEGACY,
    PRIVILEGES,
    READ_PRIVILEGES,
    SecurableType,
    expand_level,
    valid_on,
)

# Privileges of securables govkit does not declare (yet), each with what it governs.
NOT_GOVERNED = {
    "CREATE_FEATURE": "feature store features",
    "READ_FEATURE": "feature store features",
    "CREATE_VIEW": "Hive metastore federation views",
    "EXECUTE_CLEAN_ROOM_TASK": "clean rooms",
    "MODIFY_CLEAN_ROOM": "clean rooms",
    "MANAGE_ALLOWLIST": "the metastore's allow list of init scripts and libraries",
    "READ_PRIVATE_FILES": "the workspace's private files",
    "WRITE_PRIVATE_FILES": "the workspace's private files",
}

SDK_PRIVILEGES = frozenset(p.value for p in catalog.Privilege)


def test_every_privilege_govkit_knows_is_one_databricks_knows() -> None:
    assert not ALL_KNOWN - SDK_PRIVILEGES


@pytest.mark.parametrize("privilege", sorted(SDK_PRIVILEGES))
def test_every_privilege_databricks_knows_is_classified(privilege: str) -> None:
    places = [privilege in ALL_KNOWN, privilege in LEGACY, privilege in NOT_GOVERNED]
    assert places.count(True) == 1, (
        f"{privilege}: add it to govkit/privileges.py (grantable on a type), LEGACY, or "
        "NOT_GOVERNED here"
    )


def test_privileges_the_table_once_lacked() -> None:
    """EXTERNAL_USE_LOCATION, CREATE_FOREIGN_SECURABLE and ACCESS were missing before."""
    assert valid_on("EXTERNAL_USE_LOCATION") == (SecurableType.EXTERNAL_LOCATION,)
    assert valid_on("CREATE_FOREIGN_SECURABLE") == (SecurableType.EXTERNAL_LOCATION,)
    assert valid_on("ACCESS") == (SecurableType.CREDENTIAL,)


def test_provider_documented_privileges_per_type() -> None:
    """The lists of the provider's grants docs at v1.128.0 for the types it documents."""
    assert PRIVILEGES[SecurableType.CREDENTIAL] == {
        "ACCESS", "ALL_PRIVILEGES", "CREATE_CONNECTION", "MANAGE",
    }
    assert PRIVILEGES[SecurableType.MODEL] == {"ALL_PRIVILEGES", "APPLY_TAG", "EXECUTE", "MANAGE"}
    assert PRIVILEGES[SecurableType.SHARE] == {"SELECT"}
    assert PRIVILEGES[SecurableType.CONNECTION] == {
        "ALL_PRIVILEGES", "CREATE_FOREIGN_CATALOG", "MANAGE", "USE_CONNECTION",
    }


def test_every_type_has_privileges_and_a_place_in_the_sdk() -> None:
    sdk_types = {t.value.lower() for t in catalog.SecurableType}
    for t in SecurableType:
        assert PRIVILEGES[t], t
        assert t.value in sdk_types, t


def test_access_levels_expand_to_the_new_types() -> None:
    read = ("USE_CATALOG", "USE_SCHEMA", "SELECT", "EXECUTE", "READ_VOLUME", "BROWSE")
    assert expand_level(read, SecurableType.MODEL) == ("EXECUTE",)
    assert expand_level(read, SecurableType.SHARE) == ("SELECT",)
    assert "ACCESS" in READ_PRIVILEGES
