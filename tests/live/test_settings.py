"""GOVKIT_HTTP_TIMEOUT, GOVKIT_DEADLINE, GOVKIT_BREAKER_COOLDOWN: read, or refused with a hint."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from govkit.cli.main import main
from govkit.live import ReaderSettings
from govkit.live.settings import SettingsError
from tests.conftest import CATALOGS, TODAY

RECORDED = CATALOGS / "recorded"
VARIABLES = ("GOVKIT_HTTP_TIMEOUT", "GOVKIT_DEADLINE", "GOVKIT_BREAKER_COOLDOWN")


@pytest.fixture
def clean(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for variable in VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    return monkeypatch


def test_set_values_are_used_and_empty_ones_mean_the_default(clean: pytest.MonkeyPatch) -> None:
    clean.setenv("GOVKIT_HTTP_TIMEOUT", "7.4")
    clean.setenv("GOVKIT_DEADLINE", " 12.5 ")
    clean.setenv("GOVKIT_BREAKER_COOLDOWN", "")
    s = ReaderSettings()
    assert (s.http_timeout_seconds, s.deadline, s.breaker_cooldown) == (7, 12.5, 30.0)


@pytest.mark.parametrize("value", ["30s", "0", "-5", "inf", "nan", "1e999", "sixty"])
def test_a_value_that_is_no_positive_number_is_refused(
    value: str, clean: pytest.MonkeyPatch
) -> None:
    clean.setenv("GOVKIT_DEADLINE", value)
    with pytest.raises(SettingsError) as raised:
        ReaderSettings(progress=False)
    assert str(raised.value) == (
        f"GOVKIT_DEADLINE={value!r} is not a positive number of seconds; hint: a plain number "
        "without a unit, e.g. GOVKIT_DEADLINE=120 (the default when unset)"
    )


def test_every_bad_variable_is_named_at_once(clean: pytest.MonkeyPatch) -> None:
    clean.setenv("GOVKIT_HTTP_TIMEOUT", "30s")
    clean.setenv("GOVKIT_BREAKER_COOLDOWN", "1m")
    with pytest.raises(SettingsError) as raised:
        ReaderSettings()
    named = [line.split("=")[0] for line in str(raised.value).splitlines()]
    assert named == ["GOVKIT_HTTP_TIMEOUT", "GOVKIT_BREAKER_COOLDOWN"]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


LIVE_COMMANDS = {
    "snapshot": ["snapshot", str(CATALOGS), "--env", "prod", "--out", "out/snap.json"],
    "drift": ["drift", str(CATALOGS), "--env", "prod", "--source", "workspace"],
    "drift --audit": ["drift", str(CATALOGS), "--env", "prod", "--source",
                      str(RECORDED / "prod.state.json"), "--audit", "warehouse",
                      "--warehouse-id", "wh1"],
    "import": ["import", "--env", "prod", "--source", "workspace", "--identities", "none",
               "--out", "out"],
    "audit --live": ["audit", str(CATALOGS), "--env", "prod", "--live", "workspace",
                     "--out", "out"],
    "audit --lineage": ["audit", str(CATALOGS), "--env", "prod", "--lineage", "warehouse",
                        "--warehouse-id", "wh1", "--out", "out"],
    "audit --legacy": ["audit", str(CATALOGS), "--env", "prod", "--legacy", "workspace",
                       "--out", "out"],
    "access --live": ["access", str(CATALOGS), "--env", "prod", "--on", "finance_prod",
                      "--live", "workspace"],
    "identities check": ["identities", "check", str(CATALOGS), "--identities",
                         str(RECORDED / "identities.json"), "--databricks"],
}  # fmt: skip


@pytest.mark.parametrize("command", sorted(LIVE_COMMANDS))
def test_every_command_that_reads_live_refuses_a_bad_timeout(
    command: str,
    clean: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    clean.chdir(tmp_path)
    clean.setenv("HOME", str(tmp_path))
    clean.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    clean.setenv("DATABRICKS_CONFIG_FILE", str(tmp_path / "no-databrickscfg"))
    # Were the value ignored, the command would try this host and fail otherwise.
    clean.setenv("DATABRICKS_HOST", f"http://127.0.0.1:{_closed_port()}")
    clean.setenv("DATABRICKS_TOKEN", "dapi-unused")
    clean.setenv("GOVKIT_HTTP_TIMEOUT", "30s")
    assert main([*LIVE_COMMANDS[command], "--as-of", TODAY.isoformat()]) == 1
    captured = capsys.readouterr()
    assert captured.err == (
        "Error: GOVKIT_HTTP_TIMEOUT='30s' is not a positive number of seconds; hint: a plain "
        "number without a unit, e.g. GOVKIT_HTTP_TIMEOUT=60 (the default when unset)\n"
    )
    assert captured.out == ""
    assert not (tmp_path / "out").exists()  # nothing written
