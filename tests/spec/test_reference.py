"""docs/spec.md and the published JSON Schema describe every key of the spec alike."""

from __future__ import annotations

import json
from typing import Any

import pytest

from govkit.cli.main import main
from govkit.spec.docs import SECTIONS
from tests.conftest import ROOT

DOCS = ROOT / "docs"


def test_the_reference_page_is_fresh(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "spec", "--markdown"]) == 0
    assert (DOCS / "spec.md").read_text(encoding="utf-8") == capsys.readouterr().out, (
        "docs/spec.md is stale: run `govkit schema spec --markdown > docs/spec.md`"
    )


def _properties(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every object's properties in the published schema, by object title."""
    defs = {name: d for name, d in schema.items() if isinstance(d, dict) and "properties" in d}
    defs.update(schema.get("$defs", {}))
    return {d.get("title", name): d.get("properties", {}) for name, d in defs.items()}


def test_every_key_is_described_alike_in_the_page_and_the_schema() -> None:
    schema = json.loads((DOCS / "schemas" / "spec.json").read_text(encoding="utf-8"))
    page = (DOCS / "spec.md").read_text(encoding="utf-8")
    published = _properties(schema)
    for _, model in SECTIONS:
        properties = published[model.__name__]
        assert set(properties) == set(model.model_fields), model.__name__
        for key, field in model.model_fields.items():
            description = field.description
            assert description, f"{model.__name__}.{key} has no description"
            assert properties[key]["description"] == description
            assert f"| `{key}` |" in page and description.replace("|", "\\|") in page
            nested = "see Waiver" in description or "see Grant" in description
            assert field.examples or "(see " in description or nested, f"{key}: no example"


def test_access_lists_its_levels_for_an_editor() -> None:
    schema = json.loads((DOCS / "schemas" / "spec.json").read_text(encoding="utf-8"))
    access = _properties(schema)["Grant"]["access"]
    assert access["examples"] == ["read", "write", "manage"]
    assert "read, write or manage" in access["description"]


def test_every_type_on_the_reference_page_is_in_words(capsys: pytest.CaptureFixture[str]) -> None:
    # `mass_revoke_percent` once showed as `<class 'float'>`.
    assert main(["schema", "spec", "--markdown"]) == 0
    page = capsys.readouterr().out
    assert "<class" not in page and "typing." not in page
    assert "| `mass_revoke_percent` | number | `20.0` |" in page
