"""govkit installed from its wheel, away from the source tree: it scaffolds a working
repository, compiles a bare spec into stacks that the real provider validates, and a generated
repository's requirement installs govkit from a pinned git revision."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.compile.support import GOLDEN
from tests.conftest import ROOT
from tests.terraform.tools import mirror_config, terraform_binary

DISTRIBUTION = "govkit-unity-catalog"


def _run(
    args: list[str | Path], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PIP_", "GIT_"))}
    clean["PIP_NO_INDEX"] = "1"  # the wheel is built and installed offline
    clean.update(env or {})
    done = subprocess.run(args, cwd=cwd, env=clean, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{args}\n{done.stdout}{done.stderr}"
    return done


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A copy of the sources as one git commit (the build leaves the checkout as it was)."""
    source = tmp_path_factory.mktemp("source")
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for folder in ("govkit", "terraform/modules"):
        shutil.copytree(ROOT / folder, source / folder, symlinks=True, ignore=skip)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    _run([*git, "init", "-q"], source)
    _run([*git, "add", "-A"], source)
    _run([*git, "commit", "-q", "-m", "govkit"], source)
    return source, _run(["git", "rev-parse", "HEAD"], source).stdout.strip()


def _venv(where: Path) -> Path:
    """A fresh virtualenv whose site-packages also sees govkit's dependencies from the dev
    environment (after its own), so that nothing comes from the network."""
    _run([sys.executable, "-m", "venv", "--without-pip", where], where.parent)
    python = where / "bin" / "python"
    code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    purelib = Path(_run([python, "-c", code], where.parent).stdout.strip())
    (purelib / "dev-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def _pip(python: Path) -> list[str | Path]:
    # No build isolation: the build backend comes from the dev environment, not the network.
    return [sys.executable, "-m", "pip", "--disable-pip-version-check", "--python", python]


@pytest.fixture(scope="module")
def installed(source: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `govkit` command of a fresh virtualenv holding the wheel built from `source`."""
    tmp = tmp_path_factory.mktemp("wheel")
    dist = tmp / "dist"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    _run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", dist, source[0]], tmp)
    (wheel,) = dist.glob("govkit_unity_catalog-*.whl")
    with zipfile.ZipFile(wheel) as archive:  # the modules themselves, not a link to them
        shipped = {n: archive.read(n) for n in archive.namelist() if "/modules/" in n}
    source_modules = ROOT / "terraform" / "modules"
    assert shipped == {
        f"govkit/repository/modules/{p.relative_to(source_modules).as_posix()}": p.read_bytes()
        for p in sorted(source_modules.rglob("*"))
        if p.is_file()
    }
    python = _venv(tmp / "venv")
    _run([*_pip(python), "install", "--no-deps", "-q", wheel], tmp)
    code = "import govkit; print(govkit.__file__)"
    imported = _run([python, "-c", code], tmp).stdout
    assert Path(imported.strip()).is_relative_to(tmp / "venv")  # the wheel's, not the checkout's
    return tmp / "venv" / "bin" / "govkit"


def test_govkit_installed_from_its_wheel_inits_a_repository_that_validates(
    installed: Path, tmp_path: Path
) -> None:
    _run([installed, "init", "governance", "--organisation", "Acme",
          "--govkit-source", f"git+{ROOT.as_uri()}@{'0' * 40}"], tmp_path)  # fmt: skip
    repo = tmp_path / "governance"
    for module in ("uc-domain", "uc-grants", "uc-storage", "service-principal"):
        for name in ("main.tf", "variables.tf", "outputs.tf", "versions.tf"):
            shipped = (ROOT / "terraform" / "modules" / module / name).read_text()
            assert (repo / "terraform" / "modules" / module / name).read_text() == shipped
    assert "owner: example-owners" in (repo / "catalogs" / "domains" / "example.yaml").read_text()
    _run([installed, "validate", "catalogs"], repo)
    _run([installed, "compile", "catalogs", "--check"], repo)


def test_the_wheel_compiles_a_bare_spec_into_stacks_the_provider_validates(
    installed: Path, tmp_path: Path
) -> None:
    binary, config = terraform_binary(), mirror_config()
    shutil.copytree(Path(GOLDEN) / "small" / "spec", tmp_path / "catalogs")
    done = _run([installed, "compile", "catalogs"], tmp_path)  # an empty folder but the spec
    assert "terraform/modules: govkit's Terraform modules written" in done.stderr
    index = json.loads((tmp_path / "terraform" / "generated" / "stacks.json").read_text())
    paths = sorted(stack["path"] for stack in index["stacks"])
    assert len(paths) == 7
    tf_env = {"TF_CLI_CONFIG_FILE": str(config), "TF_IN_AUTOMATION": "1"}
    for path in paths:
        stack = tmp_path / "terraform" / "generated" / path
        _run([binary, "init", "-backend=false", "-input=false", "-no-color"], stack, tf_env)
        validated = _run([binary, "validate", "-json", "-no-color"], stack, tf_env)
        assert json.loads(validated.stdout)["valid"] is True, path
    _run([installed, "compile", "catalogs", "--check"], tmp_path)


def test_a_generated_repository_installs_govkit_from_its_pinned_revision(
    installed: Path, source: tuple[Path, str], tmp_path: Path
) -> None:
    folder, commit = source
    reference = f"git+{folder.as_uri()}@{commit}"
    _run([installed, "init", "governance", "--organisation", "Acme", "--govkit-source",
          reference], tmp_path)  # fmt: skip
    requirements = tmp_path / "governance" / ".github" / "govkit-requirements.txt"
    assert f"{DISTRIBUTION} @ {reference}\n" in requirements.read_text()
    # As the workflows do: `pip install -r` that file (offline: the repository is a folder).
    python = _venv(tmp_path / "ci")
    _run([*_pip(python), "install", "--no-deps", "--no-build-isolation", "-q", "-r",
          requirements], tmp_path)  # fmt: skip
    ci_govkit = tmp_path / "ci" / "bin" / "govkit"
    # govkit installed from git knows its revision: a repository it makes pins the same one.
    _run([ci_govkit, "init", "again", "--organisation", "Acme"], tmp_path)
    again = (tmp_path / "again" / ".github" / "govkit-requirements.txt").read_text()
    assert f"{DISTRIBUTION} @ {reference}\n" in again
