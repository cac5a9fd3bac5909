"""Determinism, escaping, refusing unsafe output, and splitting large domains."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from govkit.compile.escape import escape_template
from govkit.compile.guard import check_stacks
from govkit.compile.model import CompileError, GrantEntry, GrantSet, Stack
from tests.compile.support import PRINCIPALS, ROOT, compile_spec, organisation, write_spec

TRICKY = (
    'a "quoted" \\ back\\slash\nnew line, ünïcødé 東京, ${var.x}, %{ if true }x%{ endif }, $${y}'
)


def _reverse_keys(value: object) -> object:
    if isinstance(value, dict):
        return {k: _reverse_keys(v) for k, v in reversed(list(value.items()))}
    if isinstance(value, list):
        return [_reverse_keys(v) for v in value]
    return value


def test_same_spec_gives_identical_bytes_whatever_the_key_and_file_order(tmp_path):
    first = compile_spec(ROOT / "catalogs").files()
    shuffled = tmp_path / "catalogs"
    paths = sorted((ROOT / "catalogs").rglob("*.yaml"), reverse=True)
    for path in paths:  # files written in the opposite order, every mapping reversed
        rel = path.relative_to(ROOT / "catalogs")
        value = _reverse_keys(yaml.safe_load(path.read_text("utf-8")))
        write_spec(shuffled, {str(rel): value})
    second = compile_spec(shuffled).files()
    assert first == second


def test_escape_doubles_template_sigils_only():
    assert escape_template("${a} %{b} $ % {c}") == "$${a} %%{b} $ % {c}"


def test_every_yaml_string_is_escaped_in_the_output(tmp_path):
    spec = write_spec(
        tmp_path,
        {
            "govkit.yaml": organisation(),
            "principals.yaml": PRINCIPALS,
            "domains/d.yaml": {
                "domain": "d",
                "owner": "owners",
                "comment": TRICKY,
                "schemas": {"s": {"comment": TRICKY}},
            },
        },
    )
    files = compile_spec(spec).files()
    text = files["dev/d/main.tf.json"].decode()
    call = json.loads(text)["module"]["domain"]
    assert call["comment"] == escape_template(TRICKY)
    assert call["schemas"][0]["comment"] == escape_template(TRICKY)
    assert "${var.x}" not in text.replace("$${var.x}", "")
    assert text.count("%%{ if true }") == 2


def _stack(stack_id: str, authority: str, *entries: tuple[str, str, str]) -> Stack:
    grants = tuple(GrantEntry(t, n, p, ("SELECT",)) for t, n, p in entries)
    return Stack(
        id=stack_id,
        environment="prod",
        domain=stack_id,
        kind="domain",
        depends_on=(),
        needs=(),
        document={},
        resources=len(grants),
        grants=GrantSet(authority, grants),  # type: ignore[arg-type]
    )


def test_refuses_two_authoritative_resources_on_one_securable():
    a = _stack("a", "authoritative", ("catalog", "c", "g1"))
    b = _stack("b", "authoritative", ("catalog", "c", "g2"))
    with pytest.raises(CompileError, match="catalog c: 2 authoritative"):
        check_stacks([a, b])


def test_refuses_a_mix_of_grants_and_grant_on_one_securable():
    a = _stack("a", "authoritative", ("schema", "c.s", "g1"))
    b = _stack("b", "additive", ("schema", "c.s", "g2"))
    with pytest.raises(CompileError, match=r"schema c\.s: mixes databricks_grants and"):
        check_stacks([a, b])


def test_refuses_two_additive_grants_for_one_principal():
    a = _stack("a", "additive", ("table", "c.s.t", "g1"))
    b = _stack("b", "additive", ("table", "c.s.t", "g1"))
    with pytest.raises(CompileError, match="more than one databricks_grant"):
        check_stacks([a, b])


def test_accepts_additive_grants_for_different_principals(tmp_path):
    a = _stack("a", "additive", ("table", "c.s.t", "g1"))
    b = _stack("b", "additive", ("table", "c.s.t", "g2"))
    assert check_stacks([a, b]) is None  # no CompileError
    # Compiled: one databricks_grant per principal on the one table, side by side.
    table = {"principal": "readers", "privileges": ["SELECT"]}
    grants = [table, {**table, "principal": "owners"}]
    stack = _additive_dev_stack(tmp_path, {"schemas": {"s": {"tables": {"t": {"grants": grants}}}}})
    assert stack.grants is not None
    assert sorted(stack.grants.resources()) == [
        ("databricks_grant", ("table", "d_dev.s.t"), "owners"),
        ("databricks_grant", ("table", "d_dev.s.t"), "readers"),
    ]


def test_two_domains_that_name_one_catalog_are_refused(tmp_path):
    org = organisation()
    org["catalog_name"] = "shared_{env}"
    spec = write_spec(
        tmp_path,
        {
            "govkit.yaml": org,
            "principals.yaml": PRINCIPALS,
            "domains/a.yaml": {"domain": "a", "owner": "owners"},
            "domains/b.yaml": {
                "domain": "b",
                "owner": "owners",
                "grants": [{"principal": "readers", "access": "read"}],
            },
        },
    )
    with pytest.raises(CompileError, match="catalog shared_dev would be created by 2 stacks"):
        compile_spec(spec)


def _additive_dev_stack(tmp_path: Path, domain: dict[str, object]) -> Stack:
    """The dev stack of an additive domain `d` owned by `owners`, with `domain`'s keys."""
    spec = write_spec(
        tmp_path,
        {
            "govkit.yaml": organisation(),
            "principals.yaml": PRINCIPALS,
            "domains/d.yaml": {"domain": "d", "owner": "owners", "authority": "additive", **domain},
        },
    )
    return next(s for s in compile_spec(spec).stacks if s.id == "dev/d")


