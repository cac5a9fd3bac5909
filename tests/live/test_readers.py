"""Both readers against the local server over HTTP: the same State for the same server state."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import pytest

from govkit.live import ReaderSettings, WarehouseRequired, read_live
from govkit.privileges import SecurableType
from govkit.state import Securable, State, make_securable, make_state
from govkit.testing.fixtures import ServerFactory
from govkit.testing.http import ServerConfig
from govkit.testing.sample import catalog_names
from tests.live.conftest import FAST, client_for

SOURCES = ("workspace", "warehouse")


def read(server: object, source: str, catalogs: list[str], **kwargs: object) -> State:
    return read_live(
        source,  # type: ignore[arg-type]
        environment="prod",
        catalogs=catalogs,
        warehouse_id="wh1",
        client=client_for(server),
        settings=kwargs.pop("settings", FAST),  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("source", SOURCES)
def test_snapshot_equals_the_server_state(
    ucserver_factory: ServerFactory, desired: State, source: str
) -> None:
    server = ucserver_factory([desired], config=ServerConfig(page_size=2, chunk_rows=7))
    live = read(server, source, catalog_names(desired))
    assert live.complete and live.errors == ()
    assert live.source == source and live.environment == "prod" and live.taken_at
    assert live.securables == desired.securables


def test_both_readers_agree_after_out_of_band_changes(
    ucserver_factory: ServerFactory, desired: State
) -> None:
    server = ucserver_factory([desired], config=ServerConfig(page_size=3))
    with server.store.lock:
        table = server.store.get(SecurableType.TABLE, "domain1_prod.schema2.table3")
        table.owner = "someone-else"
        table.grants["intruder"] = {"MODIFY"}
        server.store.get(SecurableType.CATALOG, "domain2_prod").isolation_mode = "OPEN"
    rest, sql = (read(server, s, catalog_names(desired)) for s in SOURCES)
    assert rest.securables == sql.securables
    changed = rest.index()[("table", "domain1_prod.schema2.table3")]
    assert changed.owner == "someone-else" and changed.grants["intruder"] == ("MODIFY",)
    assert rest.index()[("catalog", "domain2_prod")].isolation_mode == "OPEN"


@pytest.mark.parametrize("source", SOURCES)
def test_scope_is_the_declared_catalogs_unless_all(
    ucserver_factory: ServerFactory, desired: State, source: str
) -> None:
    legacy = make_securable(SecurableType.CATALOG, "legacy", "admins", {"everyone": ["BROWSE"]})
    server = ucserver_factory([desired, make_state("file", (legacy,))])
    declared = [*catalog_names(desired)[:1], "not_created_yet"]
    narrow = read(server, source, declared)
    assert narrow.complete  # a declared catalog that does not exist is drift, not an error
    assert {s.name.split(".")[0] for s in narrow.securables} == {"domain0_prod"}
    wide = read(server, source, declared, include_all=True)
    names = {s.name for s in wide.securables if s.type is SecurableType.CATALOG}
    assert names == {"domain0_prod", "domain1_prod", "domain2_prod", "legacy"}
    assert _catalog(wide, "legacy").workspace_ids == ()


def _catalog(state: State, name: str) -> Securable:
    return state.index()[("catalog", name)]


def test_inline_results_equal_external_links(
    ucserver_factory: ServerFactory, desired: State
) -> None:
    server = ucserver_factory([desired], config=ServerConfig(chunk_rows=4))
    inline = read(
        server, "warehouse", catalog_names(desired), settings=replace(FAST, external_links=False)
    )
    links = read(server, "warehouse", catalog_names(desired))
    assert inline.securables == links.securables == desired.securables
    assert any(r.target.startswith("/blob/") for r in server.requests)


def test_warehouse_reader_needs_a_warehouse_id() -> None:
    with pytest.raises(WarehouseRequired):
        read_live("warehouse", environment="prod", catalogs=[], settings=ReaderSettings())


def test_importing_govkit_live_does_not_import_the_sdk() -> None:
    code = "import sys, govkit.live, govkit.testing; print('databricks.sdk' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
