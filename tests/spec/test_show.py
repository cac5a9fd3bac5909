"""`govkit show` prints the desired State exactly as DESIGN.md specifies it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from govkit.cli.main import main
from govkit.state import json_schema
from tests.conftest import CATALOGS
from tests.spec.test_bad_input import BASE, write_spec

FINANCE = """\
domain: finance
owner: finance-owners
environments: [dev, prod]
grants:
  - {principal: finance-analysts, access: read}
  - {principal: finance-engineers, access: write, environments: [dev]}
  - {principal: sp-finance-etl-prod, access: write, environments: [prod]}
schemas:
  reporting:
    grants:
      - principal: marketing-analysts
        privileges: [use schema, SELECT]
        environments: [prod]
        expires: 2027-03-31
        reason: FIN-1234 campaign attribution
      - principal: auditors
        privileges: [USE_SCHEMA, SELECT]
        expires: 2026-01-31
        reason: closed engagement
        waivers: [{rule: GOV210, reason: revocation tracked in AUD-7, expires: 2027-01-31}]
    tables:
      revenue:
        grants: [{principal: execs, privileges: [SELECT]}]
  raw: {owner: finance-engineers}
"""

PRINCIPALS = """\
groups:
  finance-owners: {}
  finance-analysts: {}
  finance-engineers: {}
  marketing-analysts: {}
  execs: {}
  auditors: {}
service_principals:
  sp-deploy-prod: {application_id: 6a1e0c3d-5b7f-4e2a-9c1d-0f3b2a4c6e8d, environments: [prod]}
  sp-finance-etl-prod: {application_id: 9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d}
