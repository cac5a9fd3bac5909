"""What the guard reads from a saved plan (`terraform show -json`) and from compiled stacks,
written by hand: grants and catalogs by environment. (A real plan: tests/reliability.)"""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest

from govkit.guard import Footprint
from govkit.guard.terraform import UnreadableInput, compiled_footprints, plan_footprints

_NUMBERS = itertools.count()


def _change(type_: str, actions: list[str], before: Any, after: Any, **extra: Any) -> Any:
    address = f"{type_}.r{next(_NUMBERS)}"
    return {"address": address, "type": type_, "change": {"actions": actions, "before": before,
            "after": after}, **extra}  # fmt: skip


def _environment(catalog: str) -> str:
    return catalog.rsplit("_", 1)[1]


PLAN = {
    "resource_changes": [
        # Authoritative grants on a catalog: readers lose SELECT, a second block is added.
        _change(
            "databricks_grants",
            ["update"],
            {
                "catalog": "sales_prod",
                "grant": [{"principal": "readers", "privileges": ["SELECT", "USE_CATALOG"]}],
            },
            {
                "catalog": "sales_prod",
                "grant": [
                    {"principal": "readers", "privileges": ["USE_CATALOG"]},
                    {"principal": "auditors", "privileges": ["BROWSE"]},
                ],
            },
        ),
        # One principal's grant on a schema, destroyed.
        _change(
            "databricks_grant",
            ["delete"],
            {"schema": "sales_prod.raw", "principal": "sp-etl", "privileges": ["MODIFY"]},
            None,
        ),
        # A catalog replaced: the new one does not count, the old one is removed.
        _change(
            "databricks_catalog",
            ["delete", "create"],
            {"name": "web_prod", "owner": "sp-deploy"},
            {"name": "web_prod", "owner": "sp-deploy"},
        ),
        # A catalog whose owner changes, in another environment.
        _change(
            "databricks_catalog",
            ["update"],
            {"name": "sales_dev", "owner": "owners"},
            {"name": "sales_dev", "owner": "alice@example.com"},
        ),
        # A catalog created with an owner known only after apply.
        _change("databricks_catalog", ["create"], None, {"name": "hr_dev"}),
        # Neither a managed resource nor a grant: left out.
        _change("databricks_grants", ["read"], None, {"catalog": "x_dev"}, mode="data"),
        _change("databricks_schema", ["create"], None, {"name": "raw", "catalog_name": "hr_dev"}),
    ]
}


def test_a_plan_s_two_sides_by_environment() -> None:
    before, after = plan_footprints(PLAN, _environment)
    assert before == {
        "prod": Footprint(
            frozenset({
                ("catalog", "sales_prod", "readers", "SELECT"),
                ("catalog", "sales_prod", "readers", "USE_CATALOG"),
                ("schema", "sales_prod.raw", "sp-etl", "MODIFY"),
            }),
            {"web_prod": "sp-deploy"},
        ),
        "dev": Footprint(frozenset(), {"sales_dev": "owners"}),
    }  # fmt: skip
    assert after == {
        "prod": Footprint(
            frozenset({
                ("catalog", "sales_prod", "readers", "USE_CATALOG"),
                ("catalog", "sales_prod", "auditors", "BROWSE"),
            }),
            {},
        ),
        "dev": Footprint(frozenset(), {"sales_dev": "alice@example.com", "hr_dev": None}),
    }  # fmt: skip


@pytest.mark.parametrize(
    ("plan", "message"),
    [
        ({"format_version": "1.2"}, "no resource_changes: not a saved plan"),
        ({"resource_changes": [{"address": "databricks_grants.x"}]}, "databricks_grants.x: a "),
    ],
)
def test_what_is_not_a_saved_plan_cannot_be_checked(plan: Any, message: str) -> None:
    with pytest.raises(UnreadableInput, match=message):
        plan_footprints(plan, _environment)


def test_a_compiled_stack_is_read_by_shape_module_calls_and_plain_resources_alike() -> None:
    index = {"stacks": [{"path": "prod/sales", "environment": "prod"}]}
    module = {"module": {"domain": {"catalog_name": "sales_prod", "owner": "sp-deploy", "grants": [
        {"securable_type": "catalog", "securable_name": "sales_prod", "principal": "readers",
         "privileges": ["USE_CATALOG"]}]}}}  # fmt: skip
    by_hand = {"resource": {
        "databricks_catalog": {"web": {"name": "web_prod", "owner": "owners"}},
        "databricks_grants": {"web": {"catalog": "web_prod", "grant": {"principal": "readers",
                                                                       "privileges": ["BROWSE"]}}},
        "databricks_grant": {"raw": {"schema": "web_prod.raw", "principal": "sp-etl",
                                     "privileges": ["MODIFY"]}},
        "databricks_schema": {"raw": {"name": "raw", "catalog_name": "web_prod"}},
    }}  # fmt: skip
    files = {
        "stacks.json": json.dumps(index).encode(),
        "prod/sales/main.tf.json": json.dumps(module).encode(),
        "prod/sales/by-hand.tf.json": json.dumps(by_hand).encode(),
        "prod/sales/.terraform.lock.hcl": b"not govkit's",
    }
    assert compiled_footprints(files) == {
        "prod": Footprint(
            frozenset({
                ("catalog", "sales_prod", "readers", "USE_CATALOG"),
                ("catalog", "web_prod", "readers", "BROWSE"),
                ("schema", "web_prod.raw", "sp-etl", "MODIFY"),
            }),
            {"sales_prod": "sp-deploy", "web_prod": "owners"},
        )
    }  # fmt: skip
    with pytest.raises(UnreadableInput, match=r"prod/web/main\.tf\.json belongs to no stack"):
        compiled_footprints({**files, "prod/web/main.tf.json": b"{}"})
