"""What a reader sees: plan-like text, the JSON document, Markdown and SARIF."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from govkit.drift.model import DriftReport
from govkit.drift.render import (
    MARKDOWN_MAX_ROWS,
    render_json,
    render_markdown,
    render_sarif,
    render_text,
)
from govkit.drift.schema import schema_text
from tests.drift.states import DEPLOYER, catalog, desired_estate, diff, schema, table

ROOT = Path(__file__).resolve().parents[2]


def drifted() -> DriftReport:
    live = [
        catalog(
            owner="alice@example.com", grants={"finance-analysts": ["SELECT"], "rogue": ["MODIFY"]}
        ),
        schema("finance_prod.scratch"),
    ]
    return diff(desired_estate(), live, names={DEPLOYER: "sp-uc-deploy-prod"})


def test_text_groups_by_securable_with_marks_and_ends_with_a_summary() -> None:
    text = render_text(drifted())
    lines = text.splitlines()
    assert lines[0] == "govkit drift: prod (live state from file)"
    assert "  # catalog finance_prod" in lines
    assert any(
        line.startswith("  ~ owner_mismatch: owner: expected sp-uc-deploy-prod (6a1e")
        for line in lines
    )
    assert any(
        line.startswith("  - unexpected_grant: rogue holds undeclared MODIFY") for line in lines
    )
    assert any(
        line.startswith("  + missing_grant: finance-analysts lacks USE_CATALOG, USE_SCHEMA")
        for line in lines
    )
    assert any(line.startswith("  ! unmanaged_securable") for line in lines)
    assert lines[-1] == (
        "Drift in prod: 3 to add, 1 to change, 1 to remove, 1 unmanaged (left alone);"
        " 0 ignored on platform principals."
    )
    # Securable headers appear in document order, each once.
    headers = [line for line in lines if line.startswith("  # ")]
    assert headers == [
        "  # catalog finance_prod",
        "  # schema finance_prod.reporting",
        "  # schema finance_prod.scratch",
        "  # table finance_prod.reporting.revenue",
    ]


def test_clean_text_says_so() -> None:
    text = render_text(diff(desired_estate(), desired_estate()))
    assert text.splitlines()[-1].startswith("No drift in prod: 3 declared securables match")


def test_json_is_a_valid_drift_document_and_byte_identical_on_rerun() -> None:
    first = render_json(drifted())
    assert first == render_json(drifted())
    doc = json.loads(first)
    jsonschema.validate(doc, json.loads(schema_text()))
    assert doc["format"] == "govkit.drift/v1"
    assert doc["summary"] == {
        "add": 3,
        "change": 1,
        "remove": 1,
        "unmanaged": 1,
        "total": 6,
        "ignored": 0,
    }
    rogue = next(c for c in doc["changes"] if c["principal"] == "rogue")
    assert rogue["kind"] == "unexpected_grant" and rogue["privileges"] == ["MODIFY"]
    assert DriftReport.model_validate(doc) == drifted()


def test_published_schema_is_fresh() -> None:
    published = (ROOT / "docs" / "schemas" / "drift.json").read_text(encoding="utf-8")
    assert published == schema_text(), "run: python -m govkit.drift.schema"


def test_markdown_is_a_table_with_escaped_cells() -> None:
    live = [
        catalog(
            grants={
                "finance-analysts": list(desired_estate()[0].grants["finance-analysts"]),
                "a|b": ["SELECT"],
            }
        ),
        schema(),
        table(grants={"execs": ["SELECT"]}),
    ]
    md = render_markdown(diff(desired_estate(), live))
    assert md.startswith("### govkit drift: `prod`")
    assert (
        "| `-` | catalog `finance_prod` | unexpected_grant | a\\|b holds undeclared SELECT |" in md
    )


def test_markdown_caps_rows_and_points_to_json() -> None:
    many = [schema(f"finance_prod.s{i:03d}") for i in range(MARKDOWN_MAX_ROWS + 5)]
    md = render_markdown(diff(desired_estate(), [*desired_estate(), *many]))
    assert md.count("| `!` |") == MARKDOWN_MAX_ROWS
    assert "and 5 more" in md


def test_sarif_has_one_result_per_change_with_permanent_codes() -> None:
    doc = json.loads(render_sarif(drifted()))
    results = doc["runs"][0]["results"]
    assert len(results) == 6
    rule_ids = {r["ruleId"] for r in results}
    assert rule_ids == {"GOV501", "GOV502", "GOV503", "GOV504", "GOV505"}
    unmanaged = next(r for r in results if r["ruleId"] == "GOV502")
    assert unmanaged["level"] == "warning"
    location = unmanaged["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert location == "finance_prod.scratch"
