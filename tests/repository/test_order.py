"""The order of an apply: environments in order, each stack after the stacks it needs."""

from __future__ import annotations

import pytest

from govkit.repository.order import OrderError, apply_order

STACKS = [
    {"id": "_account/_shared", "environment": "_account", "needs": []},
    {"id": "dev/finance", "environment": "dev", "needs": ["_account/_shared"]},
    {"id": "prod/_shared", "environment": "prod", "needs": []},
    {"id": "prod/finance", "environment": "prod", "needs": ["prod/_shared"]},
    {"id": "prod/finance.2", "environment": "prod", "needs": ["prod/finance"]},
    {"id": "prod/finance.10", "environment": "prod", "needs": ["prod/finance"]},
]


def _entry(stack_id: str) -> dict[str, str]:
    return {"id": stack_id, "environment": stack_id.split("/")[0], "path": f"out/{stack_id}"}


def test_account_then_environments_in_order_and_parts_after_their_domain() -> None:
    affected = [_entry(s["id"]) for s in reversed(STACKS)]  # any order in
    order = apply_order(["dev", "staging", "prod"], STACKS, affected)
    assert list(order) == ["_account", "dev", "prod"]
    assert [e["id"] for e in order["prod"]] == [
        "prod/_shared",
        "prod/finance",
        "prod/finance.10",
        "prod/finance.2",
    ]


def test_a_need_in_a_later_environment_is_an_error() -> None:
    stacks = [*STACKS, {"id": "dev/risk", "environment": "dev", "needs": ["prod/_shared"]}]
    with pytest.raises(OrderError, match="dev/risk needs prod/_shared, which is applied after it"):
        apply_order(["dev", "prod"], stacks, [_entry("dev/risk")])


def test_a_cycle_is_an_error() -> None:
    stacks = [
        {"id": "dev/a", "environment": "dev", "needs": ["dev/b"]},
        {"id": "dev/b", "environment": "dev", "needs": ["dev/a"]},
    ]
    with pytest.raises(OrderError, match="cycle"):
        apply_order(["dev"], stacks, [_entry("dev/a"), _entry("dev/b")])
