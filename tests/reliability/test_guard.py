"""The mass-revoke guard at `govkit compile`, over two States, and over a real saved plan."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from govkit.adopt.imports import import_blocks, import_files
from govkit.cli.main import main
from govkit.compile.runner import Terraform
from govkit.guard import check_states
from govkit.guard.compiled import RECORD_FILE
from govkit.resolve import resolve
from govkit.spec.build import load_spec
from govkit.testing import UCServer
from tests.compile.support import MODULES, TODAY, compile_spec, organisation, write_spec

SP_ETL = "22222222-2222-4333-8444-555555555555"
PRINCIPALS = {
    "groups": {"owners": {}, "readers": {}, "auditors": {}},
    "service_principals": {
        "sp-deploy": {"application_id": "11111111-2222-4333-8444-555555555555"},
        "sp-etl": {"application_id": SP_ETL, "environments": ["prod"]},
    },
}
SALES = {
    "domain": "sales",
    "owner": "owners",
    "grants": [
        {"principal": "readers", "access": "read"},
        {"principal": "auditors", "privileges": ["USE_CATALOG", "BROWSE"]},
        {"principal": "sp-etl", "access": "write", "environments": ["prod"]},
    ],
    "schemas": {"orders": {"grants": [{"principal": "readers", "privileges": ["SELECT"]}]}},
}
WEB = {"domain": "web", "owner": "owners", "grants": [{"principal": "readers", "access": "read"}]}


def _spec(
    root: Path, org: dict[str, Any] | None = None, sales: Any = SALES, principals: Any = PRINCIPALS
) -> Path:
    files = {"govkit.yaml": org or organisation(), "principals.yaml": principals}
    return write_spec(root, {**files, "domains/sales.yaml": sales, "domains/web.yaml": WEB})


def _compile(spec: Path, out: Path, *extra: str) -> int:
    return main(["compile", str(spec), "--out", str(out), "--modules", str(MODULES),
                 "--as-of", TODAY.isoformat(), *extra])  # fmt: skip


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@pytest.fixture
def compiled(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    assert _compile(_spec(tmp_path / "good"), out) == 0
    return out


def test_a_typo_that_moves_prod_away_is_refused_and_the_output_kept(
    tmp_path: Path, compiled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A misspelt environment key (prod -> prdo) validates, and drops every prod grant."""
    before = _tree(compiled)
    org = organisation()
    envs = org["environments"]
    assert isinstance(envs, dict)
    org["environments"] = {"dev": envs["dev"], "prdo": envs["prod"]}
    sps = {"sp-deploy": PRINCIPALS["service_principals"]["sp-deploy"]}  # type: ignore[index]
    typo = _spec(
        tmp_path / "typo", org, {**SALES, "grants": SALES["grants"][:2]},
        {**PRINCIPALS, "service_principals": sps},
    )  # fmt: skip
    assert main(["validate", str(typo), "--as-of", TODAY.isoformat()]) == 0
    capsys.readouterr()
    assert _compile(typo, compiled) == 1
    err = capsys.readouterr().err
    assert "prod: 29 of 29 grants (100.0%) would be revoked" in err
    assert "prod: catalog sales_prod would be removed [guard.catalog-removed]" in err
    assert "catalog sales_prod: auditors BROWSE" in err  # what would go, by name
    assert "--allow-destructive" in err
    assert _tree(compiled) == before  # nothing written
    # Allowed, with a reason that the output records.
    assert _compile(typo, compiled, "--allow-destructive", "CHG-7 retire prod") == 0
    assert "allowed by --allow-destructive: CHG-7 retire prod" in capsys.readouterr().err
    record = json.loads((compiled / RECORD_FILE).read_text())
    assert record["reason"] == "CHG-7 retire prod"
    assert {f["kind"] for f in record["findings"]} == {"mass-revoke", "catalog-removed"}
    assert _compile(typo, compiled, "--check") == 0  # the record is not a stale stack


def test_small_revokes_and_unprotected_environments_pass(tmp_path: Path, compiled: Path) -> None:
    # Dropping the auditors' two privileges on sales_prod is 2 of 29 prod grants (7%).
    fewer = {**SALES, "grants": [SALES["grants"][0], SALES["grants"][2]]}
    assert _compile(_spec(tmp_path / "fewer", sales=fewer), compiled) == 0
    assert not (compiled / RECORD_FILE).exists()
    # Only the dev catalog goes: dev is not protected.
    dev_gone = {**SALES, "environments": ["prod"]}
    assert _compile(_spec(tmp_path / "devgone", sales=dev_gone), compiled) == 0


