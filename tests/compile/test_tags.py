"""Governed tags compile to one account stack; tag assignments into their domain's stack."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .support import PRINCIPALS, compile_spec, organisation, write_spec

TAGS = {
    "pii": {"description": "Personal data", "values": ["email", "birth_date"]},
    "domain": {},
}
SALES = {
    "domain": "sales",
    "owner": "owners",
    "tags": {"domain": "sales"},
    "schemas": {
        "crm": {
            "policies": {
                "mask-email": {
                    "type": "column_mask",
                    "function": "governance.mask_email",
                    "match": {"tag": "pii", "value": "email"},
                    "except_principals": ["owners"],
                    "environments": ["prod"],
                },
            },
            "tables": {
                "customers": {
                    "columns": {
                        "email": {"tags": {"pii": "email"}},
                        "birth": {
                            "tags": {"pii": {"value": "birth_date", "environments": ["prod"]}}
                        },
                    }
                }
            },
        }
    },
}


def _tagged_spec(tmp_path: Path) -> Path:
    org = {**organisation(), "tags": TAGS}
    return write_spec(
        tmp_path / "spec",
        {"govkit.yaml": org, "principals.yaml": PRINCIPALS, "domains/sales.yaml": SALES},
    )


def _module(files: dict[str, bytes], stack: str, name: str) -> Any:
    return json.loads(files[f"{stack}/main.tf.json"])["module"].get(name)


def test_governed_tags_become_one_account_stack_of_tag_policies(tmp_path: Path) -> None:
    compiled = compile_spec(_tagged_spec(tmp_path))
    files = compiled.files()
    call = _module(files, "_account/_tags", "tags")
    assert call["source"] == "../../../modules/uc-tags"
    assert call["tag_policies"] == [
        {"tag_key": "domain", "description": "", "values": []},
        {"tag_key": "pii", "description": "Personal data", "values": ["email", "birth_date"]},
    ]
    entry = next(s for s in compiled.index()["stacks"] if s["id"] == "_account/_tags")
    assert (entry["kind"], entry["depends_on"], entry["resources"]) == (
        "tags",
        ["govkit.yaml"],
        2,
    )


def test_tags_are_assigned_in_their_domain_stack_after_the_policies(tmp_path: Path) -> None:
    compiled = compile_spec(_tagged_spec(tmp_path))
    files = compiled.files()
    prod = _module(files, "prod/sales", "tags")
    assert prod["depends_on"] == ["module.domain"]
    assert prod["assignments"] == [
        {"entity_type": "catalogs", "entity_name": "sales_prod", "tag_key": "domain",
         "tag_value": "sales"},
        {"entity_type": "columns", "entity_name": "sales_prod.crm.customers.birth",
         "tag_key": "pii", "tag_value": "birth_date"},
        {"entity_type": "columns", "entity_name": "sales_prod.crm.customers.email",
         "tag_key": "pii", "tag_value": "email"},
    ]  # fmt: skip
    # The birth date is tagged in prod only.
    dev = _module(files, "dev/sales", "tags")
    assert [a["entity_name"] for a in dev["assignments"]] == [
        "sales_dev",
        "sales_dev.crm.customers.email",
    ]
    needs = {s["id"]: s["needs"] for s in compiled.index()["stacks"]}
    assert "_account/_tags" in needs["prod/sales"]
    assert compile_spec(_tagged_spec(tmp_path)).files() == files  # the same bytes again


def test_an_abac_policy_is_compiled_where_it_attaches_in_its_environments(
    tmp_path: Path,
) -> None:
    files = compile_spec(_tagged_spec(tmp_path)).files()
    assert _module(files, "prod/sales", "tags")["policies"] == [
        {
            "name": "mask-email",
            "policy_type": "COLUMN_MASK",
            "on_securable_type": "SCHEMA",
            "on_securable_fullname": "sales_prod.crm",
            "function_name": "sales_prod.governance.mask_email",
            "match_condition": "hasTagValue('pii', 'email')",
            "to_principals": ["account users"],
            "except_principals": ["owners"],
            "when_condition": "",
            "comment": "",
        }
    ]
    assert _module(files, "dev/sales", "tags")["policies"] == []


def test_a_spec_without_tags_compiles_no_tag_stack_nor_module(tmp_path: Path) -> None:
    spec = write_spec(
        tmp_path / "spec",
        {
            "govkit.yaml": organisation(),
            "principals.yaml": PRINCIPALS,
            "domains/sales.yaml": {"domain": "sales", "owner": "owners"},
        },
    )
    files = compile_spec(spec).files()
    assert not any(f.startswith("_account/_tags/") for f in files)
    assert _module(files, "prod/sales", "tags") is None
