"""Hypothesis strategies for live States as a messy estate has them."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from govkit.privileges import PRIVILEGES, SecurableType
from govkit.state import ReadError, Securable, State, make_securable, make_state

T = SecurableType
SP = "6a1e0c3d-5b7f-4e2a-9c1d-0f3b2a4c6e8d"
PRINCIPALS = [
    "analysts", "Finance Team", "yes", 'q"uote', "grüppe 東京", "account users",
    "alice@example.com", "left@example.com", SP, "0b9c2f6e-7a1d-4e3b-8c5f-2d4a6b8c0e1f",
]  # fmt: skip
# Spellings a live metastore has: today's, case and space variants, legacy, unknown.
ODD = ["use catalog", "Select", "ALL PRIVILEGES", "USAGE", "READ_METADATA", "FROBNICATE"]
NAMES = st.sampled_from(["raw", "gold", "yes", "null", "123", "a-b", "ü", "x'y", "on", "s p"])


def _privileges(on: SecurableType) -> st.SearchStrategy[list[str]]:
    valid = sorted(PRIVILEGES[on])
    return st.lists(st.sampled_from(valid + ODD), min_size=1, max_size=4, unique=True)


def _grants(on: SecurableType) -> st.SearchStrategy[dict[str, list[str]]]:
    return st.dictionaries(st.sampled_from(PRINCIPALS), _privileges(on), max_size=3)


@st.composite
def _catalog(draw: Any, name: str, bound: bool) -> list[Securable]:
    owner = draw(st.sampled_from(PRINCIPALS))
    isolated = bound or draw(st.booleans())
    out = [
        make_securable(
            T.CATALOG,
            name,
            owner,
            draw(_grants(T.CATALOG)),
            "ISOLATED" if isolated else "OPEN",
            [1001, 1002] if isolated and draw(st.integers(0, 4)) else [1001],
        )
    ]
    for schema in draw(
        st.lists(NAMES.filter(lambda n: " " not in n), max_size=3, unique_by=str.lower)
    ):
        full = f"{name}.{schema}"
        s_owner = draw(st.sampled_from([owner, owner, *PRINCIPALS]))
        out.append(make_securable(T.SCHEMA, full, s_owner, draw(_grants(T.SCHEMA))))
        for table in draw(
            st.lists(NAMES.filter(lambda n: " " not in n), max_size=3, unique_by=str.lower)
        ):
            t_owner = draw(st.sampled_from([s_owner, s_owner, *PRINCIPALS]))
            out.append(make_securable(T.TABLE, f"{full}.{table}", t_owner, draw(_grants(T.TABLE))))
    if draw(st.integers(0, 5)) == 0:
        out.append(make_securable(T.VOLUME, f"{name}.vols.v", owner, {"analysts": ["READ_VOLUME"]}))
    return out


@st.composite
def live_states(draw: Any, env: str = "prod") -> State:
    """A State of one environment: 1-3 catalogs, some outside the naming template. Names are
    lower case, as Unity Catalog stores them (a spec refuses capitals, GOV016)."""
    names = draw(
        st.lists(
            st.sampled_from([f"finance_{env}", f"risk_{env}", "legacy", f"sales_{env}", "hive"]),
            min_size=1,
            max_size=3,
            unique_by=str.lower,
        )
    )
    securables = [s for i, n in enumerate(names) for s in draw(_catalog(n, i == 0))]
    if draw(st.integers(0, 6)) == 0:  # everything owned by one service principal: protected
        securables = [
            make_securable(s.type, s.name, SP, s.grants, s.isolation_mode, s.workspace_ids)
            for s in securables
        ]
    errors = []
    if draw(st.integers(0, 6)) == 0:
        errors.append(ReadError(f"{names[0]}.lost", "could not read grants: 503"))
    return make_state("workspace", securables, environment=env, errors=errors)
