"""Readers that check who they run as, and read isolated catalogs through a bound workspace."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from govkit.cli.main import main
from govkit.live import read_live
from govkit.live.client import make_client
from govkit.pipeline import validate
from govkit.state import State
from govkit.testing.fixtures import ServerFactory
from govkit.testing.sample import DEPLOYER, catalog_names
from tests.conftest import CATALOGS, TODAY
from tests.live.conftest import FAST

SOURCES = ("workspace", "warehouse")


def _read(url: str, token: str, source: str, catalogs: list[str], **kwargs: object) -> State:
    return read_live(
        source,  # type: ignore[arg-type]
        environment="prod",
        catalogs=catalogs,
        warehouse_id="wh1",
        client=make_client(FAST, host=url, token=token),
        settings=FAST,
        **kwargs,  # type: ignore[arg-type]
    )


def _errors(state: State) -> dict[str, str]:
    return {e.securable: e.message for e in state.errors}


@pytest.mark.parametrize("source", SOURCES)
def test_a_reader_without_rights_is_incomplete_never_missing(
    ucserver_factory: ServerFactory, desired: State, source: str
) -> None:
    server = ucserver_factory([desired])
    token = server.add_caller("ann@example.com", groups=["domain0-analysts"])
    live = _read(server.url, token, source, catalog_names(desired))
    assert not live.complete
    errors = _errors(live)
    assert sorted(errors) == ["domain0_prod", "domain1_prod", "domain2_prod"]
    assert (
        "neither a metastore admin nor the owner of catalog domain0_prod" in errors["domain0_prod"]
    )
    assert "cannot tell a missing catalog from one it may not see" in errors["domain1_prod"]
    assert "ann@example.com" in errors["domain1_prod"]
    assert not any(s.name.startswith("domain0_prod") for s in live.securables)


@pytest.mark.parametrize("source", SOURCES)
def test_the_owner_of_every_catalog_reads_it_whole(
    ucserver_factory: ServerFactory, desired: State, source: str
) -> None:
    server = ucserver_factory([desired])
    token = server.add_caller(DEPLOYER, "service_principal")
    live = _read(server.url, token, source, catalog_names(desired))
    assert live.complete, live.errors
    assert live.securables == desired.securables


@pytest.mark.parametrize("source", SOURCES)
def test_an_admin_reports_a_declared_catalog_it_does_not_find_as_missing(
    ucserver_factory: ServerFactory, desired: State, source: str
) -> None:
    server = ucserver_factory([desired])
    live = _read(server.url, server.token, source, [*catalog_names(desired), "later_prod"])
    assert live.complete  # an admin sees everything: what it does not see does not exist


@pytest.mark.parametrize("source", SOURCES)
def test_isolated_catalogs_of_other_workspaces_are_named_as_unreachable(
    ucserver_factory: ServerFactory, desired: State, source: str
) -> None:
    server = ucserver_factory([desired], strict=True, workspace_id=4001)
    live = _read(server.url, server.token, source, catalog_names(desired))
    assert not live.complete
    errors = _errors(live)
    assert sorted(errors) == catalog_names(desired)
    assert (
        "catalog domain0_prod is ISOLATED and bound to workspaces [3001, 3002], not to "
        "workspace 4001 the reader runs in" in errors["domain0_prod"]
    )
    assert "environments.<env>.hosts" in errors["domain0_prod"]


def test_isolated_catalogs_are_read_through_a_bound_workspace_host(
    ucserver_factory: ServerFactory, desired: State
) -> None:
    server = ucserver_factory([desired], strict=True, workspace_id=4001)
    hosts = {3002: server.add_host(workspace_id=3002)}
    live = _read(server.url, server.token, "workspace", catalog_names(desired), hosts=hosts)
    assert live.complete, live.errors
    assert live.securables == desired.securables
    through = {
        s.route for s in server.requests if s.route.startswith("GET /api/2.1/unity-catalog/schemas")
    }
    assert through  # the schemas were listed, through the bound workspace only


# -- through `govkit drift` ----------------------------------------------------------------

PROD_WORKSPACES = "    workspaces: [3001, 3002, 3003, 3004, 3005]\n"


@pytest.fixture
def prod() -> State:
    (env,) = [e for e in validate(str(CATALOGS), TODAY).environments if e.name == "prod"]
    return env.state


def _drift(spec: Path, url: str, token: str, monkeypatch: pytest.MonkeyPatch, *extra: str) -> int:
    monkeypatch.setenv("DATABRICKS_HOST", url)
    monkeypatch.setenv("DATABRICKS_TOKEN", token)
    return main(["drift", str(spec), "--env", "prod", "--as-of", TODAY.isoformat(), *extra])


@pytest.mark.parametrize("source", SOURCES)
def test_drift_by_a_reader_without_rights_exits_1_naming_what_it_could_not_see(
    ucserver_factory: ServerFactory,
    databricks_env: None,
    prod: State,
    source: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = ucserver_factory([prod])
    token = server.add_caller("ann@example.com", groups=["finance-analysts"])
    code = _drift(
        CATALOGS, server.url, token, monkeypatch, "--source", source, "--warehouse-id", "wh1"
    )
    captured = capsys.readouterr()
    assert code == 1
    assert "live read is incomplete" in captured.err
    assert "the reader ann@example.com is neither a metastore admin nor the owner" in captured.err
    assert "Traceback" not in captured.err and captured.out == ""


def test_drift_from_a_workspace_the_catalogs_are_not_bound_to_exits_1_then_reads_via_hosts(
    ucserver_factory: ServerFactory,
    databricks_env: None,
    prod: State,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = ucserver_factory([prod], strict=True, workspace_id=1001)  # a dev workspace
    code = _drift(CATALOGS, server.url, server.token, monkeypatch)
    err = capsys.readouterr().err
    assert code == 1
    assert (
        "finance_prod: catalog finance_prod is ISOLATED and bound to workspaces "
        "[3001, 3002, 3003, 3004, 3005], not to workspace 1001 the reader runs in" in err
    )
    spec = tmp_path / "catalogs"
    shutil.copytree(CATALOGS, spec)
    org = spec / "govkit.yaml"
    host = server.add_host(workspace_id=3004)
    text = org.read_text(encoding="utf-8")
    assert PROD_WORKSPACES in text
    org.write_text(
        text.replace(PROD_WORKSPACES, f"{PROD_WORKSPACES}    hosts:\n      3004: {host}\n"),
        encoding="utf-8",
    )
    code = _drift(spec, server.url, server.token, monkeypatch)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "No drift" in captured.out


@pytest.mark.parametrize("source", SOURCES)
def test_drift_all_leaves_the_databricks_maintained_catalogs_alone(
    ucserver_factory: ServerFactory,
    databricks_env: None,
    prod: State,
    source: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = ucserver_factory([prod], strict=True, workspace_id=3001)
    assert {"system", "samples", "__databricks_internal"} <= set(server.store.catalog_names())
    extra = ("--all", "--source", source, "--warehouse-id", "wh1", "--format", "json")
    code = _drift(CATALOGS, server.url, server.token, monkeypatch, *extra)
    captured = capsys.readouterr()
    assert code == 0, captured.out + captured.err
    assert json.loads(captured.out)["changes"] == []
