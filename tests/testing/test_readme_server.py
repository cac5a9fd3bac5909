"""The README's local-server walkthrough, run as written (port and paths adapted)."""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import ROOT, TODAY


def _commands() -> list[list[str]]:
    """Every command line of the README section, with its trailing comment removed."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Try it against the local server", 1)[1].split("\n## ", 1)[0]
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
