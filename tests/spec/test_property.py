"""Mutated specs give success or coded diagnostics, never an exception."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govkit.pipeline import validate
from tests.spec.test_bad_input import BASE, write_spec
from tests.spec.test_show import FINANCE, PRINCIPALS

TODAY = dt.date(2026, 11, 26)
CODE = re.compile(r"^GOV\d{3}$")

SPEC_FILES = {
    "govkit.yaml": BASE["govkit.yaml"],
    "principals.yaml": PRINCIPALS,
    "finance.yaml": FINANCE,
}

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 10_000),
    st.text(max_size=12),
    st.sampled_from(["read", "SELECT", "use catalog", "2027-02-30", "prod", "${x}", "ALL"]),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.extend(_paths(v, (*prefix, i)))
    return out


def _mutate(doc: Any, path: tuple[Any, ...], action: str, value: Any) -> Any:
    if not path:
        return value if action == "replace" else doc
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if action == "delete":
        del parent[last]
    elif action == "replace":
        parent[last] = value
    elif isinstance(parent, dict):
        parent[f"{last}_x"] = value
    return doc


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, str]:
    files = dict(SPEC_FILES)
    name = draw(st.sampled_from(sorted(files)))
    if draw(st.booleans()):
        doc = yaml.safe_load(files[name])
        path = draw(st.sampled_from(_paths(doc)))
        action = draw(st.sampled_from(["delete", "replace", "insert"]))
        doc = _mutate(doc, path, action, draw(values))
        files[name] = yaml.safe_dump(doc, sort_keys=False)
    else:  # damage the text itself
        text = files[name]
        at = draw(st.integers(0, len(text)))
        cut = draw(st.integers(0, 8))
        files[name] = text[:at] + draw(st.text(max_size=6)) + text[at + cut :]
    return files


# Derandomized in CI (CI=true): the same 150 examples every run, so a red build is never luck;
# locally hypothesis explores new examples each time.
@settings(
    max_examples=150,
    deadline=None,
    derandomize=os.environ.get("CI") == "true",
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(files=mutated())
def test_mutations_never_crash(files: dict[str, str], tmp_path_factory: Any) -> None:
    root: Path = tmp_path_factory.mktemp("spec")
    write_spec(root, dict(files))
    result = validate(str(root), TODAY)
    for d in result.diagnostics:
        assert CODE.match(d.code), d
        assert d.message and d.rule
        assert d.file.startswith(str(root))
        if d.file != str(root):
            assert d.line >= 1 and d.col >= 1, d.text()
    if not result.ok:
        assert any(d.severity.value == "error" for d in result.diagnostics)
    else:
        assert result.spec is not None and result.environments
