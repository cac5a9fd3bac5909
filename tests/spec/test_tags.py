"""Governed tags in the spec: undeclared keys and values outside the allowed ones, at the line."""

from __future__ import annotations

from pathlib import Path

import pytest

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
