"""`govkit snapshot` end to end: spec scope, atomic output, exit codes, no secrets anywhere."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from govkit.cli.main import main
from govkit.pipeline import validate
from govkit.state import State, loads
from govkit.testing import Faults, UCServer
from govkit.testing.fixtures import ServerFactory
from tests.conftest import CATALOGS, TODAY

CANARY = "dapi-CANARY-7f3e9b1c2d4a"


@pytest.fixture
def estate() -> list[State]:
    return [e.state for e in validate(str(CATALOGS), TODAY).environments]


@pytest.fixture
def server(
    ucserver_factory: ServerFactory,
    estate: list[State],
    databricks_env: None,
    monkeypatch: pytest.MonkeyPatch,
) -> UCServer:
    server = ucserver_factory(estate, token=CANARY)
    monkeypatch.setenv("DATABRICKS_HOST", server.url)
    monkeypatch.setenv("DATABRICKS_TOKEN", CANARY)
    return server


def snapshot(*args: str) -> int:
    return main(["snapshot", str(CATALOGS), "--as-of", TODAY.isoformat(), *args])


@pytest.mark.parametrize("source", ["workspace", "warehouse"])
def test_snapshot_of_one_catalog(
    server: UCServer, estate: list[State], tmp_path: Path, source: str
) -> None:
    out = tmp_path / "live.json"
    args = ["--env", "prod", "--catalog", "finance_prod", "--out", str(out), "--source", source]
    assert snapshot(*args, "--warehouse-id", "wh1") == 0
    live = loads(out.read_text())
    assert live.complete and live.source == source and live.environment == "prod"
    prod = next(s for s in estate if s.environment == "prod")
    want = [s for s in prod.securables if s.name.split(".")[0] == "finance_prod"]
    assert list(live.securables) == want


def test_default_scope_is_the_spec_and_the_canary_never_leaks(
    server: UCServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    out = tmp_path / "live.json"
    assert snapshot("--env", "staging", "--out", str(out)) == 0
    catalogs = [s["name"] for s in json.loads(out.read_text())["securables"]][:6]
    assert all(name.endswith("_staging") for name in catalogs)
    captured = capsys.readouterr()
    assert "complete" in captured.err
    for text in (captured.out, captured.err, caplog.text, out.read_text()):
        assert CANARY not in text
    assert caplog.text  # the SDK did log at debug level; the token is not in it


def test_incomplete_snapshot_is_written_and_exits_1(
    server: UCServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.faults = Faults(fail_paths=("/permissions/schema/finance_prod.reporting",))
    out = tmp_path / "live.json"
    code = snapshot("--env", "prod", "--catalog", "finance_prod", "--out", str(out))
    assert code == 1
    live = loads(out.read_text())
    assert not live.complete
    assert [e.securable for e in live.errors] == ["finance_prod.reporting"]
    err = capsys.readouterr().err
    assert "INCOMPLETE" in err and "finance_prod.reporting: could not read grants" in err
    assert CANARY not in err


def test_wrong_token_fails_closed_without_echoing_it(
    server: UCServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABRICKS_TOKEN", CANARY + "-wrong")
    out = tmp_path / "live.json"
    assert snapshot("--env", "prod", "--out", str(out)) == 1
    assert loads(out.read_text()).errors[0].securable == "metastore"
    assert CANARY not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--env", "prod", "--source", "warehouse"], "warehouse id"),
        (["--env", "nowhere"], "unknown environment"),
    ],
)
def test_bad_input_is_one_line(
    server: UCServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    assert snapshot(*args, "--out", str(tmp_path / "x.json")) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "x.json").exists()


def test_no_credentials_is_one_line(
    databricks_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert snapshot("--env", "prod", "--out", str(tmp_path / "x.json")) == 1
    err = capsys.readouterr().err.strip()
    assert err and "Traceback" not in err and len(err.splitlines()) == 1
