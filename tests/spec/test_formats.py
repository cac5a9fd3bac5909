"""`govkit validate --format json|github`: what CI and editors read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.spec.test_bad_input import BASE, run_validate, write_spec

BROKEN = """\
domain: sales
owner: sales-owner
grants:
  - {principal: sales-analysts, access: reed}
"""


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    write_spec(tmp_path, {**BASE, "domains/sales.yaml": BROKEN})
    return tmp_path


def test_json_lists_every_diagnostic_with_its_position(
    broken: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_validate(broken, capsys, "--format", "json")
    doc = json.loads(out)
    rows = [(d["code"], d["line"], d["col"], d["severity"]) for d in doc["diagnostics"]]
    assert code == 1
    assert rows == [("GOV020", 2, 8, "error"), ("GOV025", 4, 41, "error")]
    assert doc["diagnostics"][0]["file"] == f"{broken}/domains/sales.yaml"
    assert doc["diagnostics"][0]["hint"] == "did you mean 'sales-owners'?"
    assert doc["summary"] == "2 errors, 0 warnings"


def test_github_annotations_point_at_the_lines(
    broken: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_validate(broken, capsys, "--format", "github")
    first, second = out.splitlines()
    assert code == 1
    assert first.startswith(
        f"::error file={broken}/domains/sales.yaml,line=2,col=8,title=GOV020 spec.references::"
    )
    assert first.endswith("unknown principal 'sales-owner' (hint: did you mean 'sales-owners'?)")
    assert second.startswith("::error ") and ",line=4,col=41," in second


def test_a_clean_spec_prints_nothing_in_machine_formats(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_spec(tmp_path, dict(BASE))
    assert run_validate(tmp_path, capsys, "--format", "github")[:2] == (0, "")
    code, out, _ = run_validate(tmp_path, capsys, "--format", "json")
    assert (code, json.loads(out)["diagnostics"]) == (0, [])
