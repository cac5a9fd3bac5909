"""The order of an apply: environments in order, each stack after the stacks it needs."""

from __future__ import annotations

import pytest

from govkit.repository.order import OrderError, apply_order

NEEDS = {
    "_account/_shared": [],
    "dev/finance": ["_account/_shared"],
    "prod/_shared": [],
    "prod/finance": ["prod/_shared"],
    "prod/finance.2": ["prod/finance"],
    "prod/finance.10": ["prod/finance"],
}


def _entry(
    stack_id: str, change: str = "changed", needs: list[str] | None = None
) -> dict[str, object]:
    return {
        "id": stack_id,
        "environment": stack_id.split("/")[0],
        "path": f"out/{stack_id}",
        "change": change,
        "needs": NEEDS.get(stack_id, []) if needs is None else needs,
    }


def test_account_then_environments_in_order_and_parts_after_their_domain() -> None:
    affected = [_entry(s) for s in reversed(NEEDS)]  # any order in
    order = apply_order(["dev", "staging", "prod"], affected)
    assert list(order) == ["_account", "dev", "prod"]
    assert [e["id"] for e in order["prod"]] == [
        "prod/_shared",
        "prod/finance",
        "prod/finance.10",
        "prod/finance.2",
    ]


def test_removed_stacks_are_destroyed_first_dependants_before_what_they_need() -> None:
    affected = [
        _entry("prod/_shared"),
        _entry("prod/risk", "removed", ["prod/_shared"]),
        _entry("prod/risk.2", "removed", ["prod/risk"]),
        _entry("prod/finance", "added", ["prod/_shared"]),
    ]
    order = apply_order(["prod"], affected)
    assert [(e["id"], e["change"]) for e in order["prod"]] == [
        ("prod/risk.2", "removed"),
        ("prod/risk", "removed"),
        ("prod/_shared", "changed"),
        ("prod/finance", "added"),
    ]


def test_a_need_in_a_later_environment_is_an_error() -> None:
    with pytest.raises(OrderError, match="dev/risk needs prod/_shared, which is applied after it"):
        apply_order(["dev", "prod"], [_entry("dev/risk", needs=["prod/_shared"])])


def test_a_cycle_is_an_error() -> None:
    affected = [_entry("dev/a", needs=["dev/b"]), _entry("dev/b", needs=["dev/a"])]
    with pytest.raises(OrderError, match="cycle"):
        apply_order(["dev"], affected)
