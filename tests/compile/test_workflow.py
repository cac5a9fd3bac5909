"""The govkit workflow passes actionlint (built by scripts/install-tools) when it is present."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.compile.support import ROOT


def _actionlint() -> str:
    binary = os.environ.get("GOVKIT_ACTIONLINT")
    cache = Path(os.environ.get("GOVKIT_CACHE", Path.home() / ".cache" / "govkit"))
    cached = cache / "actionlint-v1.7.7" / "bin" / "actionlint"
    if not binary and cached.is_file():
        binary = str(cached)
    if not binary:
        pytest.skip("no actionlint: run scripts/install-tools, or set GOVKIT_ACTIONLINT")
    return binary


def test_govkit_workflow_passes_actionlint():
    workflow = ROOT / ".github" / "workflows" / "govkit.yml"
    done = subprocess.run(
        [_actionlint(), "-no-color", str(workflow)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
