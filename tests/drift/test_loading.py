"""Loading a State file: the fast path for plain documents gives what the validator gives."""

from __future__ import annotations

import json

import pytest

from govkit.state import StateFormatError, dumps, loads
from tests.drift.states import catalog, desired_estate, schema, state


def _doc(**securable: object) -> str:
    return json.dumps({"format": "govkit.state/v1", "source": "file", "securables": [securable]})


def test_a_written_state_loads_back_equal_and_in_canonical_order() -> None:
    original = state([*desired_estate(), catalog("a_prod"), schema("a_prod.x")])
    assert loads(dumps(original)) == original
    shuffled = json.loads(dumps(original))
    shuffled["securables"].reverse()
    shuffled["securables"][0]["grants"] = {"z": ["SELECT", "SELECT"], "a": ["USE_CATALOG"]}
    loaded = loads(json.dumps(shuffled))
    assert [s.name for s in loaded.securables] == [s.name for s in original.securables]
    last = loaded.securables[-1]
    assert list(last.grants) == ["a", "z"] and last.grants["z"] == ("SELECT",)


def test_coercible_values_still_load_through_the_validator() -> None:
    loaded = loads(_doc(type="catalog", name="c", workspace_ids=["3002", 3001], grants={}))
    assert loaded.securables[0].workspace_ids == (3001, 3002)


@pytest.mark.parametrize(
    ("securable", "where"),
    [
        ({"type": "tabel", "name": "x"}, "securables.0.type"),
        ({"type": "table", "name": 7}, "securables.0.name"),
        ({"type": "table", "name": "x", "grants": {"g": "SELECT"}}, "securables.0.grants.g"),
        ({"type": "table", "name": "x", "colour": "red"}, "securables.0.colour"),
        ({"type": "catalog", "name": "x", "isolation_mode": "SHARED"}, "securables.0"),
    ],
)
def test_bad_securables_get_the_validators_message(
    securable: dict[str, object], where: str
) -> None:
    with pytest.raises(StateFormatError, match=f"invalid State document at {where}"):
        loads(_doc(**securable))


def test_bad_top_level_values_are_refused() -> None:
    doc = json.loads(_doc(type="table", name="x"))
    doc["complete"] = "maybe"
    with pytest.raises(StateFormatError, match="at complete"):
        loads(json.dumps(doc))
    doc["complete"] = True
    doc["source"] = "guess"
    with pytest.raises(StateFormatError, match="at source"):
        loads(json.dumps(doc))


def test_neighbours_sharing_grants_are_checked_and_sorted_each() -> None:
    same = {"g": ["SELECT", "SELECT"], "a": ["USE_SCHEMA"]}
    rows = [{"type": "table", "name": n, "grants": same} for n in ("s.a", "s.c", "s.b")]
    doc = {"format": "govkit.state/v1", "source": "file", "securables": rows}
    loaded = loads(json.dumps(doc))
    assert [s.name for s in loaded.securables] == ["s.a", "s.b", "s.c"]
    assert all(s.grants == {"a": ("USE_SCHEMA",), "g": ("SELECT",)} for s in loaded.securables)
    rows[1] = {**rows[1], "grants": {"g": ["SELECT", 1], "a": ["USE_SCHEMA"]}}
    with pytest.raises(StateFormatError, match=r"at securables\.1\.grants\.g\.1"):
        loads(json.dumps(doc))
