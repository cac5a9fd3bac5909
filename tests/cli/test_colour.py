"""Colour on a terminal only: never when piped, never with NO_COLOR or --no-color."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TODAY
from tests.spec.test_bad_input import BASE, write_spec

ESC = b"\x1b["


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    files = dict(BASE)
    files["domains/sales.yaml"] = str(BASE["domains/sales.yaml"]).replace("sales-owners", "nobody")
    write_spec(tmp_path, files)
    return tmp_path


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "CI", "TERM")}
    return {**env, "TERM": "xterm-256color", **extra}


def _on_terminal(args: list[str], env: dict[str, str]) -> bytes:
    """Everything the command writes to a terminal (stdout and stderr are the same tty)."""
    main_fd, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "govkit", *args], env=env, stdin=subprocess.DEVNULL,
        stdout=terminal, stderr=terminal,
    )  # fmt: skip
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(main_fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(main_fd)
    return b"".join(chunks)


def _validate(spec: Path, *extra: str) -> list[str]:
    return [*extra, "validate", str(spec), "--as-of", TODAY.isoformat()]


def test_a_terminal_gets_colour(broken: Path) -> None:
    shown = _on_terminal(_validate(broken), _env())
    assert b"GOV020" in shown
    assert ESC + b"31m" + ESC + b"1merror" + ESC + b"0m" in shown  # bold red severity


def test_drift_marks_are_coloured_on_a_terminal(tmp_path: Path) -> None:
    from tests.drift.test_cli import ARGS, _drifted

    shown = _on_terminal(["drift", *ARGS, "--source", _drifted(tmp_path)], _env())
    assert b"  " + ESC + b"31m" + ESC + b"1m-" + ESC + b"0m unexpected_grant" in shown


@pytest.mark.parametrize(
    ("extra", "env"), [(("--no-color",), {}), ((), {"NO_COLOR": "1"})], ids=["flag", "env"]
)
def test_no_color_is_respected(broken: Path, extra: tuple[str, ...], env: dict[str, str]) -> None:
    shown = _on_terminal(_validate(broken, *extra), _env(**env))
    assert b"GOV020 error: unknown principal" in shown
    assert ESC not in shown


def test_never_colour_when_piped(broken: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "govkit", *_validate(broken)], env=_env(), capture_output=True,
        check=False,
    )  # fmt: skip
    assert b"GOV020 error: unknown principal" in done.stdout
    assert ESC not in done.stdout + done.stderr
