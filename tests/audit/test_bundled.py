"""The bundled estate's prod audit from its recorded inputs, checked figure by figure.

The recorded identities (govkit.testing.directory) hold the directory's own faults: a group
renamed in Entra ID (customer-analysts, now customer-insight-analysts, same object id), a group
deleted (marketing-engineers), disabled accounts still in groups, and an owner group whose only
member is disabled (risk-owners).
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from govkit.cli.main import main
from tests.conftest import CATALOGS

AS_OF = "2026-11-26T02:00:00Z"
DISABLED = [
    "bruno.garcia2@meridian.example",
    "chloe.garcia@meridian.example",
    "dev.murphy2@meridian.example",
    "sven.okafor3@meridian.example",
    "tariq.dubois2@meridian.example",
    "wen.garcia2@meridian.example",
    "yusuf.rossi@meridian.example",
]


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bundled") / "out"
    args = ["audit", str(CATALOGS), "--env", "prod", "--as-of", AS_OF, "--out", str(folder)]
    assert main(args) == 2
    return folder


@pytest.fixture(scope="module")
def report(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "audit-prod.json").read_text(encoding="utf-8"))
    return data


def _row(report: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(r for r in report["access"]["rows"] if r["name"] == name)
    return found


def _csv(out: Path, stem: str) -> list[dict[str, str]]:
    with (out / f"audit-prod-{stem}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_renamed_group_is_resolved_by_its_object_id(report: dict[str, Any], out: Path) -> None:
    customers = _row(report, "customer_prod.master.customers")
    # 62 when customer-analysts counted as one reader; its 39 members and their nested group
    # make 104 people and service principals.
    assert customers["readers"] == 104
    assert customers["unresolved_groups"] == [] and customers["complete"] is True
    assert "customer-analysts" in customers["read_through"]
    subjects = {(f["code"], f["subject"]) for f in report["findings"]}
    assert ("GOV612", "customer_prod") not in subjects
    assert report["access"]["renamed_groups"] == {"customer-analysts": "customer-insight-analysts"}
    said = "Group customer-analysts is customer-insight-analysts in the identities"
    assert said in (out / "audit-prod.md").read_text(encoding="utf-8")
    assert said in (out / "audit-prod.html").read_text(encoding="utf-8")
    assert _csv(out, "renamed_groups") == [
        {"group": "customer-analysts", "identities_name": "customer-insight-analysts"}
    ]


def test_an_unresolved_group_counts_as_nobody_and_leaves_its_rows_incomplete(
    report: dict[str, Any], out: Path
) -> None:
    sessions = _row(report, "marketing_prod.web.sessions")
    assert sessions["readers"] == 45  # 46 with the deleted group counted as a person
    assert sessions["unresolved_groups"] == ["marketing-engineers"]
    assert sessions["complete"] is False
    assert report["summary"]["securables_incomplete"] == 6
    members = [m for s in report["access"]["sets"] for m in s["members"]]
    assert not [m for m in members if m["kind"] == "group"]
    assert ("GOV612", "marketing_prod") in {(f["code"], f["subject"]) for f in report["findings"]}
    row = next(r for r in _csv(out, "access") if r["name"] == "marketing_prod.web.sessions")
    assert (row["readers"], row["unresolved_groups"], row["complete"]) == (
        "45",
        "marketing-engineers",
        "no",
    )


def test_disabled_members_are_flagged_and_counted_in_every_format(
    report: dict[str, Any], out: Path
) -> None:
    assert report["summary"]["disabled_with_access"] == 7
    assert [m["principal"] for m in report["access"]["disabled_members"]] == DISABLED
    revenue = _row(report, "finance_prod.reporting.revenue")
    assert (revenue["readers"], revenue["disabled_readers"]) == (113, 3)
    revenue_set = next(s for s in report["access"]["sets"] if s["id"] == revenue["read_set"])
    assert sorted(m["principal"] for m in revenue_set["members"] if m["disabled"]) == [
        "bruno.garcia2@meridian.example",
        "chloe.garcia@meridian.example",
        "wen.garcia2@meridian.example",
    ]
    warned = sorted(f["subject"] for f in report["findings"] if f["code"] == "GOV613")
    assert warned == DISABLED
    flagged = {r["principal"] for r in _csv(out, "access_sets") if r["disabled"] == "yes"}
    assert sorted(flagged) == DISABLED
    assert [r["principal"] for r in _csv(out, "disabled_members")] == DISABLED
    md = (out / "audit-prod.md").read_text(encoding="utf-8")
    html = (out / "audit-prod.html").read_text(encoding="utf-8")
    for name in DISABLED:
        assert f"{name} (disabled)" in md and f"{name} (disabled)" in html
    summary = md[md.index("## Summary") :].splitlines()[2:5]
    assert "disabled accounts with access" in summary[0] and "| 7 |" in summary[2]
    assert '<div class="value">7</div><div class="label">disabled accounts with access' in html


def test_accountable_owner_coverage_does_not_count_the_deployer(
    report: dict[str, Any], out: Path
) -> None:
    ownership = report["ownership"]
    # The deployer owns every table: 100% Unity Catalog ownership says nothing about people.
    assert ownership["coverage_percent"] == 100.0
    # risk-owners' only member is disabled (4 tables), the backfill table declares no owner.
    assert (ownership["tables_with_accountable_owner"], ownership["tables"]) == (18, 23)
    assert ownership["accountable_coverage_percent"] == 78.3
    assert report["summary"]["accountable_coverage_percent"] == 78.3
    lcr = next(r for r in ownership["rows"] if r["name"] == "risk_prod.liquidity.lcr")
    assert "accountable-owner-without-enabled-member" in lcr["flags"]
    uncovered = sorted(f["subject"] for f in report["findings"] if f["code"] == "GOV603")
    assert uncovered == [
        "risk_prod.credit.exposures",
        "risk_prod.credit.pd_estimates",
        "risk_prod.credit.pd_estimates_backfill",
        "risk_prod.liquidity.lcr",
        "risk_prod.market.var_daily",
    ]
    assert "**78.3%** accountable-owner coverage" in (out / "audit-prod.md").read_text()
    assert "78.3%" in (out / "audit-prod.html").read_text()


def test_the_exception_register_lists_waivers_and_expired_grants_still_live(
    report: dict[str, Any], out: Path
) -> None:
    register = report["exceptions"]
    assert register["waivers"] == [
        {
            "rule": "GOV210",
            "object": "grant of SELECT, USE_SCHEMA on customer_prod.master to internal-audit",
            "file": f"{CATALOGS}/domains/customer.yaml",
            "reason": "revocation tracked in AUD-2026-07-close",
            "approved_by": "head-of-internal-audit@meridian.example",
            "expires": "2027-01-31",
            "days_left": 66,
            "status": "active",
        }
    ]
    assert register["expired_grants"] == [
        {
            "securable": "customer_prod.master",
            "principal": "internal-audit",
            "privileges": ["SELECT", "USE_SCHEMA"],
            "expired": "2026-09-30",
            "days_past": 57,
            "reason": "AUD-2026-07 KYC file review (engagement closed)",
            "waived_until": "2027-01-31",
        }
    ]
    assert (report["summary"]["waivers"], report["summary"]["expired_grants_live"]) == (1, 1)
    assert [r["approved_by"] for r in _csv(out, "waivers")] == [
        "head-of-internal-audit@meridian.example"
    ]
    assert [r["expired"] for r in _csv(out, "expired_grants")] == ["2026-09-30"]
    md = (out / "audit-prod.md").read_text(encoding="utf-8")
    assert "| customer_prod.master | internal-audit | SELECT, USE_SCHEMA | 2026-09-30 | 57 |" in md
    assert '<section id="exceptions">' in (out / "audit-prod.html").read_text(encoding="utf-8")


def test_a_waiver_without_an_approver_is_a_finding(tmp_path: Path) -> None:
    spec = tmp_path / "catalogs"
    shutil.copytree(CATALOGS, spec)
    customer = spec / "domains" / "customer.yaml"
    text = customer.read_text(encoding="utf-8")
    customer.write_text(
        text.replace(", approved_by: head-of-internal-audit@meridian.example", ""),
        encoding="utf-8",
    )
    args = ["audit", str(spec), "--env", "prod", "--as-of", AS_OF, "--out", str(tmp_path / "o")]
    assert main(args) == 2
    report = json.loads((tmp_path / "o" / "audit-prod.json").read_text(encoding="utf-8"))
    assert report["exceptions"]["waivers"][0]["approved_by"] is None
    found = [f for f in report["findings"] if f["code"] == "GOV641"]
    assert [f["subject"] for f in found] == [
        "grant of SELECT, USE_SCHEMA on customer_prod.master to internal-audit"
    ]
    assert "| not recorded |" in (tmp_path / "o" / "audit-prod.md").read_text(encoding="utf-8")


MARKETING_ETL = "3e4f5a6b-7c8d-4e9f-8a0b-2c3d4e5f6a7b"  # sp-marketing-etl-prod


def test_the_formats_agree(report: dict[str, Any], out: Path) -> None:
    # Service principals by their declared name in every table, the id beside it in the CSV.
    grant = next(r for r in _csv(out, "direct_grants") if r["principal_id"] == MARKETING_ETL)
    assert grant["principal"] == "sp-marketing-etl-prod"
    catalog = next(r for r in _csv(out, "access") if r["name"] == "customer_prod")
    assert catalog["read_through"].startswith("sp-customer-etl-prod; sp-uc-deploy-prod")
    md = (out / "audit-prod.md").read_text(encoding="utf-8")
    html = (out / "audit-prod.html").read_text(encoding="utf-8")
    assert f"| {MARKETING_ETL} |" not in md and "| marketing_prod | catalog | sp-marketing" in md
    assert f"<td>{MARKETING_ETL}</td>" not in html
    # The legacy paths' owner is the same in the JSON as in the other formats.
    owners = [p["owner"] for p in report["legacy"]["paths"]]
    assert owners == ["workspace admins"] * 3
    assert [r["owner"] for r in _csv(out, "legacy_access")] == owners
    # A drift mark is written as the JSON has it, not as a defused formula.
    marks = [r["mark"] for r in _csv(out, "drift")]
    assert marks == [d["mark"] for d in report["access"]["drift"]] and "-" in marks
    # Markdown escapes without HTML entities, and says where a cut list goes on.
    assert "&gt;" not in md and "&lt;" not in md
    assert "| risk\\_dev.credit.pd\\_estimates -\\> risk\\_prod" not in md
    assert "risk_dev.credit.pd_estimates -\\> risk_prod.credit.pd_estimates" in md
    assert "and 49 more (the HTML, JSON and CSV list all)" in md
    # Every format carries the spec commit, the time and the report's hash.
    e = report["evidence"]
    evidence = {r["evidence"]: r["value"] for r in _csv(out, "evidence")}
    commit = e["spec_commit"] or "not in git"
    assert evidence["spec commit"] == commit
    assert evidence["generated at"] == e["generated_at"] == AS_OF
    assert evidence["content SHA-256"] == e["content_sha256"]
    for text in (md, html):
        assert commit in text and AS_OF in text and e["content_sha256"] in text
