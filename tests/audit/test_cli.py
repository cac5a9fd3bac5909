"""`govkit audit` on the bundled estate and its recorded inputs: sections, formats, exit codes."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import jsonschema
import pytest

from govkit.audit.model import json_schema
from govkit.audit.schema import PUBLISHED
from govkit.cli.main import main
from govkit.lineage.schema import schema_text
from govkit.state import dumps, loads
from tests.access.identities import write_identities
from tests.conftest import CATALOGS, ROOT

AS_OF = "2026-11-26T02:00:00Z"
RECORDED = CATALOGS / "recorded"


def _audit(tmp_path: Path, *extra: str, env: str = "prod", out: str = "out") -> int:
    ids = write_identities(tmp_path)
    args = [str(CATALOGS), "--env", env, "--identities", ids, "--as-of", AS_OF]
    return main(["audit", *args, "--out", str(tmp_path / out), *extra])


def _report(tmp_path: Path, env: str = "prod", out: str = "out") -> dict[str, object]:
    data: dict[str, object] = json.loads((tmp_path / out / f"audit-{env}.json").read_text())
    return data


def test_prod_audit_has_every_section_and_its_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _audit(tmp_path) == 2  # findings
    assert "report in" in capsys.readouterr().out
    report = _report(tmp_path)
    jsonschema.validate(report, json_schema())
    evidence = report["evidence"]
    assert isinstance(evidence, dict)
    assert evidence["generated_at"] == AS_OF and len(evidence["content_sha256"]) == 64
    # Anyone can check the hash: empty the field, hash the text.
    text = (tmp_path / "out" / "audit-prod.json").read_text(encoding="utf-8")
    digest = evidence["content_sha256"]
    blank = text.replace(f'"content_sha256": "{digest}"', '"content_sha256": ""', 1)
    assert hashlib.sha256(blank.encode("utf-8")).hexdigest() == digest
    assert {s["name"]: s["complete"] for s in evidence["sources"]} == {
        "spec": True,
        "live": True,
        "identities": True,
        "lineage": True,
        "audit_log": True,
        "legacy": True,
    }
    codes = {(f["code"], f["subject"]) for f in report["findings"]}  # type: ignore[attr-defined]
    # The recorded drift: a SELECT granted by hand to a person, a grant left to a leaver, a
    # prod table reading a dev one, and what the policy rules say of the live State.
    assert ("GOV505", "finance_prod.ledger.journal_lines") in codes
    assert ("GOV612", "payments_prod.cards") in codes
    assert ("GOV621", "risk_dev.credit.pd_estimates -> risk_prod.credit.pd_estimates") in codes
    assert ("GOV206", "finance_prod.ledger.journal_lines") in codes
    ownership = report["ownership"]
    assert isinstance(ownership, dict)
    owned = ownership["tables_owned_by_groups_or_service_principals"]
    assert (ownership["tables"], owned) == (23, 23)
    assert ownership["coverage_percent"] == 100.0
    edge = next(e for e in report["lineage"]["edges"] if e["cross_environment"])  # type: ignore[index]
    assert (edge["source_environment"], edge["target_environment"]) == ("dev", "prod")
    assert edge["declared_grant"] is False


def test_dev_shows_the_individual_owner_and_coverage_below_100(tmp_path: Path) -> None:
    assert _audit(tmp_path, env="dev") == 2
    report = _report(tmp_path, "dev")
    ownership = report["ownership"]
    assert isinstance(ownership, dict)
    row = next(r for r in ownership["rows"] if r["name"] == "risk_dev.credit.pd_estimates")
    assert row["owner"] == "ada.dubois@meridian.example"
    assert "individual" in row["flags"] and "owner-differs" in row["flags"]
    # 22 live tables in dev; ada's is the one not owned by a group or a service principal.
    owned = ownership["tables_owned_by_groups_or_service_principals"]
    assert (ownership["tables"], owned) == (22, 21)
    assert ownership["coverage_percent"] == 95.5
    assert report["summary"]["coverage_percent"] == 95.5  # type: ignore[index]
    out = tmp_path / "out"
    accountable = (
        "22 of 22 tables have a declared accountable owner with an enabled member: "
        "{}100.0%{} accountable-owner coverage."
    )
    owned_by = (
        "Unity Catalog ownership: 21 of 22 tables are owned by a group or a service principal "
        "(95.5%; in a protected environment the deployer owns them all)."
    )
    markdown = (out / "audit-dev.md").read_text(encoding="utf-8")
    assert f"{accountable.format('**', '**')} {owned_by}" in markdown
    html = (out / "audit-dev.html").read_text(encoding="utf-8")
    assert accountable.format("<strong>", "</strong>") in html and owned_by in html


def test_same_inputs_give_byte_identical_files(tmp_path: Path) -> None:
    assert _audit(tmp_path) == 2
    first = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}
    assert _audit(tmp_path) == 2
    second = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}
    assert len(first) == 23  # md, html, json, 19 CSV tables and the manifest
    assert second == first


def test_incomplete_lineage_stops_or_is_said_in_its_section(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = json.loads((RECORDED / "lineage.json").read_text())
    raw.update(complete=False, errors=[{"item": "system.access.table_lineage", "message": "403"}])
    partial = tmp_path / "lineage.json"
    partial.write_text(json.dumps(raw))
    assert _audit(tmp_path, "--lineage", str(partial)) == 1
    assert "incomplete input, nothing written (lineage: system.access.table_lineage: 403)" in (
        capsys.readouterr().err
    )
    assert not (tmp_path / "out").exists()
    assert _audit(tmp_path, "--lineage", str(partial), "--allow-incomplete") == 2
    report = _report(tmp_path)
    assert report["summary"]["status"] == "incomplete"  # type: ignore[index]
    assert report["lineage"]["complete"] is False  # type: ignore[index]
    assert "lineage incomplete" in report["lineage"]["note"]  # type: ignore[index]
    assert report["ownership"]["complete"] is True  # type: ignore[index]
    assert (
        "**Incomplete:** this section is incomplete: lineage incomplete"
        in (tmp_path / "out" / "audit-prod.md").read_text()
    )


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("--identities", "not an identities document"),
        ("--lineage", "not a lineage document"),
        ("--live", "live state is of environment 'dev', not 'prod'"),
    ],
)
def test_inputs_of_the_wrong_kind_or_environment_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, message: str
) -> None:
    assert _audit(tmp_path, option, str(RECORDED / "dev.state.json")) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_hostile_names_are_escaped_in_every_format(tmp_path: Path) -> None:
    state = loads((RECORDED / "prod.state.json").read_bytes())
    hostile = {
        '<script>alert("x")</script>': ("SELECT",),
        '=HYPERLINK("http://x")': ("SELECT",),
        "Zoë-ånalysts|ü": ("SELECT",),
    }
    from govkit.state import make_securable, make_state

    securables = [
        make_securable(s.type, s.name, s.owner, {**s.grants, **hostile}, s.isolation_mode,
                       s.workspace_ids)
        if s.name == "finance_prod.reporting"
        else s
        for s in state.securables
    ]  # fmt: skip
    live = tmp_path / "live.json"
    live.write_text(dumps(make_state("file", securables, environment="prod")), encoding="utf-8")
    assert _audit(tmp_path, "--live", str(live)) == 2
    out = tmp_path / "out"
    html = (out / "audit-prod.html").read_text()
    assert "<script>alert" not in html and "&lt;script&gt;alert(&quot;x&quot;)" in html
    assert html.count("<script>") == 1  # the report's own sorting and filtering
    md = (out / "audit-prod.md").read_text()
    assert "<script>" not in md and "Zoë-ånalysts\\|ü" in md
    with (out / "audit-prod-drift.csv").open(encoding="utf-8", newline="") as handle:
        principals = {row["principal"] for row in csv.DictReader(handle)}
    assert '\'=HYPERLINK("http://x")' in principals
    assert "Zoë-ånalysts|ü" in principals


def test_a_failed_write_leaves_no_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    (out / "audit-prod-policy.csv").mkdir(parents=True)  # the last file cannot replace a folder
    assert _audit(tmp_path) == 1
    assert "cannot write the report" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["audit-prod-policy.csv"]


def test_published_schemas_are_fresh() -> None:
    for name, schema in PUBLISHED.items():
        assert (ROOT / name).read_text(encoding="utf-8") == schema_text(schema()), (
            "run: python -m govkit.audit.schema"
        )


def test_the_bundled_estate_audits_from_its_recorded_inputs_alone(tmp_path: Path) -> None:
    args = ["audit", str(CATALOGS), "--env", "prod", "--as-of", AS_OF]
    assert main([*args, "--out", str(tmp_path / "out")]) == 2
    report = _report(tmp_path)
    sources = {s["name"]: s for s in report["evidence"]["sources"]}  # type: ignore[index]
    assert sources["identities"]["location"] == str(RECORDED / "identities.json")
    assert all(s["complete"] for s in sources.values())
    findings = {(f["code"], f["subject"]) for f in report["findings"]}  # type: ignore[attr-defined]
    # The directory's own faults: a group deleted from Entra ID still holds grants by its name.
    assert ("GOV612", "marketing_prod") in findings
    assert report["evidence"]["command"].startswith(  # type: ignore[index]
        f"govkit audit {CATALOGS} --env prod --live {RECORDED / 'prod.state.json'}"
    )
