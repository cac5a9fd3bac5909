"""State -> import -> spec -> resolve -> State equals the input, except what was reported."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings

from govkit.adopt import NO_DIRECTORY, Options, adopt
from govkit.pipeline import validate
from govkit.state import State
from tests.adopt.states import live_states
from tests.adopt.support import TODAY, differences, roundtrip, subjects


def _options(state: State) -> Options:
    return Options("prod", TODAY, "a test State", incomplete=not state.complete)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=os.environ.get("CI") == "true",
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(state=live_states())
def test_import_resolves_back_to_the_live_state(state: State, tmp_path_factory: Any) -> None:
    adoption = adopt(state, NO_DIRECTORY, _options(state))
    assert adoption.ok, [d.text() for d in adoption.diagnostics]
    root: Path = tmp_path_factory.mktemp("spec")
    resolved, _ = roundtrip(root, adoption, "prod")
    unexplained = set(differences(state, resolved)) - subjects(adoption.diagnostics)
    assert not unexplained, differences(state, resolved)
    # The imported spec validates as it is: its policy debt is waived, and says so.
    checked = validate(str(root), TODAY)
    assert checked.ok, [d.text() for d in checked.diagnostics]


@settings(max_examples=20, deadline=None, derandomize=os.environ.get("CI") == "true")
@given(state=live_states())
def test_the_same_state_gives_byte_identical_files(state: State) -> None:
    first = adopt(state, NO_DIRECTORY, _options(state))
    assert adopt(state, NO_DIRECTORY, _options(state)).files == first.files
