"""actionlint for the workflow tests: the cached build of scripts/install-tools, or skip/fail."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest


def actionlint() -> str:
    binary = os.environ.get("GOVKIT_ACTIONLINT")
    cache = Path(os.environ.get("GOVKIT_CACHE", Path.home() / ".cache" / "govkit"))
    cached = cache / "actionlint-v1.7.7" / "bin" / "actionlint"
    if not binary and cached.is_file():
        binary = str(cached)
    if not binary:
        reason = "no actionlint: run scripts/install-tools, or set GOVKIT_ACTIONLINT"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return binary


def lint(folder: Path) -> subprocess.CompletedProcess[str]:
    files = sorted(str(p) for p in folder.glob("*.yml"))
    assert files, f"no workflows in {folder}"
    return subprocess.run(
        [actionlint(), "-no-color", *files], capture_output=True, text=True, check=False, cwd=folder
    )
