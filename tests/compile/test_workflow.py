"""The govkit workflow passes actionlint (built by scripts/install-tools) when it is present."""

from __future__ import annotations

import subprocess

from tests.compile.support import ROOT
from tests.repository.support import actionlint


def test_govkit_workflow_passes_actionlint():
    workflow = ROOT / ".github" / "workflows" / "govkit.yml"
    done = subprocess.run(
        [actionlint(), "-no-color", str(workflow)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
