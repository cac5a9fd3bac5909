"""A real browser: Debian's chromium renders the HTML report headless, offline.

The screenshot stays in tests/artifacts/ (ignored by git) for a person to look at.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.audit.test_cli import _audit
from tests.conftest import ROOT

ARTIFACTS = ROOT / "tests" / "artifacts"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
SECTIONS = (
    "summary", "evidence", "findings", "ownership", "access", "exceptions", "lineage", "legacy",
    "policy",
)  # fmt: skip


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not on PATH (scripts/install-browser installs it)")
        pytest.skip("chromium is not on PATH (scripts/install-browser installs it)")
    return found


def _run(tmp_path: Path, *args: str) -> str:
    profile = tmp_path / "profile"
    done = subprocess.run(
        [_chromium(), *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_chromium_renders_every_section_and_the_lineage_picture(tmp_path: Path) -> None:
    assert _audit(tmp_path) == 2
    page = (tmp_path / "out" / "audit-prod.html").resolve().as_uri()
    dom = _run(tmp_path, "--dump-dom", page)
    assert 'data-ready="yes"' in dom  # the report's script ran
    for section in SECTIONS:
        assert re.search(rf'<section id="{section}"', dom), section
    assert re.search(r'<svg [^>]*class="lineage"', dom)
    # the recorded instance profiles, with the clusters, policy and job that still use them
    legacy = dom[dom.index('<section id="legacy"') :]
    legacy = legacy[: legacy.index("</section>")]
    assert "instance-profile/finance-etl-s3-legacy" in legacy and "finance-legacy-etl" in legacy
    assert dom.count('class="node"') >= 10 and 'class="edge edge-env"' in dom
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "audit-prod.png"
    shot.unlink(missing_ok=True)
    _run(tmp_path, "--window-size=1400,4200", "--hide-scrollbars", f"--screenshot={shot}", page)
    assert shot.stat().st_size > 50_000  # a page, not a blank
