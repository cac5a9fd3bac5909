"""Every rule case under tests/policy/cases/ through the real validate pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import Case, load_cases, run_case

CASES = load_cases()


@pytest.mark.parametrize("case", CASES, ids=[f"{c.rule}-{c.name}" for c in CASES])
def test_case(case: Case, tmp_path: Path) -> None:
    found, texts = run_case(case, tmp_path)
    assert sorted(found) == sorted(case.expect), "\n".join(texts)
    for fragment in case.messages:
        assert any(fragment in t for t in texts), f"{fragment!r} not in:\n" + "\n".join(texts)
