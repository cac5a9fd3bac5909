"""`govkit init` and `govkit onboard`: scaffolds that validate (and compile) at once."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
import yaml

from govkit.cli.main import main
from govkit.state import loads
from govkit.testing.fixtures import ServerFactory
from tests.edit.support import AS_OF, copy_catalogs, refused
from tests.repository.support import lint

ETL = ["--etl-principal", "sp-treasury-etl-prod", "--application-id"]
APP_ID = "3f2c1b0a-9e8d-4c7b-a6f5-e4d3c2b1a090"
PINNED = "git+https://github.com/acme/govkit@0123456789abcdef0123456789abcdef01234567"
SOURCE = ["--govkit-source", PINNED]


def test_init_scaffolds_a_repository_that_validates_compiles_and_lints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "governance"
    args = ["init", str(repo), "--organisation", "Acme Bank", "--environments", "dev,prod"]
    assert main([*args, *AS_OF]) == 0
    for rel in (
        "catalogs/govkit.yaml",
        "catalogs/principals.yaml",
        "catalogs/domains/example.yaml",
        ".github/CODEOWNERS",
        ".github/workflows/govkit.yml",
        ".github/workflows/govkit-apply.yml",
        ".pre-commit-config.yaml",
        "terraform/generated/stacks.json",
        "terraform/modules/uc-domain/main.tf",
    ):
        assert (repo / rel).is_file(), rel
    monkeypatch.chdir(repo)
    assert main(["validate", "catalogs", *AS_OF]) == 0
    assert main(["compile", "catalogs", "--check", *AS_OF]) == 0
    assert main(["codeowners", "catalogs", "--check", *AS_OF]) == 0
    assert "/catalogs/domains/example.yaml @acme-bank/example-data-owners" in (
        (repo / ".github" / "CODEOWNERS").read_text()
    )
    done = lint(repo / ".github" / "workflows")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (repo / "terraform/generated/prod/example/main.tf.json").is_file()


def test_init_pins_the_workflows_to_one_revision_of_govkit_under_its_own_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "governance"
    assert main(["init", str(repo), "--organisation", "Acme", "--govkit-source", PINNED]) == 0
    assert f"install govkit from {PINNED}" in capsys.readouterr().out
    lines = (repo / ".github" / "govkit-requirements.txt").read_text().splitlines()
    # Never `govkit==...`: that name on the package index is somebody else's project.
    assert [line for line in lines if not line.startswith("#")] == [
        f"govkit-unity-catalog @ {PINNED}"
    ]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("git+https://github.com/acme/govkit", "pin govkit to a full commit id"),
        ("git+https://github.com/acme/govkit@main", "pin govkit to a full commit id"),
        ("govkit==0.1.0", "not a reference pip can install govkit from"),
    ],
)
def test_init_refuses_a_govkit_source_that_is_not_one_fixed_revision(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], source: str, message: str
) -> None:
    repo = tmp_path / "governance"
    assert main(["init", str(repo), "--organisation", "Acme", "--govkit-source", source]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not repo.exists() and list(tmp_path.iterdir()) == []


def test_init_refuses_a_folder_that_is_not_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    assert main(["init", str(tmp_path), "--organisation", "Acme"]) == 1
    assert "exists and is not empty" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_onboard_adds_a_domain_that_validates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = copy_catalogs(tmp_path)
    args = ["onboard", "treasury", "--owner", "treasury-owners", "--spec", str(spec)]
    team = ["--github-team", "@meridian/treasury-data-owners"]
    assert main([*args, *ETL, APP_ID, *team, *AS_OF]) == 0
    domain = (spec / "domains" / "treasury.yaml").read_text()
    assert "owner: treasury-owners\n" in domain
    assert "  - {principal: sp-treasury-etl-prod, access: write, environments: [prod]," in domain
    principals = (spec / "principals.yaml").read_text()
    assert f"  sp-treasury-etl-prod:\n    application_id: {APP_ID}\n" in principals
    org = (spec / "govkit.yaml").read_text()
    assert '    treasury-owners: "@meridian/treasury-data-owners"\n' in org
    assert main(["validate", str(spec), *AS_OF]) == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["finance", "--owner", "finance-owners"], "domain finance exists already"),
        (["treasury", "--owner", "t-owners", "--environments", "dev,qa"], "unknown environment qa"),
        (["treasury", "--owner", "t-owners", *ETL, "not-a-uuid"], "GOV401"),
    ],
)
def test_onboard_refusals_change_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    spec = copy_catalogs(tmp_path)
    assert message in refused(capsys, spec, "onboard", *args, "--spec", str(spec))


def _weekly_audit_command(repo: Path, env: str, warehouse: str) -> list[str]:
    """The `govkit audit` line of the weekly workflow `init` wrote, as its shell would run it."""
    workflow = yaml.safe_load((repo / ".github" / "workflows" / "govkit-weekly.yml").read_text())
    (script,) = [
        s["run"] for s in workflow["jobs"]["audit"]["steps"] if "govkit audit" in s.get("run", "")
    ]
    lines = script.split("govkit audit", 1)[1].splitlines()
    command = ""
    for line in lines:
        command += line.rstrip("\\").strip() + " "
        if not line.endswith("\\"):
            break
    command = command.replace("$ENV_NAME", env).replace("$DATABRICKS_WAREHOUSE_ID", warehouse)
    return ["audit", *shlex.split(command)]


@pytest.mark.usefixtures("databricks_env")
def test_the_weekly_audit_of_a_new_repository_reads_access_outside_uc_from_the_workspaces(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    ucserver_factory: ServerFactory,
) -> None:
    repo = tmp_path / "governance"
    assert main(["init", str(repo), "--organisation", "Acme", *SOURCE, *AS_OF]) == 0
    monkeypatch.chdir(repo)
    capsys.readouterr()
    assert main(["show", "--env", "dev", "--format", "json", *AS_OF]) == 0
    desired = loads(capsys.readouterr().out)
    server = ucserver_factory(states=[desired])
    monkeypatch.setenv("DATABRICKS_HOST", server.url)
    monkeypatch.setenv("DATABRICKS_TOKEN", server.token)
    # The workflow's previous step writes this from Microsoft Graph.
    (repo / "identities.json").write_text(json.dumps({
        "format": "govkit.identities/v1", "source": "graph", "complete": True, "errors": [],
        "groups": [], "users": [], "service_principals": [],
    }))  # fmt: skip
    assert not (repo / "catalogs" / "recorded").exists()  # a new repository records nothing
    # As the workflow runs it: no --as-of, since a report may not predate its live evidence.
    code = main(_weekly_audit_command(repo, "dev", "local-warehouse"))
    err = capsys.readouterr().err
    assert code in (0, 2), err  # the workflow fails the job on anything else
    assert "legacy: not given" not in err
    assert (repo / "audit" / "dev" / "audit-dev.html").is_file()


@pytest.mark.parametrize(
    ("backend", "expected"),
    [
        (
            [],
            {"azurerm": {"container_name": "tfstate", "key": "unity-catalog/prod/example.tfstate",
                         "storage_account_name": "stacmetfstate", "use_azuread_auth": True,
                         "use_oidc": True}},
        ),
        (
            ["--backend", "s3"],
            {"s3": {"bucket": "acme-tfstate", "encrypt": True,
                    "key": "unity-catalog/prod/example.tfstate", "region": "eu-west-1",
                    "use_lockfile": True}},
        ),
        (
            ["--backend", "gcs"],
            {"gcs": {"bucket": "acme-tfstate", "prefix": "unity-catalog/prod/example"}},
        ),
    ],
)  # fmt: skip
def test_init_keeps_the_state_in_the_clouds_store_signed_in_by_oidc(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: list[str], expected: dict[str, object]
) -> None:
    repo = tmp_path / "governance"
    assert main(["init", str(repo), "--organisation", "Acme", *SOURCE, *backend, *AS_OF]) == 0
    stack = json.loads((repo / "terraform/generated/prod/example/main.tf.json").read_text())
    assert stack["terraform"]["backend"] == expected
    monkeypatch.chdir(repo)
    assert main(["validate", *AS_OF]) == 0


def test_a_local_backend_for_environments_the_workflows_apply_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "governance"
    assert main(["init", str(repo), "--organisation", "Acme", *SOURCE, *AS_OF]) == 0
    org = repo / "catalogs" / "govkit.yaml"
    text = org.read_text()
    start, end = text.index("  backend:\n"), text.index("codeowners:")
    org.write_text(text[:start] + "  backend: {type: local}\n" + text[end:])
    monkeypatch.chdir(repo)
    capsys.readouterr()
    assert main(["validate", *AS_OF]) == 1
    errors = [line for line in capsys.readouterr().out.splitlines() if "GOV307" in line]
    assert [line.split(": GOV307")[0] for line in errors] == [
        "catalogs/govkit.yaml:9:5",
        "catalogs/govkit.yaml:13:5",
        "catalogs/govkit.yaml:18:5",
    ]
    assert "environment prod is applied by the govkit workflows" in errors[2]
    assert main(["compile", "--check", *AS_OF]) == 1  # compile validates first
