"""Readers that check who they run as, and read isolated catalogs through a bound workspace."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from govkit.cli.main import main
from govkit.live import read_live
from govkit.live.client import make_client
from govkit.pipeline import validate
from govkit.privileges import SecurableType
from govkit.state import State
from govkit.testing import UCServer
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


@dataclass
class Estate:
    """The bundled estate's prod on local servers, and `govkit drift` against them."""

    factory: ServerFactory
    prod: State
    monkeypatch: pytest.MonkeyPatch
    capsys: pytest.CaptureFixture[str]

    def server(self, **kwargs: Any) -> UCServer:
        return self.factory([self.prod], **kwargs)

    def drift(
        self, url: str, token: str, *extra: str, spec: Path = CATALOGS
    ) -> tuple[int, str, str]:
        self.monkeypatch.setenv("DATABRICKS_HOST", url)
        self.monkeypatch.setenv("DATABRICKS_TOKEN", token)
        self.capsys.readouterr()
        args = ["drift", str(spec), "--env", "prod", "--as-of", TODAY.isoformat(), *extra]
        code = main(args)
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err


@pytest.fixture
def estate(
    ucserver_factory: ServerFactory,
    databricks_env: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Estate:
    (env,) = [e for e in validate(str(CATALOGS), TODAY).environments if e.name == "prod"]
    return Estate(ucserver_factory, env.state, monkeypatch, capsys)


@pytest.mark.parametrize("source", SOURCES)
def test_drift_by_a_reader_without_rights_exits_1_naming_what_it_could_not_see(
    estate: Estate, source: str
) -> None:
    server = estate.server()
    token = server.add_caller("ann@example.com", groups=["finance-analysts"])
    code, out, err = estate.drift(server.url, token, "--source", source, "--warehouse-id", "w")
    assert code == 1
    assert "live read is incomplete" in err
    assert "the reader ann@example.com is neither a metastore admin nor the owner" in err
    assert "Traceback" not in err and out == ""


def test_drift_from_a_workspace_the_catalogs_are_not_bound_to_exits_1_then_reads_via_hosts(
    estate: Estate, tmp_path: Path
) -> None:
    server = estate.server(strict=True, workspace_id=1001)  # a dev workspace
    code, _, err = estate.drift(server.url, server.token)
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
    code, out, err = estate.drift(server.url, server.token, spec=spec)
    assert code == 0, err
    assert "No drift" in out


@pytest.mark.parametrize("source", SOURCES)
def test_drift_all_leaves_the_databricks_maintained_catalogs_alone(
    estate: Estate, source: str
) -> None:
    server = estate.server(strict=True, workspace_id=3001)
    assert {"system", "samples", "__databricks_internal"} <= set(server.store.catalog_names())
    extra = ("--all", "--source", source, "--warehouse-id", "wh1", "--format", "json")
    code, out, err = estate.drift(server.url, server.token, *extra)
    assert code == 0, out + err
    assert json.loads(out)["changes"] == []


@pytest.mark.parametrize("source", SOURCES)
def test_a_workspace_demoted_to_read_only_is_drift(estate: Estate, source: str) -> None:
    from databricks.sdk.service.catalog import WorkspaceBinding, WorkspaceBindingBindingType

    server = estate.server()
    extra = ("--source", source, "--warehouse-id", "wh1", "--format", "json")
    assert estate.drift(server.url, server.token, *extra)[0] == 0
    w = make_client(FAST, host=server.url, token=server.token)
    demoted = WorkspaceBinding(3002, WorkspaceBindingBindingType.BINDING_TYPE_READ_ONLY)
    w.workspace_bindings.update_bindings("catalog", "risk_prod", add=[demoted])
    code, out, _ = estate.drift(server.url, server.token, *extra)
    [change] = json.loads(out)["changes"]
    assert code == 2
    assert (change["kind"], change["securable"], change["actual"]) == (
        "binding_type_mismatch",
        "risk_prod",
        [3002],
    )
    assert change["consequence"].startswith("the next apply binds 3002 read-write again")


@pytest.mark.parametrize("source", SOURCES)
def test_credentials_and_locations_isolated_out_of_band_are_drift_the_apply_leaves(
    estate: Estate, source: str
) -> None:
    from databricks.sdk.service.catalog import IsolationMode, WorkspaceBinding

    server = estate.server()
    w = make_client(FAST, host=server.url, token=server.token)
    isolated = IsolationMode.ISOLATION_MODE_ISOLATED
    w.storage_credentials.update("ac-uc-prod", isolation_mode=isolated)
    w.external_locations.update("landing-prod", isolation_mode=isolated)
    bind = [WorkspaceBinding(3001)]
    w.workspace_bindings.update_bindings("storage_credential", "ac-uc-prod", add=bind)
    extra = ("--source", source, "--warehouse-id", "wh1", "--format", "json")
    code, out, _ = estate.drift(server.url, server.token, *extra)
    changes = json.loads(out)["changes"]
    assert code == 2
    found = {c["securable"]: (c["kind"], c["actual"], c["consequence"]) for c in changes}
    assert sorted(found) == ["ac-uc-prod", "landing-prod"]
    kind, actual, consequence = found["ac-uc-prod"]
    assert (kind, actual) == ("isolation_mismatch", "ISOLATED")
    assert consequence.startswith("the next apply leaves it (bound to workspaces: 3001)")


def test_a_grant_to_a_deleted_principal_makes_the_read_incomplete(estate: Estate) -> None:
    server = estate.server()
    [grantee, *_] = sorted(server.store.get(SecurableType.CATALOG, "finance_prod").grants)
    server.delete_principal(grantee)
    code, out, err = estate.drift(server.url, server.token)
    assert code == 1 and out == ""
    assert "finance_prod: could not read grants: it holds a grant of" in err
    assert "to the deleted principal with id 9000000000000001" in err


@pytest.mark.parametrize("source", SOURCES)
def test_the_environments_deployer_reads_the_whole_of_it(estate: Estate, source: str) -> None:
    server = estate.server()
    token = server.add_caller(DEPLOYER, "service_principal")  # owns every prod securable
    code, out, err = estate.drift(server.url, token, "--source", source, "--warehouse-id", "w")
    assert code == 0, err
    assert "No drift" in out
    stranger = server.add_caller("ann@example.com", groups=["finance-analysts"])
    code, _, err = estate.drift(server.url, stranger, "--source", source, "--warehouse-id", "w")
    assert code == 1
    assert "ac-uc-prod: not in the list the reader ann@example.com sees" in err
