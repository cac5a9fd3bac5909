"""`govkit migrate status` through the CLI: per domain, tables moved and grants in place, as
the State of an environment shows them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govkit.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
PROD = ROOT / "catalogs/recorded/prod.state.json"


def _status(state: Path, fmt: str = "json") -> int:
    return main([
        "migrate", "status", "--assessment", str(ROOT / "catalogs/recorded/hive.assessment.json"),
        "--mapping", str(Path(__file__).with_name("meridian.mapping.yaml")),
        "--identities", str(ROOT / "catalogs/recorded/identities.json"),
        "--spec", str(ROOT / "catalogs"), "--state", str(state), "--format", fmt,
    ])  # fmt: skip


def _rows(out: str) -> dict[str, dict[str, object]]:
    return {r["domain"]: r for r in json.loads(out)["domains"]}


def test_status_counts_what_the_state_of_prod_holds(capsys: pytest.CaptureFixture[str]) -> None:
    assert _status(PROD) == 2  # some is left
    finance = _rows(capsys.readouterr().out)["finance"]
    # the bundled prod estate has ledger and reporting tables, not the view or the ERP extract
    assert (finance["tables_moved"], finance["tables"]) == (4, 6)
    assert finance["grants_in_place"] == 3


def test_a_table_that_appears_in_the_state_counts_as_moved(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = json.loads(PROD.read_text())
    for name in ("finance_prod.reporting.revenue_by_month", "finance_prod.raw.gl_extract"):
        state["securables"].append({"type": "table", "name": name, "owner": "sp-uc-deploy-prod"})
    path = tmp_path / "prod.state.json"
    path.write_text(json.dumps(state))
    assert _status(path) == 2
    finance = _rows(capsys.readouterr().out)["finance"]
    assert (finance["tables_moved"], finance["tables"]) == (6, 6)


def test_an_incomplete_state_fails_closed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = json.loads(PROD.read_text())
    state["complete"] = False
    state["errors"] = [{"securable": "finance_prod", "message": "403"}]
    path = tmp_path / "prod.state.json"
    path.write_text(json.dumps(state))
    assert _status(path, "text") == 1
    assert "the State is incomplete" in capsys.readouterr().err
