"""Governed tags in the spec: undeclared keys and values outside the allowed ones, at the line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govkit.cli.main import main
from govkit.privileges import SecurableType
from govkit.state import dumps, loads, make_securable, make_state

from .test_bad_input import BASE, run_validate, write_spec

ORGANISATION = """\
version: 1
environments:
  dev: {workspaces: [1]}
  prod: {workspaces: [2], protected: true, deployer: sp-deploy-prod}
tags:
  pii:
    description: Personal data
    values: [email, name, birth_date]
    assigners: [sales-owners]
  domain: {}
# Whether sensitive columns are protected is rule GOV330's, with its own cases.
classification: {sensitive_keys: []}
"""

DOMAIN = """\
domain: sales
owner: sales-owners
tags: {domain: sales}
schemas:
  raw:
    tables:
      customers:
        tags: {domain: sales}
        columns:
          email: {tags: {pii: email}}
          birth: {tags: {pii: {value: birth_date, environments: [prod]}}}
"""


def _validate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str]
) -> tuple[int, str]:
    write_spec(tmp_path, {**BASE, "govkit.yaml": ORGANISATION, **files})
    code, out, err = run_validate(tmp_path, capsys)
    return code, out + err


def test_governed_tags_on_catalog_schema_table_and_columns_validate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text = _validate(tmp_path, capsys, {"domains/sales.yaml": DOMAIN})
    assert code == 0, text


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # An undeclared key, reported at the key on the column.
        ("{pii: email}", "{pi: email}", "domains/sales.yaml:10:26: GOV050 error: tag 'pi'"),
        # A value the governed tag does not allow, at the value.
        ("{pii: email}", "{pii: mail}", "domains/sales.yaml:10:31: GOV051 error: tag 'pii' does"),
        # The value of a per-environment tag, at its `value:`.
        ("value: birth_date", "value: dob", "domains/sales.yaml:11:39: GOV051"),
        ("environments: [prod]", "environments: [production]", "sales.yaml:11:66: GOV021"),
    ],
)
def test_a_bad_tag_is_one_coded_diagnostic_at_its_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    old: str,
    new: str,
    expected: str,
) -> None:
    code, text = _validate(tmp_path, capsys, {"domains/sales.yaml": DOMAIN.replace(old, new)})
    assert code == 1
    assert expected in text, text
    assert text.count(" error: ") == 1, text


def test_a_governed_tag_names_declared_assigners(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    organisation = ORGANISATION.replace("assigners: [sales-owners]", "assigners: [stewards]")
    write_spec(tmp_path, {**BASE, "govkit.yaml": organisation, "domains/sales.yaml": DOMAIN})
    code, out, err = run_validate(tmp_path, capsys)
    assert code == 1
    assert "govkit.yaml:9:17: GOV020 error: unknown principal 'stewards'" in out + err


def test_show_puts_each_environments_tags_in_the_desired_state(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_spec(tmp_path, {**BASE, "govkit.yaml": ORGANISATION, "domains/sales.yaml": DOMAIN})
    texts = {}
    for env in ("dev", "prod"):
        assert main(["show", str(tmp_path), "--env", env, "--format", "json"]) == 0
        texts[env] = capsys.readouterr().out
    assert main(["show", str(tmp_path), "--env", "prod", "--format", "json"]) == 0
    assert capsys.readouterr().out == texts["prod"]  # byte-identical for the same spec
    tables = {
        env: next(s for s in loads(text).securables if s.type is SecurableType.TABLE)
        for env, text in texts.items()
    }
    assert tables["prod"].tags == {"domain": "sales"}
    # The birth date is tagged in prod only; columns come sorted by name.
    assert tables["prod"].column_tags == {"birth": {"pii": "birth_date"}, "email": {"pii": "email"}}
    assert tables["dev"].column_tags == {"email": {"pii": "email"}}
    catalog = loads(texts["dev"]).securables[0]
    assert (catalog.name, catalog.tags) == ("sales_dev", {"domain": "sales"})


def test_a_state_file_without_tags_loads_and_tags_come_back_sorted() -> None:
    before_tags = dumps(make_state("spec", [make_securable(SecurableType.TABLE, "c.s.t", "o", {})]))
    assert "tags" not in before_tags  # a State without tags is written as before
    assert loads(before_tags).securables[0].tags == {}
    document = json.loads(before_tags)
    document["securables"][0]["tags"] = {"z": "1", "a": ""}
    document["securables"][0]["column_tags"] = {"b": {"pii": "email"}, "a": {"pci": "pan"}}
    table = loads(json.dumps(document)).securables[0]
    assert list(table.tags) == ["a", "z"]
    assert list(table.column_tags) == ["a", "b"]
    assert loads(dumps(loads(json.dumps(document)))) == loads(json.dumps(document))


POLICY = """\
domain: sales
owner: sales-owners
policies:
  mask-pii:
    type: column_mask
    function: governance.mask_string
    match: {tag: pii, value: email}
    to_principals: [account users]
    except_principals: [sales-owners]
"""


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("[sales-owners]", "[ada@example.com]", "sales.yaml:9:25: GOV052 error: policy exception "
         "'ada@example.com' is a user, not a group"),
        ("[sales-owners]", "[sp-deploy-prod]", "9:25: GOV052"),
        ("{tag: pii,", "{tag: pio,", "sales.yaml:7:13: GOV050 error: tag 'pio'"),
        ("value: email}", "value: mail}", "sales.yaml:7:30: GOV051"),
        ("[account users]", "[sales-analyst]", "sales.yaml:8:21: GOV020 error: unknown principal"),
        ("function: governance.mask_string", "function: mask_string", "sales.yaml:6:15: GOV011"),
    ],
)  # fmt: skip
def test_a_bad_policy_is_one_coded_diagnostic_at_its_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    old: str,
    new: str,
    expected: str,
) -> None:
    users = BASE["principals.yaml"] + "users:\n  ada@example.com: {}\n"
    files = {"principals.yaml": users, "domains/sales.yaml": POLICY}
    code, text = _validate(tmp_path, capsys, files)
    assert code == 0, text
    files["domains/sales.yaml"] = POLICY.replace(old, new)
    code, text = _validate(tmp_path, capsys, files)
    assert code == 1
    assert expected in text, text
    assert text.count(" error: ") == 1, text
