"""Helpers for the edit tests: a copy of the bundled catalogs, and a snapshot of its bytes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from govkit.cli.main import main
from tests.conftest import CATALOGS

AS_OF = ["--as-of", "2026-11-26"]


def copy_catalogs(tmp_path: Path) -> Path:
    target = tmp_path / "catalogs"
    shutil.copytree(CATALOGS, target)
    return target


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` by relative path, with its bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def refused(capsys: pytest.CaptureFixture[str], spec: Path, *argv: str) -> str:
    """Run a command that must be refused: exit 1, every file byte-identical; its stderr."""
    before = snapshot(spec)
    assert main([*argv, *AS_OF]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert snapshot(spec) == before
    return err
