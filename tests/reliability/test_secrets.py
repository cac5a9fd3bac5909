"""Canary credentials never reach output, the bug log, reports or written files.

The Databricks token (environment and a `.databrickscfg` profile), the Graph token and an Azure
client secret are set to canaries; every command runs with the servers reachable (accepting
the canaries) and, for the live commands, unreachable.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from govkit.cli.main import main
from govkit.fuzz.seeds import IDENTITIES, LINEAGE
from govkit.identity.document import Group
from govkit.identity.document import loads as load_identities
from govkit.resolve import resolve
from govkit.spec.build import load_spec
from govkit.testing import UCServer
from govkit.testing.graphserver import GraphServer
from tests.compile.support import GOLDEN, MODULES, TODAY

DATABRICKS = "dapi-canary-env-5f1d0c2e9b"
PROFILE = "dapi-canary-profile-77ac31"
GRAPH = "graph-canary-0c8e4a"
AZURE = "azure-canary-secret-91be"
CANARIES = (DATABRICKS, PROFILE, GRAPH, AZURE)
AS_OF = ("--as-of", TODAY.isoformat())


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    return Path(shutil.copytree(GOLDEN / "small" / "spec", tmp_path / "work" / "catalogs"))


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A home with a `.databrickscfg` profile and a cache folder, and the canaries set."""
    root = tmp_path / "work"
    for name in list(__import__("os").environ):
        if name.startswith(("DATABRICKS_", "ARM_", "AZURE_", "GOVKIT_GRAPH")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(root))
    monkeypatch.setenv("XDG_CACHE_HOME", str(root / "cache"))
    monkeypatch.setenv("GOVKIT_GRAPH_TOKEN", GRAPH)
    monkeypatch.setenv("AZURE_CLIENT_SECRET", AZURE)
    monkeypatch.chdir(root)
    yield root


def _profile(root: Path, host: str) -> None:
    (root / ".databrickscfg").write_text(f"[canary]\nhost = {host}\ntoken = {PROFILE}\n")


def _assert_no_canary(root: Path, captured: str) -> None:
    for canary in CANARIES:
        assert canary not in captured
    for path in root.rglob("*"):
        if path.is_file() and path.name != ".databrickscfg":
            data = path.read_bytes()
            for canary in CANARIES:
                assert canary.encode() not in data, f"{canary} in {path}"


def _live_commands(spec: Path, graph_url: str) -> list[list[str]]:
    (spec.parent / "ids.json").write_bytes(IDENTITIES)
    (spec.parent / "lineage.json").write_bytes(LINEAGE)
    return [
        ["snapshot", str(spec), "--env", "prod", "--out", "snap.json"],
        ["drift", str(spec), "--env", "prod", "--source", "workspace", "--emit", "sql",
         "--emit-file", "fix.sql"],
        ["import", "--env", "prod", "--source", "workspace", "--identities", "none",
         "--out", "imported"],
        ["audit", str(spec), "--env", "prod", "--live", "workspace", "--identities", "ids.json",
         "--lineage", "lineage.json", "--out", "audit", "--allow-incomplete"],
        ["identities", "pull", "--graph-url", graph_url, "--out", "pulled.json"],
    ]  # fmt: skip


def _offline_commands(spec: Path) -> list[list[str]]:
    return [
        ["validate", str(spec)],
        ["show", str(spec), "--format", "json"],
        ["compile", str(spec), "--out", "gen", "--modules", str(MODULES)],
        ["codeowners", str(spec), "--out", "gen", "--modules", str(MODULES)],
        ["access", str(spec), "--env", "prod", "--on", "sales_prod"],
        ["request", str(spec), "--principal", "web-analysts", "--on", "sales", "--env",
         "prod", "--access", "read", "--reason", "WEB-8"],
        ["expire", str(spec), "--within", "400d", "--write"],
        ["rules"],
        ["schema", "state"],
    ]  # fmt: skip


def _run_all(
    commands: list[list[str]], capsys: pytest.CaptureFixture[str], root: Path
) -> list[int]:
    codes = []
    for args in commands:
        codes.append(main([*args, *([] if args[0] in ("rules", "schema") else AS_OF)]))
        captured = capsys.readouterr()
        text = captured.out + captured.err
        assert "internal error" not in text, (args, text)
        _assert_no_canary(root, text)
    return codes


