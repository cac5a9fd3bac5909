"""`govkit migrate plan` through the CLI: the recorded Hive estate plans into a spec that
`govkit validate` accepts, byte for byte the same each time; bad input is a coded diagnostic
that names the object, exit 1, nothing written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from govkit.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
ASSESSMENT = ROOT / "catalogs/recorded/hive.assessment.json"
IDENTITIES = ROOT / "catalogs/recorded/identities.json"
MAPPING = Path(__file__).with_name("meridian.mapping.yaml")


def _spec(tmp: Path) -> Path:
    tmp.mkdir(parents=True, exist_ok=True)
    for name in ("govkit.yaml", "principals.yaml"):
        shutil.copy(ROOT / "catalogs" / name, tmp / name)
    return tmp


def _plan(out: Path, mapping: Path = MAPPING, assessment: Path = ASSESSMENT) -> int:
    return main([
        "migrate", "plan", "--assessment", str(assessment), "--mapping", str(mapping),
        "--identities", str(IDENTITIES), "--out", str(out), "--as-of", "2026-12-01",
    ])  # fmt: skip


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_the_recorded_estate_plans_into_a_valid_spec_the_same_each_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = _spec(tmp_path / "a"), _spec(tmp_path / "b")
    assert _plan(first) == 0
    said = capsys.readouterr().out
    assert "planned 6 domains, 57 tables and views" in said
    # SELECT ON ANY FILE in each of the three ACL workspaces has no Unity Catalog counterpart
    assert "3 Hive grants have no Unity Catalog counterpart" in said
    assert main(["validate", str(first), "--as-of", "2026-12-01"]) == 0
    assert _plan(second) == 0
    assert _files(first) == _files(second)
    domains = ("customer", "finance", "marketing", "payments", "platform", "risk")
    assert sorted(_files(first)) == sorted(
        ["govkit.yaml", "principals.yaml", "principals/migrated-users.yaml"]
        + [f"domains/{d}.yaml" for d in domains]
        + [f"migration/{d}.sql" for d in domains]
    )


def test_the_plan_translates_grants_to_entra_groups_and_moves_each_kind_of_table(
    tmp_path: Path,
) -> None:
    out = _spec(tmp_path)
    assert _plan(out) == 0
    finance = (out / "domains/finance.yaml").read_text()
    # analysts of workspace 3001 have the members of finance-analysts: USAGE + SELECT on the
    # database, READ_METADATA -> BROWSE on the catalog; OWN -> the schema's owner.
    assert (
        "{principal: finance-analysts, privileges: [SELECT, USE_SCHEMA], environments: [prod]}"
        in finance
    )
    assert (
        "{principal: finance-analysts, privileges: [BROWSE, USE_CATALOG], environments: [prod]}"
        in finance
    )
    assert "  ledger:\n    owner: finance-owners\n" in finance
    # CREATE -> CREATE_TABLE and ALL PRIVILEGES -> ALL_PRIVILEGES, on the schema
    assert (
        "principal: finance-engineers, privileges: [ALL_PRIVILEGES, CREATE_TABLE, USE_SCHEMA]"
        in (finance)
    )
    # a person's own grant is kept, with an imported: waiver
    assert "principal: elif.murphy@meridian.example, privileges: [SELECT]" in finance
    assert '{rule: GOV206, reason: "imported: grant to individual user' in finance
    assert "elif.murphy@meridian.example:" in (out / "principals/migrated-users.yaml").read_text()
    sql = (out / "migration/finance.sql").read_text()
    assert "-- workspace 3001 (prod)\n" in sql
    new = "CREATE TABLE IF NOT EXISTS finance_prod"
    assert f"{new}.ledger.balances DEEP CLONE hive_metastore.ledger.balances;" in sql
    assert f"{new}.reporting.opex AS SELECT * FROM hive_metastore.reporting.opex;" in sql
    # an external table of any format is upgraded in place
    assert "SYNC TABLE finance_prod.raw.gl_extract FROM hive_metastore.erp_raw.gl_extract;" in sql
    assert (
        "CREATE OR REPLACE VIEW finance_prod.reporting.revenue_by_month AS SELECT month, "
        "sum(amount) FROM finance_prod.reporting.revenue GROUP BY month;"
    ) in sql
    risk = (out / "migration/risk.sql").read_text()
    assert "SYNC TABLE risk_prod.credit.exposures FROM hive_metastore.credit.exposures;" in risk
    # a view after the view it reads
    assert risk.index("VIEW risk_prod.market.var_daily_v") < risk.index(
        "VIEW risk_prod.market.var_latest"
    )
    assert "FROM risk_prod.market.var_daily_v WHERE" in risk
    # marketing's `reporting` of workspace 3004 is its own schema, not finance's
    assert (
        "hive_metastore.reporting.campaign_spend" in (out / "migration/marketing.sql").read_text()
    )


def _bad(tmp_path: Path, capsys: pytest.CaptureFixture[str], mapping: str | None = None,
         assessment: dict[str, object] | None = None) -> str:  # fmt: skip
    m = tmp_path / "mapping.yaml"
    m.write_text(mapping if mapping is not None else MAPPING.read_text())
    a = tmp_path / "hive.json"
    a.write_text(json.dumps(assessment) if assessment else ASSESSMENT.read_text())
    out = _spec(tmp_path / "spec")
    before = _files(out)
    assert _plan(out, m, a) == 1
    assert _files(out) == before  # nothing written
    err = capsys.readouterr().err
    assert "nothing written" in err
    return err


def test_two_databases_mapped_to_one_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = "database: erp_raw, domain: finance, schema:"
    text = MAPPING.read_text().replace(f"{raw} raw", f"{raw} ledger")
    err = _bad(tmp_path, capsys, mapping=text)
    assert (
        "mapping.yaml:11:80: GOV804 error: workspace 3001 database 'ledger' and workspace 3001 "
        "database 'erp_raw' are both mapped to schema finance.ledger in environment prod"
    ) in err


def test_a_database_name_of_several_workspaces_is_a_conflict_until_mapped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = MAPPING.read_text().replace(
        "[1003, 2003, 3004], database: reporting", "[1003, 2003], database: reporting"
    )
    err = _bad(tmp_path, capsys, mapping=text)
    assert (
        "GOV802 error: workspace 3004: Hive database 'reporting' is also in workspaces 1001, 1003"
        in err
    )


def test_a_grant_to_a_group_that_maps_to_no_entra_group(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = json.loads(ASSESSMENT.read_text())
    ws = next(w for w in doc["workspaces"] if w["workspace_id"] == 3002)
    analysts = next(g for g in ws["groups"] if g["display_name"] == "analysts")
    analysts["members"] = analysts["members"][1:]  # one member left the team in this workspace
    err = _bad(tmp_path, capsys, assessment=doc)
    assert ("GOV805 error: workspace 3002: Hive grants to 'analysts', whose members are those "
            "of no Entra ID group") in err  # fmt: skip


def test_the_mapping_names_the_entra_group_of_a_group_whose_members_drifted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = json.loads(ASSESSMENT.read_text())
    ws = next(w for w in doc["workspaces"] if w["workspace_id"] == 3002)
    next(g for g in ws["groups"] if g["display_name"] == "analysts")["members"].pop()
    (tmp_path / "hive.json").write_text(json.dumps(doc))
    mapping = tmp_path / "mapping.yaml"
    text = MAPPING.read_text() + "groups:\n  - {workspace: 3002, group: analysts, entra: %s}\n"
    mapping.write_text(text % "risk-analysts")
    assert _plan(_spec(tmp_path / "a"), mapping, tmp_path / "hive.json") == 0
    assert "principal: risk-analysts" in (tmp_path / "a/domains/risk.yaml").read_text()
    mapping.write_text(text % "risk-analyst")
    assert _plan(_spec(tmp_path / "b"), mapping, tmp_path / "hive.json") == 1
    assert "mapping.yaml:24:47: GOV807 error: 'risk-analyst' is no Entra ID group" in (
        capsys.readouterr().err
    )


def test_a_view_over_a_table_not_migrated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = json.loads(ASSESSMENT.read_text())
    ws = next(w for w in doc["workspaces"] if w["workspace_id"] == 3001)
    reporting = next(d for d in ws["databases"] if d["name"] == "reporting")
    reporting["tables"].append(
        {"name": "scratch_v", "type": "VIEW", "view_text": "SELECT * FROM default.scratch"}
    )
    err = _bad(tmp_path, capsys, assessment=doc)
    assert ("GOV806 error: workspace 3001: view reporting.scratch_v reads default.scratch, which "
            "does not move to Unity Catalog") in err  # fmt: skip


def test_a_mapping_file_that_is_not_yaml_is_located(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _bad(tmp_path, capsys, mapping="databases: [\n")
    assert "mapping.yaml:2:1: GOV801 error: YAML syntax error" in err


def test_a_plan_never_replaces_a_domain_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _spec(tmp_path)
    (out / "domains").mkdir()
    (out / "domains/finance.yaml").write_text("domain: finance\nowner: finance-owners\n")
    before = _files(out)
    assert _plan(out) == 1
    assert _files(out) == before
    assert "GOV809 error" in capsys.readouterr().err
