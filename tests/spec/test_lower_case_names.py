"""Names with capitals are refused at their line: Unity Catalog stores names in lower case."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from govkit.cli.main import main
from tests.conftest import CATALOGS, TODAY


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    """The bundled estate with a domain `Sales` and a table `Orders` (its finance file)."""
    out = tmp_path / "catalogs"
    shutil.copytree(CATALOGS, out)
    sales = out / "domains" / "finance.yaml"
    text = sales.read_text(encoding="utf-8")
    assert text.startswith("domain: finance\n") and "\n      balances: {}" in text
    sales.write_text(
        text.replace("domain: finance\n", "domain: Sales\n", 1).replace(
            "\n      balances: {}", "\n      Orders: {}", 1
        ),
        encoding="utf-8",
    )
    return out


@pytest.mark.parametrize(
    "command", [["validate"], ["drift", "--env", "prod", "--source", "x.json"]]
)
def test_capitals_in_a_domain_and_a_table_name_are_coded_errors_at_their_line(
    spec: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main([command[0], str(spec), *command[1:], "--as-of", TODAY.isoformat()])
    captured = capsys.readouterr()
    assert code == 1
    text = captured.out + captured.err
    lines = [line for line in text.splitlines() if "GOV016" in line]
    assert len(lines) == 2, captured.err
    assert lines[0].startswith(
        f"{spec / 'domains' / 'finance.yaml'}:1:9: GOV016 error: name 'Sales'"
    )
    assert "(hint: rename it 'orders')" in lines[1]
    assert "Traceback" not in text
