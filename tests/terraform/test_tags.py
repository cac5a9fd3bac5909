"""Tag policies and tag assignments, compiled and `terraform validate`d with the real provider."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.compile.test_tags import _tagged_spec
from tests.terraform.estate import compile_estate

pytestmark = pytest.mark.terraform


def test_compiled_tag_stacks_validate_with_the_provider(tmp_path: Path) -> None:
    estate = compile_estate(_tagged_spec(tmp_path), tmp_path / "work")
    estate.init()
    ids = {s.id for s in estate.stacks}
    assert {"_account/_tags", "dev/sales", "prod/sales"} <= ids
    results = estate.each(lambda stack: estate.terraform(stack).validate())
    assert {k: r["diagnostics"] for k, r in results.items() if not r["valid"]} == {}
    assert len(results) == len(estate.stacks)
