"""Every fuzz target with a small, derandomized budget, and every input that once found a bug."""

from __future__ import annotations

import http.client
import json
from pathlib import Path
from typing import Any

import pytest

from govkit import state
from govkit.fuzz.__main__ import main
from govkit.fuzz.engine import run_hypothesis
from govkit.fuzz.targets import available, make, request_of
from govkit.lineage import document as lineage

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


# What each input that once found a bug gets now, written by hand: a document reader's coded
# error (its message's start), or the local server's 4xx answer with an error_code.
FIXED: dict[str, str | tuple[int, str]] = {
    "lineage/errors-is-a-number.bin": "invalid lineage document at errors: ",
    "lineage/source-is-a-list.bin": "invalid lineage document at source: ",
    "server/clusters-page-token-offset-infinite.bin": (400, "INVALID_PARAMETER_VALUE"),
    "server/jobs-get-job-id-superscript-two.bin": (400, "INVALID_PARAMETER_VALUE"),
    "state/not-utf8.bin": "not UTF-8 text: ",
    "state/source-is-a-list.bin": "invalid State document at source: ",
    "state/source-is-an-object.bin": "invalid State document at source: ",
}
READERS = {
    "state": (state.loads, state.StateFormatError),
    "lineage": (lineage.loads, lineage.LineageFormatError),
}


def test_every_saved_input_has_its_expected_outcome() -> None:
    saved = {p.relative_to(FOUND).as_posix() for p in FOUND.glob("*/*.bin")}
    assert saved == set(FIXED), "add the outcome of each input in tests/fuzz to FIXED"


@pytest.mark.parametrize("name", sorted(k for k, v in FIXED.items() if isinstance(v, str)))
def test_documents_that_found_bugs_are_refused_with_a_coded_error(name: str) -> None:
    expected = FIXED[name]
    assert isinstance(expected, str)
    loads, error = READERS[name.split("/")[0]]
    with pytest.raises(error) as caught:
        loads((FOUND / name).read_bytes())
    assert str(caught.value).startswith(expected) and "\n" not in str(caught.value)


@pytest.mark.parametrize("name", sorted(k for k, v in FIXED.items() if not isinstance(v, str)))
def test_requests_that_found_bugs_get_a_4xx_with_an_error_code(name: str, ucserver: Any) -> None:
    expected = FIXED[name]
    method, target, body = request_of((FOUND / name).read_bytes())
    connection = http.client.HTTPConnection("127.0.0.1", ucserver.port, timeout=10)
    try:
        headers = {"Authorization": f"Bearer {ucserver.token}"}
        connection.request(method, target, body=body, headers=headers)
        answer = connection.getresponse()
        status, payload = answer.status, json.loads(answer.read())
    finally:
        connection.close()
    assert (status, payload["error_code"]) == expected
    assert payload["message"]


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
