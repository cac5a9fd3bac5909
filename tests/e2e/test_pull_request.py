"""Access as a pull request, end to end, with the real Terraform CLI and Databricks provider.

A governance repository from `govkit init`; its dev stack applied to a local Unity Catalog
server; then `govkit request` on a branch, `govkit diff` against main, compile, `terraform plan`
of the affected stack, apply, and drift: clean. A later change makes the fresh plan differ from
the reviewed one, which the merge workflow's check names.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from govkit.cli.main import main
from govkit.compile.runner import Terraform, planned_changes
from govkit.repository.plans import differences
from govkit.testing.fixtures import ServerFactory
from tests.diff.support import commit, git
from tests.terraform.tools import mirror_config, terraform_binary

AS_OF = ["--as-of", "2026-11-26"]
STACK = Path("terraform/generated/dev/example")
READ = ["BROWSE", "EXECUTE", "READ_VOLUME", "SELECT", "USE_CATALOG", "USE_SCHEMA"]


def _stdout(capsys: pytest.CaptureFixture[str], *argv: str, code: int) -> str:
    capsys.readouterr()
    assert main([*argv, *AS_OF]) == code
    return capsys.readouterr().out


@pytest.fixture
def tools() -> tuple[str, Path]:
    """The CLI and the provider mirror, found before `databricks_env` moves HOME."""
    return terraform_binary(), mirror_config()


@pytest.mark.terraform
def test_request_diff_plan_apply_drift(
    tools: tuple[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    ucserver_factory: ServerFactory,
    databricks_env: None,
) -> None:
    binary, config = tools
    server = ucserver_factory()
    repo = tmp_path / "governance"
    assert main(["init", str(repo), "--organisation", "Acme", "--environments", "dev,prod"]) == 0
    monkeypatch.chdir(repo)
    org = Path("catalogs/govkit.yaml")  # the dev workspace is the local server's
    text = org.read_text().replace("[1001]", f"[{server.store.workspace_id}]")
    # Applied here by hand, not by the workflows: the state on this disk, not in the cloud.
    text = text.replace("applied_by: workflows", "applied_by: hand")
    start, end = text.index("  backend:\n"), text.index("codeowners:")
    org.write_text(text[:start] + "  backend: {type: local}\n" + text[end:])
    assert main(["compile", "catalogs", *AS_OF]) == 0
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "governance repository")
    monkeypatch.setenv("DATABRICKS_HOST", server.url)
    monkeypatch.setenv("DATABRICKS_TOKEN", server.token)
    terraform = Terraform(binary, repo / STACK, {"TF_CLI_CONFIG_FILE": str(config)})
    terraform.init()
    terraform.apply()  # main, as applied before the request

    git(repo, "checkout", "-q", "-b", "platform-reads-example")
    args = ["--principal", "platform-owners", "--on", "example", "--env", "dev"]
    _stdout(capsys, "request", "catalogs", *args, "--access", "read", "--reason", "PLAT-1", code=0)

    diff: dict[str, Any] = json.loads(
        _stdout(capsys, "diff", "catalogs", "--base", "main", "--format", "json", code=2)
    )
    changed = [e for e in diff["environments"] if e["grants"] or e["access"]]
    assert [e["environment"] for e in changed] == ["dev"]
    # The catalog already declares the dev deployer's MANAGE (so it holds no anchor grant).
    assert changed[0]["grants"] == [
        {
            "securable_type": "catalog",
            "securable": "example_dev",
            "principal": "platform-owners",
            "added": READ,
            "removed": [],
            "terms": [{"expires": None, "reason": "PLAT-1"}],
        },
    ]
    assert [(a["principal"], a["access"], a["gained"]) for a in changed[0]["access"]] == [
        ("platform-owners", "read", ["example_dev"])
    ]

    assert main(["compile", "catalogs", *AS_OF]) == 0
    affected = json.loads(_stdout(capsys, "affected", "catalogs", "--base", "main", code=0))
    assert "dev/example" in [s["id"] for s in affected["include"]]
    terraform.init()  # compile replaced the folder, as a fresh CI checkout has it
    assert terraform.plan() is True
    plan = terraform.show_plan()
    [(address, actions)] = planned_changes(plan)
    assert actions in (("create",), ("update",))
    [resource] = [r for r in plan["resource_changes"] if r["address"] == address]
    before = resource["change"]["before"] or {}
    after = resource["change"]["after"]
    assert _grants(after) - _grants(before) == {("platform-owners", p) for p in READ}
    assert _grants(before) - _grants(after) == set()

    # The merge workflow plans afresh and applies that plan only if it is the reviewed one.
    assert terraform.plan("fresh.tfplan") is True
    fresh = terraform.show_plan("fresh.tfplan")
    assert planned_changes(fresh) == [(address, actions)]
    assert differences(plan, fresh) == []
    terraform.apply("fresh.tfplan")
    out = _stdout(capsys, "drift", "catalogs", "--env", "dev", "--format", "json", code=0)
    assert json.loads(out)["changes"] == []

    # Had main moved on after the review, merge would stop: the fresh plan is not the reviewed.
    other = ["--principal", "example-owners", "--on", "example", "--env", "dev"]
    _stdout(capsys, "request", "catalogs", *other, "--access", "write", "--reason", "X", code=0)
    assert main(["compile", "catalogs", *AS_OF]) == 0
    terraform.init()
    terraform.plan()
    [difference] = differences(plan, terraform.show_plan())
    assert difference.startswith(f"~ {address}: ")


def _grants(resource: dict[str, Any]) -> set[tuple[str, str]]:
    """(principal, privilege) pairs of a databricks_grant(s) resource's planned values."""
    if "grant" in resource:  # databricks_grants: one block per principal
        return {(g["principal"], p) for g in resource["grant"] for p in g["privileges"]}
    return {(resource["principal"], p) for p in resource.get("privileges", ())}
