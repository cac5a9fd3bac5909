"""Commands find the governance repository's root from any folder inside it, and compile
writes govkit's own Terraform modules where a repository has none."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from govkit.cli.main import main
from tests.edit.support import AS_OF

PINNED = "git+https://github.com/acme/govkit@0123456789abcdef0123456789abcdef01234567"


@pytest.fixture(scope="module")
def scaffold(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("init") / "governance"
    assert main(["init", str(repo), "--organisation", "Acme", "--govkit-source", PINNED]) == 0
    return repo


@pytest.fixture
def repo(scaffold: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(scaffold, tmp_path / "governance", symlinks=True))


@pytest.mark.parametrize("folder", ["catalogs/domains", "terraform/generated/dev", ".github"])
def test_commands_with_default_paths_work_from_a_folder_inside_the_repository(
    repo: Path, folder: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(repo / folder)
    before = sorted(p.name for p in Path().iterdir())
    assert main(["validate", *AS_OF]) == 0
    assert main(["compile", "--check", *AS_OF]) == 0
    assert main(["codeowners", "--check", *AS_OF]) == 0
    assert main(["show", "--env", "dev", "--format", "summary", *AS_OF]) == 0
    err = capsys.readouterr().err
    assert "does not exist" not in err and "no govkit Terraform modules" not in err
    assert main(["compile", *AS_OF]) == 0  # the root's output folder, nothing written here
    assert sorted(p.name for p in (repo / folder).iterdir()) == before


def test_compile_from_a_subfolder_writes_the_roots_output_folder(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / "terraform" / "generated" / "dev" / "example" / "main.tf.json").unlink()
    monkeypatch.chdir(repo / "catalogs" / "domains")
    assert main(["compile", *AS_OF]) == 0
    assert (repo / "terraform" / "generated" / "dev" / "example" / "main.tf.json").is_file()
    assert not (repo / "catalogs" / "domains" / "terraform").exists()


def test_codeowners_needs_no_modules(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.rmtree(repo / "terraform")
    monkeypatch.chdir(repo / "catalogs")
    assert main(["codeowners", "--check", *AS_OF]) == 0
    assert "CODEOWNERS is up to date" in capsys.readouterr().err
    assert not (repo / "terraform").exists()


def test_compile_in_a_folder_with_only_a_spec_writes_govkits_modules_beside_the_stacks(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bare = tmp_path / "bare"
    shutil.copytree(repo / "catalogs", bare / "catalogs")
    monkeypatch.chdir(bare)
    assert main(["compile", "--check", *AS_OF]) == 1  # writes nothing, and says what is missing
    assert "terraform/modules: govkit's Terraform modules are missing" in capsys.readouterr().err
    assert not (bare / "terraform").exists()
    assert main(["compile", "catalogs", *AS_OF]) == 0
    assert "terraform/modules: govkit's Terraform modules written" in capsys.readouterr().err
    for module in ("uc-domain", "uc-grants", "uc-storage", "uc-tags", "service-principal"):
        shipped = (repo / "terraform" / "modules" / module / "main.tf").read_bytes()
        assert (bare / "terraform" / "modules" / module / "main.tf").read_bytes() == shipped
    generated = repo / "terraform" / "generated"
    for path in generated.rglob("*.json"):
        rel = path.relative_to(generated)
        assert (bare / "terraform" / "generated" / rel).read_bytes() == path.read_bytes(), rel
    assert main(["compile", "catalogs", "--check", *AS_OF]) == 0


def test_a_modules_folder_the_user_names_is_never_filled_in(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(repo)
    assert main(["compile", "--modules", "vendor/modules", *AS_OF]) == 1
    assert "no govkit Terraform modules in vendor/modules" in capsys.readouterr().err
    assert not (repo / "vendor").exists()


def test_local_state_is_for_a_try_out_folder_never_the_committed_stacks(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(repo)
    before = (repo / "terraform/generated/dev/example/main.tf.json").read_bytes()
    assert main(["compile", "--local-state", *AS_OF]) == 1
    assert "give them an --out of their own" in capsys.readouterr().err
    assert (repo / "terraform/generated/dev/example/main.tf.json").read_bytes() == before
    assert main(["compile", "--local-state", "--out", "try/generated", *AS_OF]) == 0
    tried = json.loads((repo / "try/generated/dev/example/main.tf.json").read_text())
    assert tried["terraform"]["backend"] == {
        "local": {"path": "../../../terraform-state/dev/example.tfstate"}
    }


def test_import_with_terraform_in_a_bare_folder_writes_govkits_modules(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(repo)
    capsys.readouterr()
    assert main(["show", "--env", "dev", "--format", "json", *AS_OF]) == 0
    state = tmp_path / "dev.json"
    state.write_text(capsys.readouterr().out)
    bare = tmp_path / "bare"
    bare.mkdir()
    monkeypatch.chdir(bare)
    args = ["import", "--env", "dev", "--source", str(state), "--out", "catalogs"]
    assert main([*args, "--terraform", "terraform/generated", *AS_OF]) == 0
    assert "terraform/modules: govkit's Terraform modules written" in capsys.readouterr().err
    assert (bare / "terraform/modules/uc-domain/main.tf").is_file()
    stack = json.loads((bare / "terraform/generated/dev/example/main.tf.json").read_text())
    assert stack["module"]["domain"]["source"] == "../../../modules/uc-domain"
