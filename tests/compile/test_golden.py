"""Golden files: the compiled output of small specs, reviewed in the diff.

Regenerate with `scripts/regen-golden` (python -m govkit.compile.golden) after a deliberate
change, and read the diff of tests/golden/*/expected before committing it.
"""

from __future__ import annotations

import pytest

from govkit.compile.golden import cases, golden_files
from govkit.compile.writer import stale_files
from tests.compile.support import GOLDEN, MODULES


@pytest.mark.parametrize("case", cases(GOLDEN), ids=lambda p: p.name)
def test_golden_output_is_current(case):
    stale = stale_files(case / "expected", golden_files(case, MODULES))
    assert stale == [], "run scripts/regen-golden and review the diff"


def test_there_is_a_golden_case():
    assert [c.name for c in cases(GOLDEN)] == ["small"]
