"""Every fuzz target with a small, derandomized budget, and every input that once found a bug."""

from __future__ import annotations

from pathlib import Path

import pytest

from govkit.fuzz.__main__ import main
from govkit.fuzz.engine import run_hypothesis
from govkit.fuzz.targets import available, make

FOUND = Path(__file__).resolve().parents[1] / "fuzz"
# Small enough for CI (seconds); `python -m govkit.fuzz TARGET --runs N` runs the large budget.
BUDGET = {"spec": 10}


@pytest.mark.parametrize("name", available())
def test_target_survives_a_derandomized_budget(name: str) -> None:
    target = make(name)
    try:
        outcome = run_hypothesis(target, BUDGET.get(name, 40), seed=None)
    finally:
        target.close()
    assert outcome.failure is None, f"{outcome.message}\ninput: {outcome.failure!r}"
    assert outcome.executions >= BUDGET.get(name, 40) // 2


@pytest.mark.parametrize(
    "case", sorted(FOUND.glob("*/*.bin")), ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_inputs_that_found_bugs_now_give_coded_errors(case: Path) -> None:
    target = make(case.parent.name)
    try:
        target.run(case.read_bytes())
    finally:
        target.close()


def test_a_bug_is_reported_with_its_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The shipped command exits 1 and saves the input when a reader lets an error escape."""
    from govkit.fuzz import targets

    def broken(data: bytes) -> None:
        if b"{" in data:
            raise KeyError("boom")

    real = targets.MAKERS["state"]
    fake = targets.Target("state", (targets.seeds.STATE,), broken, "json")
    targets.MAKERS["state"] = lambda: fake
    try:
        code = main(["state", "--engine", "hypothesis", "--runs", "50", "--save", str(tmp_path)])
    finally:
        targets.MAKERS["state"] = real
    out = capsys.readouterr().out
    assert code == 1 and "BUG: KeyError" in out
    assert list((tmp_path / "state").glob("*.bin"))