"""


def show(spec: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["show", str(spec), "--as-of", "2026-11-26", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def finance(tmp_path: Path) -> Path:
    write_spec(
        tmp_path,
        {
            "govkit.yaml": BASE["govkit.yaml"],
            "principals.yaml": PRINCIPALS,
            "finance.yaml": FINANCE,
        },
    )
    return tmp_path


def test_prod_document(finance: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = show(finance, capsys, "--env", "prod", "--format", "json")
    doc = json.loads(out)
    deployer = "6a1e0c3d-5b7f-4e2a-9c1d-0f3b2a4c6e8d"
    read = ["BROWSE", "EXECUTE", "READ_VOLUME", "SELECT", "USE_CATALOG", "USE_SCHEMA"]
    assert code == 0
    assert list(doc) == ["format", "source", "environment", "complete", "errors", "securables"]
    assert (doc["format"], doc["source"], doc["environment"]) == ("govkit.state/v1", "spec", "prod")
    by_name = {s["name"]: s for s in doc["securables"]}
    assert [s["name"] for s in doc["securables"]] == [
        "finance_prod",
        "finance_prod.raw",
        "finance_prod.reporting",
        "finance_prod.reporting.revenue",
    ]
    catalog = by_name["finance_prod"]
    assert catalog["owner"] == deployer  # protected: the deployer owns everything
    assert (catalog["isolation_mode"], catalog["workspace_ids"]) == ("ISOLATED", [2])
    assert catalog["grants"]["finance-analysts"] == read
    assert "finance-engineers" not in catalog["grants"]  # dev only
    # the ETL service principal is named by its application id
    assert "MODIFY" in catalog["grants"]["9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"]
    assert by_name["finance_prod.raw"]["owner"] == deployer
    # the expired grant is left out; the one expiring later is in
    assert by_name["finance_prod.reporting"]["grants"] == {
        "marketing-analysts": ["SELECT", "USE_SCHEMA"]
    }
    assert by_name["finance_prod.reporting.revenue"] == {
        "type": "table",
        "name": "finance_prod.reporting.revenue",
        "owner": deployer,
        "grants": {"execs": ["SELECT"]},
    }


def test_open_environment_owners_are_inherited(
    finance: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = show(finance, capsys, "--env", "dev", "--format", "json")
    owners = {s["name"]: s["owner"] for s in json.loads(out)["securables"]}
    assert owners == {
        "finance_dev": "finance-owners",
        "finance_dev.raw": "finance-engineers",
        "finance_dev.reporting": "finance-owners",
        "finance_dev.reporting.revenue": "finance-owners",
    }


def test_write_level_expands_per_securable_type(
    finance: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = show(finance, capsys, "--env", "dev", "--format", "json")
    catalog = json.loads(out)["securables"][0]
    assert "CREATE_TABLE" in catalog["grants"]["finance-engineers"]
    assert "CREATE_SCHEMA" not in catalog["grants"]["finance-engineers"]  # not in `write`


def test_all_environments_is_a_list(finance: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = show(finance, capsys, "--format", "json")
    docs = json.loads(out)
    assert [d["environment"] for d in docs] == ["dev", "prod"]


def test_output_is_independent_of_file_order_and_names(
    finance: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    _, first, _ = show(finance, capsys, "--format", "json")
    other = tmp_path_factory.mktemp("other")
    # the same spec, split differently, in other file names, keys in another order
    write_spec(
        other,
        {
            "z-org.yaml": BASE["govkit.yaml"],
            "a/people.yaml": PRINCIPALS.split("service_principals:")[0],
            "a/robots.yaml": "service_principals:" + PRINCIPALS.split("service_principals:")[1],
            "0.yaml": "schemas:\n" + FINANCE.split("schemas:\n")[1] + FINANCE.split("schemas:")[0],
        },
    )
    _, second, _ = show(other, capsys, "--format", "json")
    assert first == second


def test_documents_match_the_published_schema(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = show(CATALOGS, capsys, "--format", "json")
    for doc in json.loads(out):
        jsonschema.validate(doc, json_schema())


def test_unknown_environment_lists_known_ones(
    finance: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = show(finance, capsys, "--env", "qa")
    assert code == 1 and out == ""
    assert "unknown environment 'qa'; known: dev, prod" in err


def test_invalid_spec_shows_nothing(finance: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (finance / "finance.yaml").write_text(FINANCE.replace("finance-analysts", "finance-analyst"))
    code, out, err = show(finance, capsys, "--format", "json")
    assert code == 1 and out == ""
    assert "GOV020 error: unknown principal 'finance-analyst'" in err


def test_text_tree_names_declared_principals(
    finance: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = show(finance, capsys, "--env", "prod")
    assert "catalog finance_prod  owner sp-deploy-prod (6a1e0c3d-" in out
    assert "accountable finance-owners" in out
    assert "expired 2026-01-31: auditors on finance_prod.reporting (left out)" in out


def test_bundled_estate_is_valid_and_realistic(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["validate", str(CATALOGS), "--as-of", "2026-11-26"])
    out, _ = capsys.readouterr()
    assert code == 0, out
    assert "error" not in out
    _, out, _ = show(CATALOGS, capsys, "--format", "json")
    docs = json.loads(out)
    workspaces = {w for d in docs for s in d["securables"] for w in s.get("workspace_ids", [])}
    domains = {
        s["name"].rsplit("_", 1)[0] for d in docs for s in d["securables"] if s["type"] == "catalog"
    }
    assert len(workspaces) == 12 and len(domains) >= 5


def test_schema_command_prints_both_schemas(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "state"]) == 0
    state_schema = json.loads(capsys.readouterr().out)
    assert state_schema["properties"]["format"]["const"] == "govkit.state/v1"
    assert main(["schema", "spec"]) == 0
    spec_schema = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator.check_schema(spec_schema)
    assert {"Organisation", "Principals", "Domain"} <= set(spec_schema["$defs"])


def test_published_schemas_are_fresh(capsys: pytest.CaptureFixture[str]) -> None:
    docs = CATALOGS.parent / "docs" / "schemas"
    for what in ("spec", "state"):
        main(["schema", what])
        assert (docs / f"{what}.json").read_text() == capsys.readouterr().out, (
            f"docs/schemas/{what}.json is stale: run `govkit schema {what} > "
            f"docs/schemas/{what}.json`"
        )


def test_yaml_language_server_accepts_bundled_files(tmp_path: Path) -> None:
    schema = json.loads((CATALOGS.parent / "docs" / "schemas" / "spec.json").read_text())
    import yaml

    for path in sorted(CATALOGS.rglob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        # dates are strings in YAML-language-server's view too
        jsonschema.validate(json.loads(json.dumps(data, default=str)), schema)
    shutil.rmtree(tmp_path)


def test_text_tree_nests_each_securable_under_its_own_parent(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Walk the printed tree by indentation: every schema and table sits under its parent."""
    _, out, _ = show(CATALOGS, capsys, "--env", "prod")
    seen: list[str] = []  # the short names of the open securables, one per depth
    printed = []
    for line in out.splitlines():
        stripped = line.lstrip(" ")
        kind, _, rest = stripped.partition(" ")
        if kind not in ("catalog", "schema", "table"):
            continue
        depth = (len(line) - len(stripped)) // 2
        short = rest.split("  ", 1)[0]
        del seen[depth - 1 :]
        full = ".".join([*seen, short])
        seen.append(short)
        assert kind == ("catalog", "schema", "table")[depth - 1], line
        printed.append(full)
    _, doc, _ = show(CATALOGS, capsys, "--env", "prod", "--format", "json")
    securables = json.loads(doc)["securables"]
    nested = [s["name"] for s in securables if s["type"] in ("catalog", "schema", "table")]
    assert sorted(printed) == sorted(nested)
    # Storage credentials and external locations are metastore-wide: listed at the top level.
    for s in securables:
        if s["type"] not in ("catalog", "schema", "table"):
            assert f"\n  {s['type']} {s['name']}  owner " in out, s["name"]
    # the schema of one domain never appears under another domain's catalog
    assert "    schema master" in out.split("catalog customer_prod", 1)[1].split("  catalog ", 1)[0]


def test_summary_counts_the_declared_storage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", str(CATALOGS), "--format", "summary"]) == 0
    lines = capsys.readouterr().out.splitlines()
    prod = next(line for line in lines if line.startswith("prod "))
    assert ", 22 tables, 3 external locations, 1 storage credential, " in prod