def test_a_lower_threshold_and_an_owner_change_are_refused(
    tmp_path: Path, compiled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    strict = {**organisation(), "mass_revoke_percent": 5}
    fewer = {**SALES, "grants": [SALES["grants"][0], SALES["grants"][2]]}
    assert _compile(_spec(tmp_path / "strict", strict, fewer), compiled) == 1
    assert "over the 5% limit" in capsys.readouterr().err
    org = organisation()
    org["environments"]["prod"]["deployer"] = "sp-etl"  # type: ignore[index]
    assert _compile(_spec(tmp_path / "owner", org), compiled) == 1
    err = capsys.readouterr().err
    assert "catalog sales_prod would change owner from 11111111" in err and SP_ETL in err


def test_without_mass_revoke_percent_compile_refuses_a_revoke_over_20_percent(
    tmp_path: Path, compiled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The organisation file sets no limit. The readers' read level on sales_prod is 6 of the 29
    # prod grants: 20.7%, over the default 20% (and under, say, 50%).
    no_readers = {**SALES, "grants": SALES["grants"][1:]}
    assert _compile(_spec(tmp_path / "noreaders", sales=no_readers), compiled) == 1
    assert "6 of 29 grants (20.7%) would be revoked, over the 20% limit" in capsys.readouterr().err


def test_check_states_is_the_rule_diff_calls(tmp_path: Path) -> None:
    loaded = load_spec(str(_spec(tmp_path / "s")))
    assert loaded.spec is not None
    prod = next(e for e in resolve(loaded.spec, TODAY) if e.name == "prod")
    assert check_states(prod.state, prod.state, protected=True) == []
    emptied = type(prod.state)(source="spec", environment="prod")
    findings = check_states(prod.state, emptied, protected=True)
    assert [f.kind for f in findings] == ["mass-revoke", "catalog-removed", "catalog-removed"]
    assert check_states(prod.state, emptied, protected=False) == []


@pytest.mark.terraform
def test_plan_check_refuses_a_hand_edited_stack(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A real plan from the real provider against the local server: the stack, edited by hand
    to keep only the auditors on the catalog, would revoke most of prod's grants."""
    from tests.terraform.tools import mirror_config, terraform_binary

    spec = _spec(tmp_path / "spec")
    loaded = load_spec(str(spec))
    assert loaded.spec is not None
    prod = next(e for e in resolve(loaded.spec, TODAY) if e.name == "prod")
    compiled = compile_spec(spec, "../modules")
    out = tmp_path / "out"
    shutil.copytree(MODULES, tmp_path / "modules")
    blocks, _ = import_blocks(compiled, "prod", prod.state, {})
    for rel, data in {**compiled.files(), **import_files(blocks)}.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)
    stack = out / "prod" / "sales"
    document = json.loads((stack / "main.tf.json").read_text())
    call = document["module"]["domain"]
    call["grants"] = [
        g for g in call["grants"] if "auditors" in g.values() or "." in g["securable_name"]
    ]
    (stack / "main.tf.json").write_text(json.dumps(document))
    with UCServer([prod.state]) as server:
        env = {"DATABRICKS_HOST": server.url, "DATABRICKS_TOKEN": server.token,
               "TF_CLI_CONFIG_FILE": str(mirror_config())}  # fmt: skip
        tf = Terraform(terraform_binary(), stack, env)
        tf.init()
        assert tf.plan("edited.tfplan")
        (tmp_path / "plan.json").write_text(json.dumps(tf.show_plan("edited.tfplan")))
    capsys.readouterr()
    args = ["plan-check", str(tmp_path / "plan.json"), str(spec), "--as-of", TODAY.isoformat()]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "prod: 20 of 23 grants" in err and "catalog sales_prod: readers SELECT" in err
    assert main([*args, "--allow-destructive", "CHG-9"]) == 0
    assert "allowed by --allow-destructive: CHG-9" in capsys.readouterr().out
    # The schema's grants are kept, so one prod securable losing little passes a 95% limit.
    (spec / "govkit.yaml").write_text(yaml.safe_dump({**organisation(), "mass_revoke_percent": 95}))
    assert main(args) == 0
