"""Volumes on the local server, driven by databricks-sdk: create, list, read, own, grant."""

from __future__ import annotations

from typing import Any

import pytest
from databricks.sdk.errors import platform

from govkit.privileges import SecurableType
from govkit.state import Storage, make_securable, make_state
from govkit.testing import UCServer
from govkit.testing.fixtures import ServerFactory
from govkit.testing.sample import sample_state

LANDING = "s3://landing/prod"


@pytest.fixture
def w(ucserver_factory: ServerFactory, databricks_env: None) -> Any:
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.core import Config

    location = make_securable(
        SecurableType.EXTERNAL_LOCATION, "landing-prod", "admins", {}, storage=Storage(url=LANDING)
    )
    server: UCServer = ucserver_factory([sample_state(), make_state("file", [location])])
    config = Config(host=server.url, token=server.token, auth_type="pat", retry_timeout_seconds=5)
    return WorkspaceClient(config=config)


def test_sdk_creates_lists_and_grants_volumes(w: Any) -> None:
    from databricks.sdk.service.catalog import PermissionsChange, Privilege, VolumeType

    schema = ("domain0_prod", "schema0")
    w.volumes.create(*schema, "scratch", VolumeType.MANAGED, comment="Managed files")
    made = w.volumes.create(
        *schema, "landing", VolumeType.EXTERNAL, storage_location=f"{LANDING}/sales"
    )
    assert (made.full_name, made.volume_type) == (
        "domain0_prod.schema0.landing",
        VolumeType.EXTERNAL,
    )
    w.volumes.update("domain0_prod.schema0.landing", owner="ingest")
    got = w.volumes.read("domain0_prod.schema0.landing")
    assert (got.owner, got.storage_location) == ("ingest", f"{LANDING}/sales")
    assert [v.name for v in w.volumes.list(*schema)] == ["landing", "scratch"]
    w.grants.update(
        "volume",
        "domain0_prod.schema0.landing",
        changes=[PermissionsChange(principal="auditors", add=[Privilege.READ_VOLUME])],
    )
    grants = w.grants.get("volume", "domain0_prod.schema0.landing").privilege_assignments
    assert [(a.principal, [p.value for p in a.privileges]) for a in grants] == [
        ("auditors", ["READ_VOLUME"])
    ]
    with pytest.raises(platform.InvalidParameterValue, match="SELECT"):
        w.grants.update(
            "volume",
            "domain0_prod.schema0.landing",
            changes=[PermissionsChange(principal="auditors", add=[Privilege.SELECT])],
        )


def test_an_external_volume_outside_every_location_or_overlapping_is_refused(w: Any) -> None:
    from databricks.sdk.service.catalog import VolumeType

    schema = ("domain0_prod", "schema0")
    with pytest.raises(platform.InvalidParameterValue, match="No external location contains"):
        w.volumes.create(*schema, "v", VolumeType.EXTERNAL, storage_location="s3://elsewhere/v")
    w.volumes.create(*schema, "a", VolumeType.EXTERNAL, storage_location=f"{LANDING}/a")
    with pytest.raises(platform.InvalidParameterValue, match="overlaps the volume"):
        w.volumes.create(*schema, "b", VolumeType.EXTERNAL, storage_location=f"{LANDING}/a/b")
    with pytest.raises(platform.InvalidParameterValue, match="managed volume"):
        w.volumes.create(*schema, "m", VolumeType.MANAGED, storage_location=f"{LANDING}/m")
    with pytest.raises(platform.NotFound):
        w.volumes.read("domain0_prod.schema0.b")
