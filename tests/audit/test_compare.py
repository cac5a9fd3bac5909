"""`govkit audit --compare PREVIOUS.json` on the bundled prod: what changed since the last audit."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from govkit.cli.main import main
from govkit.state import Storage, dumps, loads, make_securable, make_state
from tests.conftest import CATALOGS

AS_OF = "2026-11-26T02:00:00Z"
RECORDED = CATALOGS / "recorded"


def _run(out: Path, *extra: str) -> int:
    args = ["audit", str(CATALOGS), "--env", "prod", "--as-of", AS_OF, "--out", str(out)]
    return main([*args, "--format", "json,md,csv", *extra])


def _revoked(tmp_path: Path) -> str:
    """The recorded prod after internal audit's expired grant and the execs' SELECT on the
    revenue table were revoked."""
    state = loads((RECORDED / "prod.state.json").read_bytes())
    gone = {"customer_prod.master": "internal-audit", "finance_prod.reporting.revenue": "execs"}
    securables = [
        make_securable(s.type, s.name, s.owner,
                       {p: v for p, v in s.grants.items() if gone.get(s.name) != p},
                       s.isolation_mode, s.workspace_ids, Storage.of(s))
        for s in state.securables
    ]  # fmt: skip
    path = tmp_path / "later.state.json"
    later = make_state("file", securables, environment="prod", taken_at=state.taken_at)
    path.write_text(dumps(later), encoding="utf-8")
    return str(path)


def test_compare_names_what_changed_since_the_previous_report(tmp_path: Path) -> None:
    assert _run(tmp_path / "before") == 2
    previous = tmp_path / "before" / "audit-prod.json"
    assert _run(tmp_path / "after", "--live", _revoked(tmp_path), "--compare", str(previous)) == 2
    report: dict[str, Any] = json.loads((tmp_path / "after" / "audit-prod.json").read_text())
    c = report["comparison"]
    assert (
        c["previous_content_sha256"]
        == json.loads(previous.read_text())["evidence"]["content_sha256"]
    )
    revenue = [a for a in c["access"] if a["name"] == "finance_prod.reporting.revenue"]
    assert [(a["access"], len(a["added"]), len(a["removed"])) for a in revenue] == [("read", 0, 8)]
    assert [a["name"] for a in c["access"]] == ["finance_prod.reporting.revenue"]
    assert c["ownership"] == []
    assert [(f["code"], f["subject"]) for f in c["resolved_findings"]] == [
        ("GOV508", "customer_prod.master")
    ]
    # the drift of the revoked SELECT, which the spec still declares
    assert [(f["code"], f["subject"]) for f in c["new_findings"]] == [
        ("GOV504", "finance_prod.reporting.revenue")
    ]
    assert c["expired_grants_removed"] == [
        "internal-audit on customer_prod.master (expired 2026-09-30)"
    ]
    assert c["waivers_added"] == c["waivers_removed"] == []
    source = next(s for s in report["evidence"]["sources"] if s["name"] == "previous")
    assert source["sha256"] == hashlib.sha256(previous.read_bytes()).hexdigest()
    assert f"--compare {previous}" in report["evidence"]["command"]
    md = (tmp_path / "after" / "audit-prod.md").read_text(encoding="utf-8")
    assert "## Since the previous audit" in md and "8 access change(s) on 1 securable(s)" in md
    rows = (tmp_path / "after" / "audit-prod-comparison.csv").read_text().splitlines()
    assert len(rows) == 1 + 8 + 2 + 1  # header, 8 lost readers, 2 findings, a grant


def test_a_previous_report_of_another_environment_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["audit", str(CATALOGS), "--env", "dev", "--as-of", AS_OF]
    assert main([*args, "--out", str(tmp_path / "dev"), "--format", "json"]) == 2
    previous = str(tmp_path / "dev" / "audit-dev.json")
    assert _run(tmp_path / "out", "--compare", previous) == 1
    assert "an audit of environment 'dev', not 'prod'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    assert _run(tmp_path / "out", "--compare", str(RECORDED / "lineage.json")) == 1
    assert "not an audit report" in capsys.readouterr().err
