"""Separation of duties on the bundled estate: grantors who read, owners who approve their own
access, and a deployer that a person can act as."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from govkit.cli.main import main
from govkit.state import dumps, loads, make_securable, make_state
from tests.conftest import CATALOGS

AS_OF = "2026-11-26T02:00:00Z"
RECORDED = CATALOGS / "recorded"


def _audit(tmp_path: Path, spec: Path = CATALOGS, *extra: str) -> dict[str, Any]:
    out = tmp_path / "out"
    args = ["audit", str(spec), "--env", "prod", "--as-of", AS_OF, "--out", str(out), *extra]
    assert main(args) == 2
    data: dict[str, Any] = json.loads((out / "audit-prod.json").read_text(encoding="utf-8"))
    return data


def _conflicts(report: dict[str, Any], code: str) -> list[tuple[str, str, int]]:
    return [
        (c["person"], c["subject"], c["securables"])
        for c in report["access"]["separation_of_duties"]
        if c["code"] == code
    ]


def test_owners_who_read_their_domain_through_another_grant_approve_their_own_access(
    tmp_path: Path,
) -> None:
    report = _audit(tmp_path)
    # Three platform owners are also platform engineers or data stewards.
    assert _conflicts(report, "GOV652") == [
        ("elif.kowalski3@meridian.example", "platform_prod", 7),
        ("omar.rossi2@meridian.example", "platform_prod", 7),
        ("yusuf.ng@meridian.example", "platform_prod", 7),
    ]
    assert report["summary"]["duty_conflicts"] == 3
    assert _conflicts(report, "GOV651") == [] and _conflicts(report, "GOV653") == []
    found = {(f["code"], f["subject"]) for f in report["findings"]}
    assert ("GOV652", "yusuf.ng@meridian.example") in found
    md = (tmp_path / "out" / "audit-prod.md").read_text(encoding="utf-8")
    assert "| GOV652 | approves-own-access | yusuf.ng@meridian.example | 7 |" in md


def test_a_person_who_can_grant_and_reads_a_protected_table(tmp_path: Path) -> None:
    state = loads((RECORDED / "prod.state.json").read_bytes())
    revenue = "finance_prod.reporting.revenue"
    securables = [
        make_securable(s.type, s.name, s.owner, {**s.grants, "execs": ("MANAGE", "SELECT")})
        if s.name == revenue
        else s
        for s in state.securables
    ]
    live = tmp_path / "live.json"
    live.write_text(
        dumps(make_state("file", securables, environment="prod", taken_at=state.taken_at)),
        encoding="utf-8",
    )
    report = _audit(tmp_path, CATALOGS, "--live", str(live))
    # The 8 members of execs hold MANAGE on the revenue table and read it.
    conflicts = _conflicts(report, "GOV651")
    assert len(conflicts) == 8
    assert {(subject, n) for _, subject, n in conflicts} == {(revenue, 1)}
    assert all(f["severity"] == "error" for f in report["findings"] if f["code"] == "GOV651")


def test_a_deployer_whose_federation_admits_any_branch(tmp_path: Path) -> None:
    spec = tmp_path / "catalogs"
    shutil.copytree(CATALOGS, spec)
    principals = spec / "principals.yaml"
    principals.write_text(
        principals.read_text(encoding="utf-8").replace(
            "subject: repo:meridian/uc-governance:environment:prod",
            "subject: repo:meridian/uc-governance:ref:refs/heads/main",
        ),
        encoding="utf-8",
    )
    report = _audit(tmp_path, spec)
    assert _conflicts(report, "GOV653") == [
        ("repo:meridian/uc-governance:ref:refs/heads/main", "sp-uc-deploy-prod", 46)
    ]