def _servers(spec: Path) -> tuple[UCServer, GraphServer]:
    loaded = load_spec(str(spec))
    assert loaded.spec is not None
    prod = next(e.state for e in resolve(loaded.spec, TODAY) if e.name == "prod")
    seed = load_identities(IDENTITIES)
    # The spec's groups in the directory: with none of them, a pull is refused (wrong tenant).
    groups = (*seed.groups, *(Group(name, None, ()) for name in loaded.spec.groups))
    graph = GraphServer(replace(seed, groups=groups), token=GRAPH)
    return UCServer([prod], token=DATABRICKS), graph


@pytest.mark.parametrize("source", ["environment", "profile"])
def test_no_canary_with_the_servers_reachable(
    source: str,
    spec: Path,
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    uc, graph = _servers(spec)
    if source == "profile":
        uc.token = PROFILE
    with uc, graph:
        if source == "environment":
            monkeypatch.setenv("DATABRICKS_HOST", uc.url)
            monkeypatch.setenv("DATABRICKS_TOKEN", DATABRICKS)
        else:
            _profile(home, uc.url)
            monkeypatch.setenv("DATABRICKS_CONFIG_PROFILE", "canary")
        commands = _live_commands(spec, graph.url)
        # The profile's token reaches the same SDK code as the environment's: two commands do.
        chosen = commands if source == "environment" else commands[:2]
        codes = _run_all(chosen, capsys, home)
        assert codes[0] == 0  # the canary was used, and it worked
        assert uc.request_count > 0
        if source == "environment":
            assert codes[-1] == 0 and graph.requests


def test_no_canary_with_the_servers_unreachable(
    spec: Path, home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    down = f"http://127.0.0.1:{_closed_port()}"
    monkeypatch.setenv("DATABRICKS_HOST", down)
    monkeypatch.setenv("DATABRICKS_TOKEN", DATABRICKS)
    _profile(home, down)
    live: Callable[[], list[list[str]]] = lambda: _live_commands(spec, f"{down}/v1.0")  # noqa: E731
    codes = _run_all(live(), capsys, home)
    # Each names the host it could not reach and exits 1; audit too, --allow-incomplete or
    # not: a host that no request reached leaves nothing to report on.
    assert codes == [1, 1, 1, 1, 1]
    _run_all(_offline_commands(spec), capsys, home)


def _repository(root: Path) -> None:
    """`root` as a git repository whose one commit holds the spec: diff and affected read it."""
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "catalogs"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "spec"], check=True)


def _remaining_commands(spec: Path, graph_url: str) -> list[list[str]]:
    (spec.parent / "plan.json").write_text('{"format_version": "1.2", "resource_changes": []}')
    (spec.parent / "ids.json").write_bytes(IDENTITIES)
    return [
        ["diff", str(spec), "--base", "HEAD", "--format", "json"],
        ["affected", str(spec), "--base", "HEAD", "--out", "gen", "--modules", str(MODULES)],
        ["plan-check", "plan.json", str(spec), "--env", "prod"],
        ["revoke", str(spec), "--principal", "sales-analysts", "--on", "sales", "--env", "prod"],
        ["onboard", "treasury", "--owner", "treasury-owners", "--spec", str(spec)],
        ["init", "fresh", "--organisation", "Canary Bank"],
        ["identities", "check", str(spec), "--identities", "ids.json"],
        ["identities", "check", str(spec), "--identities", "graph", "--graph-url", graph_url],
    ]  # fmt: skip


def test_no_canary_in_the_remaining_commands(
    spec: Path, home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _repository(home)
    _profile(home, f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.setenv("DATABRICKS_TOKEN", DATABRICKS)
    _, graph = _servers(spec)
    with graph:
        codes = _run_all(_remaining_commands(spec, graph.url), capsys, home)
        assert graph.requests  # the Graph check used the canary token, and got through
    # Each ran to its end: the checks against ids.json and Graph report the spec's missing
    # principals (exit 1), the rest succeed; the canary reached no output and no file.
    assert codes == [0, 0, 0, 0, 0, 0, 1, 1]
    assert (home / "fresh").is_dir() and (home / "catalogs" / "domains" / "treasury.yaml").exists()
