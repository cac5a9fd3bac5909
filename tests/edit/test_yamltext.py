"""New spec files are written so that every name and text loads back identical."""

from __future__ import annotations

import datetime as dt
import os

from hypothesis import given, settings
from hypothesis import strategies as st

from govkit.edit.yamltext import render
from govkit.spec.construct import load_document
from govkit.spec.loader import SpecLoader

TRICKY = [
    "yes", "No", "off", "null", "~", "", " ", "1e3", "0x1F", "1_000", "12:30", ".inf",
    "2027-03-31", "- x", "? y", "a: b", "a #b", "#c", "[x]", "{y}", "*alias", "&anchor",
    "!tag", "%dir", "@at", "`tick`", "'single'", '"double"', "back\\slash", "tab\there",
    "new\nline", "cr\rlf", "unicode: Zürich → 東京 🚀", "\u2028ls", "\x85nel", "\ufeffbom",
    "\x00nul", "\x7fdel", "${var}", "%{ if x }", "trailing ", " leading", "k" * 1100,
]  # fmt: skip


def _load(text: str) -> object:
    return load_document(text, SpecLoader)


def test_tricky_names_and_values_load_back_identical() -> None:
    document = {name: {"comment": name, "grants": [{"principal": name}]} for name in TRICKY}
    assert _load(render(document)) == document


def test_comments_say_where_and_never_break_the_file() -> None:
    document = {"domain": "d", "schemas": {"s": {}}}
    comments = {(): ["from the snapshot\nof prod"], ("schemas", "s"): ["owner left\x00"]}
    text = render(document, comments)
    assert text.startswith("# from the snapshot\\nof prod\n")
    assert "  # owner left\\0\n  s: {}\n" in text
    assert _load(text) == document


def test_dates_numbers_and_booleans_keep_their_types() -> None:
    document = {
        "version": 1,
        "environments": {"prod": {"workspaces": [3001, 3002], "protected": True}},
        "waivers": [{"rule": "GOV205", "reason": "imported: x", "expires": dt.date(2027, 3, 31)}],
    }
    loaded = _load(render(document))
    assert loaded == {**document, "waivers": [{**document["waivers"][0], "expires": "2027-03-31"}]}


@settings(max_examples=300, derandomize=os.environ.get("CI") == "true", deadline=None)
@given(key=st.text(), value=st.text())
def test_any_text_as_key_and_value_loads_back_identical(key: str, value: str) -> None:
    document = {
        "grants": [{"principal": key, "reason": value}],
        "schemas": {key: {"comment": value}},
    }
    assert _load(render(document)) == document
