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


def test_matrix_entries_carry_the_stack_folder_change_and_needs(repo, capsys):
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
        "host": "workspace",
        "change": "changed",
        "needs": ["_account/_shared", "dev/_storage"],
    }


def test_a_principal_that_no_stack_uses_touches_no_stack(repo, capsys):
    # Onboarding a team starts with its groups: nothing compiles differently until it is used.
    principals = repo / "catalogs" / "principals.yaml"
    principals.write_text(principals.read_text().replace("groups:\n", "groups:\n  extra: {}\n"))
    assert affected(capsys) == []


def test_a_prod_only_grant_touches_only_the_prod_stack(repo, capsys):
    sales = repo / "catalogs" / "domains" / "sales.yaml"
    sales.write_text(
        sales.read_text().replace(
            "grants:\n",
            "grants:\n  - {principal: web-analysts, access: read, environments: [prod], "
            "reason: WEB-9}\n",
            1,
        )
    )
    assert affected(capsys) == ["prod/sales"]


def test_a_principal_change_touches_the_stacks_that_compile_it(repo, capsys):
    principals = repo / "catalogs" / "principals.yaml"
    principals.write_text(
        principals.read_text().replace(
            "00000000-0000-4000-8000-000000000002", "00000000-0000-4000-8000-0000000000aa"
        )
    )
    # sp-sales-etl serves every environment: its account stack and every grant to it change,
    # its grants on prod's storage too
    assert affected(capsys) == ["_account/_shared", "dev/sales", "prod/_storage", "prod/sales"]


def test_principal_stacks_sign_in_to_the_account_host(repo, capsys):
    # A service principal, its workspace assignments and federation policy are account objects.
    principals = repo / "catalogs" / "principals.yaml"
    principals.write_text(
        principals.read_text().replace(
            "00000000-0000-4000-8000-000000000002", "00000000-0000-4000-8000-0000000000aa"
        )
    )
    capsys.readouterr()
    main(["affected", "catalogs", "--base", "HEAD", "--as-of", "2026-11-26"])
    include = json.loads(capsys.readouterr().out)["include"]
    assert {e["id"]: e["host"] for e in include} == {
        "_account/_shared": "account",
        "dev/sales": "workspace",
        "prod/_storage": "workspace",
        "prod/sales": "workspace",
    }
    index = json.loads((GOLDEN / "small" / "expected" / "stacks.json").read_text())
    accounts = {s["id"] for s in index["stacks"] if s["host"] == "account"}
    assert accounts == {"_account/_shared", "prod/_shared"}


@pytest.mark.parametrize("zero", ["0" * 40, "0" * 64])
def test_a_first_push_has_no_base_and_adds_every_stack(repo, capsys, zero):
    # GitHub's `github.event.before` on a repository's first push is the all-zero revision.
    capsys.readouterr()
    assert main(["affected", "catalogs", "--base", zero, "--as-of", "2026-11-26"]) == 0
    out, err = capsys.readouterr()
    include = json.loads(out)["include"]
    index = json.loads((GOLDEN / "small" / "expected" / "stacks.json").read_text())
    assert [(e["id"], e["change"]) for e in include] == [
        (s["id"], "added") for s in sorted(index["stacks"], key=lambda s: s["id"])
    ]
    assert "a first push" in err


def test_an_untracked_domain_file_counts_as_an_added_stack(repo, capsys):
    new = repo / "catalogs" / "domains" / "shop.yaml"
    new.write_text("domain: shop\nowner: sales-owners\nenvironments: [dev]\n")
    capsys.readouterr()
    main(["affected", "catalogs", "--base", "HEAD", "--as-of", "2026-11-26"])
    include = json.loads(capsys.readouterr().out)["include"]
    assert [(e["id"], e["change"]) for e in include] == [("dev/shop", "added")]


def test_a_deleted_domain_is_reported_for_a_destroy_plan(repo, capsys):
    (repo / "catalogs" / "domains" / "web.yaml").unlink()
    capsys.readouterr()
    main(["affected", "catalogs", "--base", "HEAD", "--as-of", "2026-11-26"])
    include = json.loads(capsys.readouterr().out)["include"]
    assert [(e["id"], e["change"], e["path"]) for e in include] == [
        ("prod/web", "removed", "terraform/generated/prod/web")
    ]


def test_a_module_change_touches_the_stacks_that_call_it(repo, capsys):
    main_tf = repo / "terraform" / "modules" / "service-principal" / "main.tf"
    main_tf.write_text(main_tf.read_text() + "\n# note\n")
    assert affected(capsys) == ["_account/_shared", "prod/_shared"]
    main_tf = repo / "terraform" / "modules" / "uc-domain" / "main.tf"
    main_tf.write_text(main_tf.read_text() + "\n# note\n")
    assert len(affected(capsys)) == 5


def test_a_committed_change_is_seen_from_an_older_base(repo, capsys):
    web = repo / "catalogs" / "domains" / "web.yaml"
    web.write_text(web.read_text() + "  clicks: {}\n")
    git(repo, "commit", "-q", "-am", "clicks")
    assert affected(capsys, "--base", "HEAD~1") == ["prod/web"]


def test_a_base_whose_spec_does_not_load_counts_every_stack(repo, capsys):
    web = repo / "catalogs" / "domains" / "web.yaml"
    good = web.read_text()
    web.write_text(good.replace("owner: web-owners", "owner: nobody-declared"))
    git(repo, "commit", "-q", "-am", "broken")
    web.write_text(good)
    capsys.readouterr()
    assert main(["affected", "catalogs", "--base", "HEAD", "--as-of", "2026-11-26"]) == 0
    out, err = capsys.readouterr()
    assert len(json.loads(out)["include"]) == 7
    assert "the spec at the base does not load (1 errors); every stack counts as added" in err


def test_an_unknown_revision_is_a_clear_error(repo, capsys):
    code = main(["affected", "catalogs", "--base", "no-such-ref", "--as-of", "2026-11-26"])
    err = capsys.readouterr().err
    assert code == 1
    assert "revision 'no-such-ref' does not exist" in err
    assert "rev-parse" not in err and "Traceback" not in err
