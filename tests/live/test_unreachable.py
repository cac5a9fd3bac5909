"""An unreachable host, through the CLI: the attempt cap holds, the host is named, waits show.

Each run is a subprocess with a bound on its wall time, so that a regression to the SDK's own
five-minute retry loop fails the test instead of hanging the suite.
"""

from __future__ import annotations

import os
import pty
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import CATALOGS, TODAY

BOUND = 90  # seconds; the read gives up after three attempts, a few seconds in all


def _env(tmp_path: Path, host: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABRICKS_", "ARM_", "GOOGLE_")) and k != "CI"
    }
    env.update(
        HOME=str(tmp_path),
        DATABRICKS_CONFIG_FILE=str(tmp_path / "no-databrickscfg"),
        DATABRICKS_HOST=host,
        DATABRICKS_TOKEN="dapi-unreachable",
    )
    return env


def _drift() -> list[str]:
    args = ["drift", str(CATALOGS), "--env", "prod", "--as-of", TODAY.isoformat()]
    return [sys.executable, "-m", "govkit", *args]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def hanging_up() -> Iterator[tuple[str, list[int]]]:
    """A host that accepts each connection and closes it at once; counts the connections."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted = [0]

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            accepted[0] += 1
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", accepted
    server.close()


def test_a_closed_port_fails_after_three_attempts_naming_the_host(tmp_path: Path) -> None:
    host = f"http://127.0.0.1:{_closed_port()}"
    done = subprocess.run(
        _drift(), env=_env(tmp_path, host), capture_output=True, text=True, timeout=BOUND
    )
    assert done.returncode == 1
    first = done.stderr.splitlines()[0]
    assert first.startswith(f"govkit: cannot connect to {host}: Connection refused; retrying")
    # One line that ends the read: every other request would have met the same closed port.
    assert done.stderr.splitlines()[-1] == (
        f"Error: live read from workspace failed: cannot connect to {host}: Connection refused "
        "(after 3 attempts)"
    )
    assert "Traceback" not in done.stderr


def test_connection_errors_obey_the_attempt_cap(
    tmp_path: Path, hanging_up: tuple[str, list[int]]
) -> None:
    host, accepted = hanging_up
    done = subprocess.run(
        _drift(), env=_env(tmp_path, host), capture_output=True, text=True, timeout=BOUND
    )
    assert done.returncode == 1, done.stderr
    assert f"cannot connect to {host}" in done.stderr
    # The SDK's host-metadata probe once, then govkit's three attempts at the catalog list.
    assert accepted[0] <= 4, accepted[0]


def test_a_wait_on_a_terminal_shows_progress(tmp_path: Path) -> None:
    host = f"http://127.0.0.1:{_closed_port()}"
    main_fd, terminal = pty.openpty()
    process = subprocess.Popen(
        _drift(),
        env=_env(tmp_path, host),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=terminal,
    )
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(main_fd, 4096)
        except OSError:  # the terminal closed: the process is done
            break
        if not chunk:
            break
        chunks.append(chunk)
    assert process.wait(timeout=BOUND) == 1
    os.close(main_fd)
    shown = b"".join(chunks).decode()
    assert "\rsnapshot [" in shown.replace("\x1b[K", "")
    assert "retrying in" in shown and f"cannot connect to {host}" in shown
