"""The merge workflow applies only the plan that was reviewed: differences in words."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from govkit.repository.plans import differences, main


def _plan(*changes: tuple[str, list[str], dict[str, Any] | None]) -> dict[str, Any]:
    return {
        "resource_changes": [
            {"address": a, "change": {"actions": actions, "after": after}}
            for a, actions, after in changes
        ]
    }


GRANTS = "module.domain.databricks_grants.this"
REVIEWED = _plan(
    (f'{GRANTS}["catalog/sales_dev"]', ["update"], {"grant": [{"principal": "a"}]}),
    ("module.domain.databricks_catalog.this", ["no-op"], {"name": "sales_dev"}),
)


def test_the_same_plan_in_another_order_agrees() -> None:
    fresh = {"resource_changes": list(reversed(REVIEWED["resource_changes"]))}
    assert differences(REVIEWED, fresh) == []


def test_each_kind_of_difference_is_named() -> None:
    reviewed = _plan(*_changes(REVIEWED), ("module.domain.databricks_schema.x", ["update"], {}))
    fresh = _plan(
        (f'{GRANTS}["catalog/sales_dev"]', ["update"], {"grant": [{"principal": "b"}]}),
        ("module.domain.databricks_catalog.this", ["delete", "create"], {"name": "sales_dev"}),
        ("module.domain.databricks_schema.x", ["delete"], None),
        (f'{GRANTS}["schema/sales_dev.orders"]', ["create"], {}),
    )
    assert differences(reviewed, fresh) == [
        "+ module.domain.databricks_catalog.this: delete/create, not in the reviewed plan",
        f'~ {GRANTS}["catalog/sales_dev"]: the planned values differ from the reviewed ones',
        f'+ {GRANTS}["schema/sales_dev.orders"]: create, not in the reviewed plan',
        "~ module.domain.databricks_schema.x: reviewed update, now delete",
    ]


def _changes(plan: dict[str, Any]) -> list[tuple[str, list[str], dict[str, Any] | None]]:
    return [
        (c["address"], c["change"]["actions"], c["change"]["after"])
        for c in plan["resource_changes"]
    ]


def test_the_command_exits_1_and_says_so(tmp_path: Path, capsys: Any) -> None:
    reviewed, fresh = tmp_path / "reviewed.json", tmp_path / "fresh.json"
    reviewed.write_text(json.dumps(REVIEWED))
    fresh.write_text(json.dumps(_plan()))
    assert main([str(reviewed), str(reviewed)]) == 0
    assert main([str(reviewed), str(fresh)]) == 1
    out = capsys.readouterr().out
    assert f'- {GRANTS}["catalog/sales_dev"]: update was reviewed, now not planned' in out
    assert "the plan differs from the reviewed plan in 1 resources" in out


def test_a_refused_plan_says_how_to_re_plan_on_top_of_main(tmp_path: Path, capsys: Any) -> None:
    # Before, the only advice was "Re-run its checks", which re-planned nothing new.
    reviewed, fresh = tmp_path / "reviewed.json", tmp_path / "fresh.json"
    reviewed.write_text(json.dumps(REVIEWED))
    fresh.write_text(json.dumps(_plan()))
    ids = ["--pull-request", "12", "--reviewed-run", "501", "--apply-run", "777"]
    assert main([str(reviewed), str(fresh), *ids]) == 1
    out = capsys.readouterr().out
    assert "re-plan pull request #12 on top of main: `gh run rerun 501`" in out
    assert "then `gh run rerun 777 --failed`" in out
    assert "require branches to be up to date" in out
