"""The mass-revoke guard's limit, over footprints written by hand: exactly at the limit passes,
one grant over it is refused. (At `govkit compile`: tests/reliability/test_guard.py.)"""

from __future__ import annotations

import pytest

from govkit.guard import Footprint, check_footprints


def _grants(n: int) -> frozenset[tuple[str, str, str, str]]:
    return frozenset(("catalog", f"c{i:02}", "readers", "SELECT") for i in range(n))


def _revoking(revoked: int, of: int, percent: float | None = None) -> list[str]:
    before, after = Footprint(_grants(of)), Footprint(_grants(of - revoked))
    kept = {"prod": before}, {"prod": after}, lambda env: env == "prod"
    found = check_footprints(*kept) if percent is None else check_footprints(*kept, percent)
    return [f.message for f in found]


@pytest.mark.parametrize(("percent", "of"), [(20.0, 10), (20.0, 5), (50.0, 4), (5.0, 20)])
def test_a_revoke_exactly_at_the_limit_passes_and_one_more_grant_is_refused(
    percent: float, of: int
) -> None:
    at_limit = int(of * percent / 100)
    assert _revoking(at_limit, of, percent) == []
    over = _revoking(at_limit + 1, of, percent)
    assert len(over) == 1
    assert over[0].startswith(f"{at_limit + 1} of {of} grants (")
    assert f"over the {percent:g}% limit (mass_revoke_percent)" in over[0]


def test_the_default_limit_is_20_percent() -> None:
    assert _revoking(20, 100) == []
    assert _revoking(21, 100) == [
        "21 of 100 grants (21.0%) would be revoked, over the 20% limit (mass_revoke_percent): "
        + "; ".join(f"catalog c{i:02}: readers SELECT" for i in range(79, 99))
        + "; and 1 more"
    ]


def test_a_refusal_lists_twenty_revoked_grants_then_counts_the_rest() -> None:
    shown = "; ".join(f"catalog c{i:02}: readers SELECT" for i in range(20))
    [exactly] = _revoking(20, 20, percent=50.0)
    assert exactly.endswith(f"(mass_revoke_percent): {shown}")  # all twenty, no "and 0 more"
    [more] = _revoking(22, 22, percent=50.0)
    assert more.endswith(f"(mass_revoke_percent): {shown}; and 2 more")
