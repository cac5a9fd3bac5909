"""The rule base itself: codes, names, documentation, cases and the generated rules page."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from govkit.policy import docs
from govkit.policy.engine import RULES

from .helpers import load_cases

ROOT = Path(__file__).resolve().parents[2]
FAMILY = {"0": "waivers", "1": "ownership", "2": "grants", "3": "environments", "4": "identities"}


def test_codes_are_unique_well_formed_and_in_their_family() -> None:
    codes = [r.code for r in RULES]
    names = [r.name for r in RULES]
    assert len(set(codes)) == len(codes)
    assert len(set(names)) == len(names)
    for rule in RULES:
        assert re.fullmatch(r"GOV[0-4]\d\d", rule.code), rule.code
        assert rule.name.split(".")[0] == FAMILY[rule.code[3]], (rule.code, rule.name)
        assert re.fullmatch(r"[a-z]+\.[a-z][a-z-]+", rule.name), rule.name
    assert all(not c.startswith("GOV0") or c >= "GOV090" for c in codes), "GOV001-089 are spec's"


def test_every_rule_is_documented_with_a_bad_and_a_good_example() -> None:
    for rule in RULES:
        doc = rule.documentation()
        assert rule.summary().endswith("."), rule.code
        assert "Bad" in doc and "Good" in doc and "```yaml" in doc, rule.code


def test_every_rule_has_a_passing_and_a_failing_case() -> None:
    outcomes: dict[str, set[bool]] = defaultdict(set)
    for case in load_cases():
        outcomes[case.rule].add(any(e[0] == case.rule for e in case.expect))
    missing = {r.code for r in RULES if outcomes[r.code] != {True, False}}
    assert not missing, f"rules without both a passing and a failing case: {sorted(missing)}"


def test_rules_page_is_up_to_date() -> None:
    page = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert page == docs.render_markdown(), (
        "docs/rules.md is stale: run `python -m govkit.policy.docs > docs/rules.md`"
    )
