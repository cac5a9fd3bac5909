"""The mutants `python -m govkit.bench mutate` makes: one change each, where behaviour lives."""

from __future__ import annotations

import textwrap
from pathlib import Path

from govkit.bench.mutate import mutants, mutated_source

SOURCE = textwrap.dedent('''
    from __future__ import annotations

    from dataclasses import dataclass
    from typing import TYPE_CHECKING

    if TYPE_CHECKING:
        LIMIT = 99


    @dataclass(frozen=True)
    class Limit:
        percent: float = 20.0


    def over(revoked: int, total: int, limit: Limit) -> bool:
        """True when more than the limit goes."""
        share = 100.0 * revoked / total
        return not (share <= limit.percent) and total > 0 or f"{total:3}" == "x"
''').lstrip()


def _mutants(tmp_path: Path) -> list[str]:
    (tmp_path / "m.py").write_text(SOURCE, encoding="utf-8")
    return [m.text() for m in mutants(tmp_path, "m.py")]


def test_every_operator_and_constant_of_behaviour_is_a_mutant(tmp_path: Path) -> None:
    assert _mutants(tmp_path) == [
        "m.py:12:22: `20.0` -> `21.0`",
        "m.py:17:13: `/` -> `*`",
        "m.py:17:13: `*` -> `/`",
        "m.py:17:13: `100.0` -> `101.0`",
        "m.py:18:12: `or` -> `and`",
        "m.py:18:12: `and` -> `or`",
        "m.py:18:12: `not` left out",
        "m.py:18:17: `<=` -> `<`",
        "m.py:18:45: `>` -> `>=`",
        "m.py:18:53: `0` -> `1`",
        "m.py:18:58: `==` -> `!=`",
    ]  # not the annotation, the decorator, the f-string or the TYPE_CHECKING block


def test_a_mutant_changes_its_one_point(tmp_path: Path) -> None:
    index = _mutants(tmp_path).index("m.py:18:17: `<=` -> `<`")
    changed = mutated_source(SOURCE, index)
    assert "not share < limit.percent" in changed
    assert changed.count("<") == 1 and "20.0" in changed and "total > 0" in changed
    namespace: dict[str, object] = {}
    exec(compile(changed, "m.py", "exec"), namespace)  # the mutant is Python that runs
    over = namespace["over"]
    assert callable(over)
    assert over(2, 10, namespace["Limit"]()) is True  # exactly at the limit: refused now


def test_a_sample_is_the_same_draw_for_the_same_seed() -> None:
    from govkit.bench.mutate_run import Choice, folder_mutants

    every = folder_mutants("access")
    drawn = folder_mutants("access", Choice(sample=10, seed=3))
    assert len(drawn) == 10 and set(drawn) <= set(every)
    assert drawn == folder_mutants("access", Choice(sample=10, seed=3))  # made again
    assert drawn != folder_mutants("access", Choice(sample=10, seed=4))
    assert drawn == sorted(drawn, key=every.index)  # in the folder's order, not the draw's
    assert folder_mutants("access", Choice(sample=len(every) + 1)) == every
