"""Storage credentials, external locations and catalog storage roots through both readers,
against the local server over HTTP with the real databricks-sdk."""

from __future__ import annotations

import pytest
from msgspec.structs import replace

from govkit.live import read_live
from govkit.privileges import SecurableType
from govkit.state import State, Storage, dumps, make_securable, make_state
from govkit.testing.fixtures import ServerFactory
from govkit.testing.http import ServerConfig
from govkit.testing.sample import DEPLOYER, catalog_names, sample_state
from tests.live.conftest import FAST, client_for

SOURCES = ("workspace", "warehouse")
LOCATION, CREDENTIAL = SecurableType.EXTERNAL_LOCATION, SecurableType.STORAGE_CREDENTIAL
LAKE = "abfss://lake@stmeridianprod.dfs.core.windows.net"


def storage_state() -> State:
    """The sample estate with a storage root, two credentials and three locations."""
    base = sample_state(catalogs=2, schemas=1, tables=1)
    first = base.securables[0]
    rooted = replace(first, storage_root=f"{LAKE}/managed/{first.name}")
    storage = [
        make_securable(CREDENTIAL, "cred-prod", DEPLOYER, {}, storage=Storage(read_only=False)),
        make_securable(
            CREDENTIAL, "cred-vendor", DEPLOYER, {"platform-admins": ["BROWSE"]},
            storage=Storage(read_only=True),
        ),
    ]  # fmt: skip
    for name, path, grants, read_only in (
        ("landing-prod", "landing", {"sp-ingest": ["READ_FILES", "WRITE_FILES"]}, False),
        ("lake-prod", "lake", {"data-engineers": ["BROWSE", "CREATE_EXTERNAL_TABLE"]}, False),
        ("vendor-feed-prod", "vendor", {"finance-analysts": ["READ_FILES"]}, True),
    ):
        where = Storage(url=f"{LAKE}/{path}", credential="cred-prod", read_only=read_only)
        storage.append(make_securable(LOCATION, name, DEPLOYER, grants, storage=where))
    return make_state("spec", [rooted, *base.securables[1:], *storage], environment="prod")


def storage_keys(state: State) -> list[tuple[str, str]]:
    return [s.key for s in state.securables if s.type in (LOCATION, CREDENTIAL)]


def read(server: object, source: str, state: State, **kwargs: object) -> State:
    return read_live(
        source,  # type: ignore[arg-type]
        environment="prod",
        catalogs=catalog_names(state),
        storage=kwargs.pop("storage", storage_keys(state)),  # type: ignore[arg-type]
        warehouse_id="wh1",
        client=client_for(server),
        settings=FAST,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("source", SOURCES)
def test_a_recorded_state_round_trips_byte_for_byte(
    ucserver_factory: ServerFactory, source: str
) -> None:
    desired = storage_state()
    # Pages of two: every listing, storage included, takes several requests.
    server = ucserver_factory([desired], config=ServerConfig(page_size=2))
    live = read(server, source, desired)
    assert live.complete, live.errors
    document = replace(live, source="spec", taken_at=None)
    assert dumps(document) == dumps(desired)


def test_out_of_band_storage_changes_read_alike_by_both_readers(
    ucserver_factory: ServerFactory,
) -> None:
    from databricks.sdk.service.catalog import PermissionsChange, Privilege

    desired = storage_state()
    server = ucserver_factory([desired])
    w = client_for(server)
    w.external_locations.update("lake-prod", read_only=True, owner="someone-else")
    w.external_locations.update("landing-prod", url=f"{LAKE}/landing2")
    w.storage_credentials.update("cred-prod", read_only=True)
    add = [PermissionsChange(principal="intruders", add=[Privilege.WRITE_FILES])]
    w.grants.update("external_location", "vendor-feed-prod", changes=add)
    rest, sql = (read(server, s, desired) for s in SOURCES)
    assert rest.complete and sql.complete
    assert rest.securables == sql.securables
    index = rest.index()
    lake = index[("external_location", "lake-prod")]
    assert (lake.owner, lake.read_only) == ("someone-else", True)
    assert index[("external_location", "landing-prod")].url == f"{LAKE}/landing2"
    assert index[("storage_credential", "cred-prod")].read_only is True
    feed = index[("external_location", "vendor-feed-prod")]
    assert feed.grants == {"finance-analysts": ("READ_FILES",), "intruders": ("WRITE_FILES",)}


@pytest.mark.parametrize("source", SOURCES)
def test_storage_scope_is_the_declared_names_unless_all(
    ucserver_factory: ServerFactory, source: str
) -> None:
    desired = storage_state()
    server = ucserver_factory([desired])
    # A credential's name in scope does not bring in a location of that name, nor the reverse.
    scope = [
        ("external_location", "lake-prod"),
        ("external_location", "cred-prod"),
        ("storage_credential", "lake-prod"),
        ("external_location", "not-created-yet"),
    ]
    narrow = read(server, source, desired, storage=scope)
    assert narrow.complete
    assert storage_keys(narrow) == [("external_location", "lake-prod")]
    none = read(server, source, desired, storage=[])
    assert storage_keys(none) == []
    wide = read(server, source, desired, storage=[], include_all=True)
    assert storage_keys(wide) == storage_keys(desired)


@pytest.mark.parametrize("source", SOURCES)
def test_a_failed_storage_listing_leaves_the_snapshot_incomplete(
    ucserver_factory: ServerFactory, source: str
) -> None:
    from govkit.testing.faults import Faults

    desired = storage_state()
    faults = Faults(fail_pages=(("storage-credentials", 1),))
    server = ucserver_factory([desired], faults=faults, config=ServerConfig(page_size=1))
    live = read(server, source, desired)
    assert not live.complete
    assert any("storage credentials list" in e.message for e in live.errors)
    assert not [s for s in live.securables if s.type is CREDENTIAL]
    assert catalog_names(live) == catalog_names(desired)


@pytest.mark.parametrize("source", SOURCES)
def test_the_bundled_recorded_prod_state_round_trips_byte_for_byte(
    ucserver_factory: ServerFactory, source: str
) -> None:
    from govkit.state import loads
    from tests.conftest import CATALOGS

    text = (CATALOGS / "recorded" / "prod.state.json").read_text(encoding="utf-8")
    recorded = loads(text)
    assert storage_keys(recorded), "the bundled estate declares storage"
    server = ucserver_factory([recorded], config=ServerConfig(page_size=5))
    live = read(server, source, recorded)
    assert live.complete, live.errors
    assert dumps(replace(live, source="workspace", taken_at=recorded.taken_at)) == text
