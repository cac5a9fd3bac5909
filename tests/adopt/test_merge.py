"""A merge narrows an entry the new environment does not hold, and leaves the rest of it alone."""

from __future__ import annotations

from pathlib import Path

from tests.adopt.test_cli import _file, _import, dev_state, prod_state


def test_an_entry_prod_lacks_is_narrowed_to_dev_and_keeps_its_waivers(tmp_path: Path) -> None:
    out = tmp_path / "spec"
    assert _import(_file(tmp_path, dev_state()), out, "dev") == 0
    sales = out / "domains" / "sales.yaml"
    before = next(line for line in sales.read_text().splitlines() if "ada@example.com" in line)
    assert "environments" not in before and before.endswith("}]}")
    assert _import(_file(tmp_path, prod_state()), out, "prod", "--merge") == 0
    lines = sales.read_text().splitlines()
    # prod holds no grant to ada: the entry applies in dev only, written after its waivers.
    assert before[:-1] + ", environments: [dev]}" in lines
    assert "  - {principal: analysts, access: read, environments: [dev]}" in lines
