"""The command line's one error boundary and its exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

import govkit.cli.validate
from govkit.cli.main import main
from tests.conftest import CATALOGS


def test_a_bug_is_one_line_and_a_logged_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(spec_dir: str, today: object) -> object:
        raise RuntimeError("boom")

    monkeypatch.setattr(govkit.cli.validate, "validate", broken)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    code = main(["validate", str(CATALOGS)])
    err = capsys.readouterr().err
    log = tmp_path / "govkit" / "govkit.log"
    assert code == 1
    assert "internal error (a bug, not your input): RuntimeError: boom" in err
    assert "Traceback" not in err
    assert "RuntimeError: boom" in log.read_text()


def test_usage_errors_exit_1_not_2(capsys: pytest.CaptureFixture[str]) -> None:
    # 2 means "changes present" in govkit, as in terraform -detailed-exitcode
    assert main(["validate", "--format", "yaml"]) == 1
    assert main(["no-such-command"]) == 1
    assert "No such command" in capsys.readouterr().err


def test_bad_date_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(CATALOGS), "--as-of", "2026-13-01"]) == 1
    assert "is not a date (YYYY-MM-DD)" in capsys.readouterr().err


def test_validate_answers_without_importing_the_databricks_sdk() -> None:
    import subprocess
    import sys

    code = (
        f"import sys; from govkit.cli.main import main; main(['validate', {str(CATALOGS)!r}]);"
        "print('databricks.sdk' in sys.modules, 'rich' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "False False"
