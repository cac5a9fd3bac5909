"""The principals the scaffolded workflows sign in as are declared, with federation policies
whose subjects are the GitHub environments those workflows' jobs run in."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from govkit.cli.main import main
from tests.edit.support import AS_OF

ISSUER = "https://token.actions.githubusercontent.com"


def _jobs(repo: Path, name: str) -> dict[str, dict[str, object]]:
    text = (repo / ".github" / "workflows" / name).read_text()
    jobs: dict[str, dict[str, object]] = yaml.load(text, Loader=yaml.BaseLoader)["jobs"]
    return jobs


def test_every_workflow_principal_is_declared_with_its_federation_policy(tmp_path: Path) -> None:
    repo = tmp_path / "governance"
    args = ["init", str(repo), "--organisation", "Acme", "--environments", "dev,prod"]
    assert main([*args, "--github-org", "acme", *AS_OF]) == 0
    # The GitHub environments the jobs that sign in run in: ENV to apply, ENV-read to read.
    assert _jobs(repo, "govkit-apply-environment.yml")["apply"]["environment"] == (
        "${{ inputs.environment }}"
    )
    assert _jobs(repo, "govkit.yml")["plan"]["environment"] == "${{ matrix.environment }}-read"
    assert _jobs(repo, "govkit-nightly.yml")["drift"]["environment"] == (
        "${{ matrix.environment }}-read"
    )
    org = yaml.safe_load((repo / "catalogs" / "govkit.yaml").read_text())
    for env in ("dev", "prod"):
        assert org["environments"][env]["deployer"] == f"sp-uc-deploy-{env}"
        stack = json.loads((repo / f"terraform/generated/{env}/_shared/main.tf.json").read_text())
        policies = {
            name: call["federation"]
            for name, call in stack["module"].items()
            if call["federation"] is not None
        }
        assert policies == {
            f"sp-uc-deploy-{env}": {
                "issuer": ISSUER,
                "subject": f"repo:acme/governance:environment:{env}",
                "audiences": [],
            },
            f"sp-uc-read-{env}": {
                "issuer": ISSUER,
                "subject": f"repo:acme/governance:environment:{env}-read",
                "audiences": [],
            },
        }
    index = json.loads((repo / "terraform/generated/stacks.json").read_text())
    assert {s["id"]: s["host"] for s in index["stacks"] if s["kind"] == "shared"} == {
        "dev/_shared": "account",
        "prod/_shared": "account",
    }


def test_the_repository_name_on_github_may_differ_from_the_folder(tmp_path: Path) -> None:
    repo = tmp_path / "gov"
    args = ["init", str(repo), "--organisation", "Acme", "--environments", "dev"]
    assert main([*args, "--github-org", "acme", "--github-repo", "uc-governance", *AS_OF]) == 0
    stack = json.loads((repo / "terraform/generated/dev/_shared/main.tf.json").read_text())
    subject = stack["module"]["sp-uc-read-dev"]["federation"]["subject"]
    assert subject == "repo:acme/uc-governance:environment:dev-read"
