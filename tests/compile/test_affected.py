"""`govkit affected`: changed files between a git revision and the work tree, as stacks."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from govkit.cli.main import main
from tests.compile.support import GOLDEN, MODULES


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "governance"
    shutil.copytree(GOLDEN / "small" / "spec", root / "catalogs")
    shutil.copytree(MODULES, root / "terraform" / "modules")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "base")
    monkeypatch.chdir(root)
    return root


def affected(capsys: pytest.CaptureFixture[str], *extra: str) -> list[str]:
    capsys.readouterr()
    assert main(["affected", "catalogs", "--base", "HEAD", "--as-of", "2026-11-26", *extra]) == 0
    matrix = json.loads(capsys.readouterr().out)
    return [entry["id"] for entry in matrix["include"]]


def test_nothing_changed_means_no_stacks(repo, capsys):
    assert affected(capsys) == []


def test_a_domain_file_change_touches_only_that_domains_stacks(repo, capsys):
    web = repo / "catalogs" / "domains" / "web.yaml"
    web.write_text(web.read_text() + "  clicks: {}\n")
    assert affected(capsys) == ["prod/web"]


def test_matrix_entries_carry_the_stack_folder(repo, capsys):
    sales = repo / "catalogs" / "domains" / "sales.yaml"
    sales.write_text(sales.read_text().replace("Orders and", "Orders, and"))
    capsys.readouterr()
    main(["affected", "catalogs", "--base", "HEAD", "--as-of", "2026-11-26"])
    include = json.loads(capsys.readouterr().out)["include"]
    assert include[0] == {
        "id": "dev/sales",
        "path": "terraform/generated/dev/sales",
        "environment": "dev",
        "domain": "sales",
        "kind": "domain",
    }


def test_a_principal_file_change_touches_every_stack(repo, capsys):
    principals = repo / "catalogs" / "principals.yaml"
    principals.write_text(principals.read_text().replace("groups:\n", "groups:\n  extra: {}\n"))
    assert affected(capsys) == [
        "_account/_shared",
        "dev/sales",
        "prod/_shared",
        "prod/sales",
        "prod/web",
    ]


def test_an_untracked_domain_file_counts(repo, capsys):
    new = repo / "catalogs" / "domains" / "shop.yaml"
    new.write_text("domain: shop\nowner: sales-owners\nenvironments: [dev]\n")
    assert affected(capsys) == ["dev/shop"]


def test_a_module_change_touches_every_stack(repo, capsys):
    main_tf = repo / "terraform" / "modules" / "uc-grants" / "main.tf"
    main_tf.write_text(main_tf.read_text() + "\n# note\n")
    assert len(affected(capsys)) == 5


def test_a_committed_change_is_seen_from_an_older_base(repo, capsys):
    web = repo / "catalogs" / "domains" / "web.yaml"
    web.write_text(web.read_text() + "  clicks: {}\n")
    git(repo, "commit", "-q", "-am", "clicks")
    assert affected(capsys, "--base", "HEAD~1") == ["prod/web"]


def test_an_unknown_revision_is_a_clear_error(repo, capsys):
    code = main(["affected", "catalogs", "--base", "no-such-ref", "--as-of", "2026-11-26"])
    assert code == 1
    assert "Traceback" not in capsys.readouterr().err
