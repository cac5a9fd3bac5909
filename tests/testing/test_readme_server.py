"""The README's local-server walkthrough, run as written (port and paths adapted)."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import ROOT, TODAY
from tests.terraform.tools import mirror_config, terraform_binary

APPLY = "### Apply against it, as the merge workflow does"


def _section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text.split("## Try it against the local server", 1)[1].split("\n## ", 1)[0]


def _commands() -> list[list[str]]:
    """Every command line of the README section before its apply part, trailing comments
    removed."""
    section = _section().split(APPLY, 1)[0]
    lines = [
        line.split("#", 1)[0].strip()
        for block in re.findall(r"```sh\n(.*?)```", section, re.S)
        for line in block.splitlines()
    ]
    return [shlex.split(line) for line in lines if line.startswith((".venv/", "export "))]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _argv(words: list[str], port: int) -> list[str]:
    """`.venv/bin/python -m ...` and `.venv/bin/govkit ...` as this interpreter runs them."""
    words = [w.replace("8766", str(port)) for w in words]
    if words[0].endswith("/python"):
        return [sys.executable, *words[1:]]
    return [sys.executable, "-m", "govkit", *words[1:], "--as-of", TODAY.isoformat()]


@contextmanager
def _serving(argv: list[str], env: dict[str, str]) -> Iterator[str]:
    server = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert server.stdout is not None
        yield server.stdout.readline()  # "serving Unity Catalog API on ..." once it listens
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_readme_starts_the_server_empty_then_from_the_declared_estate(tmp_path: Path) -> None:
    port = _free_port()
    start_empty, export, drift_empty, show, start_full, drift_full = _commands()
    assert "--state" not in start_empty and export[0] == "export"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABRICKS_")}
    env.update(HOME=str(tmp_path), DATABRICKS_CONFIG_FILE=str(tmp_path / "none"))
    env.update(a.replace("8766", str(port)).split("=", 1) for a in export[1:])  # type: ignore[misc]
    with _serving(_argv(start_empty, port), env) as banner:
        assert banner.startswith("serving Unity Catalog API")
        done = subprocess.run(_argv(drift_empty, port), env=env, cwd=ROOT, capture_output=True,
                              text=True, check=False)  # fmt: skip
        assert done.returncode == 2, done.stderr
        assert "missing_securable" in done.stdout
    dev_json = tmp_path / "dev.json"
    show_argv = _argv(show[:-2], port)  # `> dev.json` is the shell's part
    dev_json.write_text(subprocess.run(show_argv, env=env, cwd=ROOT, capture_output=True,
                                       text=True, check=True).stdout)  # fmt: skip
    full = [str(dev_json) if w == "dev.json" else w for w in _argv(start_full, port)]
    with _serving(full, env):
        done = subprocess.run(_argv(drift_full, port), env=env, cwd=ROOT, capture_output=True,
                              text=True, check=False)  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr


def _shell(tmp_path: Path, port: int, account_port: int) -> tuple[list[str], Path, dict[str, str]]:
    """The apply part's shell blocks, run as written in a folder holding a copy of the
    repository's catalogs/ and modules; `.venv/bin/` is this interpreter, `terraform` the
    real CLI with the provider mirror."""
    binary, config = terraform_binary(), mirror_config()
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "terraform").symlink_to(binary)
    as_of = f"--as-of {TODAY.isoformat()}"
    for name, line in (("python", '"$@"'), ("govkit", f'-m govkit "$@" {as_of}')):
        (tools / name).write_text(f"#!/bin/sh\nexec {shlex.quote(sys.executable)} {line}\n")
        (tools / name).chmod(0o755)
    work = tmp_path / "work"
    shutil.copytree(ROOT / "catalogs", work / "catalogs")
    shutil.copytree(ROOT / "terraform" / "modules", work / "terraform" / "modules")
    blocks = re.findall(r"```sh\n(.*?)```", _section().split(APPLY, 1)[1], re.S)
    blocks = [
        b.replace(".venv/bin/", f"{tools}/")
        .replace("8766", str(port))
        .replace("8767", str(account_port))
        for b in blocks
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABRICKS_", "TF_"))}
    env.update(
        HOME=str(tmp_path), DATABRICKS_CONFIG_FILE=str(tmp_path / "none"),
        TF_CLI_CONFIG_FILE=str(config), PYTHONPATH=str(ROOT),
        PATH=f"{tools}{os.pathsep}{os.environ.get('PATH', '')}",
    )  # fmt: skip
    return blocks, work, env


@contextmanager
def _server(line: str, work: Path, env: dict[str, str]) -> Iterator[list[str]]:
    """The server of one README line; SIGTERM stops it (as `kill` does), and it must exit 0."""
    server = subprocess.Popen(shlex.split(line), env=env, stdout=subprocess.PIPE, text=True,
                              cwd=work)  # fmt: skip
    try:
        assert server.stdout is not None
        banner = [server.stdout.readline() for _ in range(3 if "--account-port" in line else 2)]
        yield banner
    finally:
        server.terminate()
        assert server.wait(timeout=60) == 0


def _bash(script: str, work: Path, env: dict[str, str]) -> str:
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], env=env, cwd=work,
                          capture_output=True, text=True, check=False, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


@pytest.mark.terraform
def test_the_readme_applies_prod_and_a_server_started_from_its_dump_plans_no_change(
    tmp_path: Path,
) -> None:
    port, account_port = _free_port(), _free_port()
    blocks, work, env = _shell(tmp_path, port, account_port)
    start, apply, restart, plan = blocks
    show, serve = start.strip().splitlines()
    _bash(show, work, env)
    with _server(serve, work, env) as banner:
        assert banner[2].startswith(f"GOVKIT_ACCOUNT_HOST=http://127.0.0.1:{account_port} ")
        assert "DATABRICKS_ACCOUNT_ID=" in banner[2]
        out = _bash(apply, work, env)
        assert "Apply complete!" in out and "No drift in prod" in out
    dump = json.loads((work / "applied.json").read_text())  # written on SIGTERM
    assert dump["assignments"] and dump["federation_policies"]
    second_shell = [line for line in apply.splitlines() if line.startswith("export ")]
    with _server(restart.strip(), work, env):
        _bash("\n".join([*second_shell, plan]), work, env)  # plan exits 2 on any change
