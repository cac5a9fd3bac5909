"""govkit installed from its wheel, away from the source tree, scaffolds a working repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from tests.conftest import ROOT


def _run(args: list[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PIP_"))}
    env["PIP_NO_INDEX"] = "1"  # the wheel is built and installed offline
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{args}\n{done.stdout}{done.stderr}"
    return done


def _wheel(tmp_path: Path) -> Path:
    """Build from a copy of the sources, so that the build leaves the checkout as it was."""
    source = tmp_path / "source"
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for folder in ("govkit", "terraform/modules"):
        shutil.copytree(ROOT / folder, source / folder, symlinks=True, ignore=skip)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    dist = tmp_path / "dist"
    # No build isolation: the build backend comes from the dev environment, not the network.
    _run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", dist, source], tmp_path)
    (wheel,) = dist.glob("govkit-*.whl")
    return wheel


def test_govkit_installed_from_its_wheel_inits_a_repository_that_validates(
    tmp_path: Path,
) -> None:
    wheel = _wheel(tmp_path)
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], tmp_path)
    python = venv / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--python", python]
    _run([*pip, "install", "--no-deps", "-q", wheel], tmp_path)
    # govkit's dependencies from the dev environment, after govkit's own (installed) package.
    where = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    purelib = Path(_run([python, "-c", where], tmp_path).stdout.strip())
    (purelib / "dev-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    work = tmp_path / "work"
    work.mkdir()
    imported = _run([python, "-c", "import govkit; print(govkit.__file__)"], work).stdout
    assert Path(imported.strip()).is_relative_to(venv)  # the wheel's govkit, not the checkout's
    govkit = venv / "bin" / "govkit"
    _run([govkit, "init", "governance", "--organisation", "Acme"], work)
    repo = work / "governance"
    for module in ("uc-domain", "uc-grants", "uc-storage", "service-principal"):
        for name in ("main.tf", "variables.tf", "outputs.tf", "versions.tf"):
            shipped = (ROOT / "terraform" / "modules" / module / name).read_text()
            assert (repo / "terraform" / "modules" / module / name).read_text() == shipped
    assert "owner: example-owners" in (repo / "catalogs" / "domains" / "example.yaml").read_text()
    _run([govkit, "validate", "catalogs"], repo)
    _run([govkit, "compile", "catalogs", "--check"], repo)
