"""End to end without the Terraform provider: the local Unity Catalog API server stands in for
an applied metastore; changes are made out of band through the real databricks-sdk."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from govkit.cli.main import main
from govkit.pipeline import validate
from tests.conftest import CATALOGS, TODAY

ucserver = pytest.importorskip("govkit.testing.ucserver")

DEPLOYER = "6a1e0c3d-5b7f-4e2a-9c1d-0f3b2a4c6e8d"  # sp-uc-deploy-prod
ARGS = [str(CATALOGS), "--env", "prod", "--as-of", TODAY.isoformat(), "--source", "workspace"]


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Any]:
    """The bundled estate's prod as if applied, and the environment pointing at it."""
    (prod,) = [e for e in validate(str(CATALOGS), TODAY).environments if e.name == "prod"]
    for name in list(__import__("os").environ):
        if name.startswith(("DATABRICKS_", "ARM_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(tmp_path / "none"))
    with ucserver.UCServer([prod.state]) as running:
        monkeypatch.setenv("DATABRICKS_HOST", running.url)
        monkeypatch.setenv("DATABRICKS_TOKEN", running.token)
        yield running


def _client(server: Any) -> Any:
    from databricks.sdk import WorkspaceClient

    return WorkspaceClient(host=server.url, token=server.token, auth_type="pat")


def _drift(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = main(["drift", *ARGS, *extra])
    return code, capsys.readouterr().out


def test_applied_estate_is_clean_then_shows_exactly_out_of_band_changes(
    server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from databricks.sdk.service.catalog import PermissionsChange, Privilege

    code, out = _drift(capsys)
    assert code == 0, out
    w = _client(server)
    w.grants.update(
        "catalog",
        "finance_prod",
        changes=[PermissionsChange(principal="contractors", add=[Privilege.SELECT])],
    )
    w.catalogs.update("risk_prod", owner="alice@example.com")

    code, out = _drift(capsys, "--format", "json", "--audit", "warehouse", "--warehouse-id", "wh1")
    assert code == 2, out
    doc = json.loads(out)
    changes = [(c["kind"], c["securable"], c["principal"], c["actual"]) for c in doc["changes"]]
    assert changes == [
        ("unexpected_grant", "finance_prod", "contractors", ["SELECT"]),
        ("owner_mismatch", "risk_prod", None, "alice@example.com"),
    ]
    assert all(c["explanation"] is not None for c in doc["changes"])
    assert doc["changes"][0]["explanation"]["action"] == "updatePermissions"

    code, sql = _drift(capsys, "--emit", "sql")
    assert "REVOKE SELECT ON CATALOG `finance_prod` FROM `contractors`;" in sql
    assert f"ALTER CATALOG `risk_prod` OWNER TO `{DEPLOYER}`;" in sql

    # The SQL warehouse reader sees the same two changes.
    code, out = _drift(capsys, "--format", "json", "--source", "warehouse", "--warehouse-id", "w1")
    assert code == 2, out
    assert [(c["kind"], c["securable"]) for c in json.loads(out)["changes"]] == [
        ("unexpected_grant", "finance_prod"),
        ("owner_mismatch", "risk_prod"),
    ]

    # Restore what the SQL says, through the SDK (the local server runs no DDL).
    w.grants.update(
        "catalog",
        "finance_prod",
        changes=[PermissionsChange(principal="contractors", remove=[Privilege.SELECT])],
    )
    w.catalogs.update("risk_prod", owner=DEPLOYER)
    code, out = _drift(capsys)
    assert code == 0, out


def test_an_incomplete_live_read_exits_1(
    server: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from govkit.testing.faults import Faults

    (prod,) = [e for e in validate(str(CATALOGS), TODAY).environments if e.name == "prod"]
    faults = Faults(fail_paths=("/permissions/catalog/finance_prod",))
    with ucserver.UCServer([prod.state], faults=faults) as broken:
        monkeypatch.setenv("DATABRICKS_HOST", broken.url)
        monkeypatch.setenv("DATABRICKS_TOKEN", broken.token)
        code = main(["drift", *ARGS])
    assert code == 1
    err = capsys.readouterr().err
    assert "live read is incomplete" in err and "finance_prod" in err


# The live read starts in its own process before the spec is validated (govkit/live/ahead.py).
@pytest.mark.parametrize(
    "command",
    [
        ["drift", *ARGS[1:]],
        ["audit", "--env", "prod", "--live", "workspace", "--out", "report"],
        ["access", "--env", "prod", "--live", "workspace", "--on", "finance_prod"],
    ],
    ids=["drift", "audit", "access"],
)
def test_an_invalid_spec_stops_the_live_read_before_it_asks_anything(
    server: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[str]
) -> None:
    import shutil

    spec = tmp_path / "catalogs"
    shutil.copytree(CATALOGS, spec)
    finance = spec / "domains" / "finance.yaml"
    finance.write_text(finance.read_text(encoding="utf-8") + "\nnot_a_field: 1\n", "utf-8")
    code = main([command[0], str(spec), *command[1:]])
    assert code == 1
    assert "nothing done" in capsys.readouterr().err
    asked = [seen.route for seen in server.requests if "unity-catalog" in seen.route]
    assert asked == []