def test_repeated_grants_for_one_principal_become_one_resource(tmp_path):
    grants = [
        {"principal": "readers", "privileges": ["USE_CATALOG"]},
        {"principal": "readers", "privileges": ["BROWSE", "USE_CATALOG"]},
    ]
    stack = _additive_dev_stack(tmp_path, {"grants": grants})
    assert stack.document["module"]["domain"]["grants"] == [
        {
            "principal": "readers",
            "privileges": ["BROWSE", "USE_CATALOG"],
            "securable_name": "d_dev",
            "securable_type": "catalog",
        }
    ]


@pytest.mark.parametrize("authority", ["authoritative", "additive"])
def test_large_domain_is_split_and_each_securable_stays_in_one_stack(tmp_path, authority):
    tables = {
        f"t{i:02}": {"grants": [{"principal": "readers", "privileges": ["SELECT"]}]}
        for i in range(12)
    }
    schemas = {
        f"s{j}": {
            "grants": [{"principal": "readers", "privileges": ["USE_SCHEMA"]}],
            "tables": tables,
        }
        for j in range(3)
    }
    spec = write_spec(
        tmp_path,
        {
            "govkit.yaml": organisation(max_grant_resources=10),
            "principals.yaml": PRINCIPALS,
            "domains/big.yaml": {
                "domain": "big",
                "owner": "owners",
                "authority": authority,
                "grants": [{"principal": "readers", "access": "read"}],
                "schemas": schemas,
            },
        },
    )
    stacks = [s for s in compile_spec(spec).stacks if s.environment == "dev"]
    # 1 catalog + 3 schemas + 36 tables = 40 securables, 40 grant resources either way.
    assert [s.id for s in stacks] == ["dev/big", "dev/big.2", "dev/big.3", "dev/big.4"]
    assert all(s.grant_resources <= 10 for s in stacks)
    assert sum(s.grant_resources for s in stacks) == 40
    securables = [e.securable for s in stacks for e in s.grants.entries]
    assert len(securables) == len(set(securables)) == 40
    assert all(s.needs == ("dev/big",) for s in stacks[1:])
    assert stacks[1].document["module"]["grants"]["source"].endswith("/uc-grants")
    # Parts follow the catalog, then schema by schema with its tables: a schema's grants sit
    # in one part or in consecutive ones, never scattered.
    parts = [{e.securable_name for e in s.grants.entries} for s in stacks]
    assert parts[0] == {"big_dev", "big_dev.s0", *(f"big_dev.s0.t{i:02}" for i in range(8))}
    assert parts[1] == {
        *(f"big_dev.s0.t{i:02}" for i in range(8, 12)),
        "big_dev.s1",
        *(f"big_dev.s1.t{i:02}" for i in range(5)),
    }


def test_removing_the_spec_folder_copy_does_not_change_the_estate(tmp_path):
    copy = shutil.copytree(ROOT / "catalogs", tmp_path / "elsewhere" / "spec")
    assert compile_spec(Path(copy)).files() == compile_spec(ROOT / "catalogs").files()
