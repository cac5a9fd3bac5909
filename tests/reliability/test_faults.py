"""Rows of the fault matrix (tests/reliability/matrix.py): the fault-free result, or exit 1
naming what could not be read, with the requests bounded. The whole table is
`python -m tests.reliability.matrix`; CI runs the rows that differ most."""

from __future__ import annotations

import functools

import pytest

from tests.reliability.matrix import Row, audit_row, graph_row, outcome, uc_row

INCOMPLETE = "exit 1: workspace: live read is incomplete"
UC_ROWS = [
    ("a page fails mid-listing", "drift workspace", INCOMPLETE),
    ("statement FAILED", "snapshot warehouse", "exit 1: web_prod: could not read table grants"),
]


@pytest.mark.parametrize(("fault", "command", "expected"), UC_ROWS)
def test_unity_catalog_faults(fault: str, command: str, expected: str) -> None:
    said = outcome(uc_row(fault, command), uc_row("none", command))
    assert said.startswith(expected), said


def test_a_503_storm_is_bounded_and_fails_closed() -> None:
    row = uc_row("every request 503", "snapshot workspace")
    assert outcome(row, uc_row("none", "snapshot workspace")).startswith("exit 1: metastore")
    assert row.requests <= 6  # three attempts at the catalog list, then the breaker


def test_a_429_storm_slows_the_read_down_and_it_completes() -> None:
    # Half of all requests answer 429 with Retry-After: 1. Honoured 429s neither use up the
    # three attempts nor count against the breaker; the bucket halves its rate on them.
    baseline = uc_row("none", "snapshot warehouse")
    row = uc_row("429 storm, Retry-After 1", "snapshot warehouse")
    assert outcome(row, baseline) == "equal", row.message
    assert row.requests <= 3 * baseline.requests  # about one 429 per request answered


def test_a_workspace_rate_limit_is_met_by_slowing_down() -> None:
    row = uc_row("rate limit 5/s, Retry-After 1", "snapshot workspace")
    assert outcome(row, uc_row("none", "snapshot workspace")) == "equal", row.message


def test_a_workspace_that_only_throttles_gives_up_at_the_deadline() -> None:
    row = uc_row("every request 429, deadline 5 s", "snapshot workspace")
    assert row.code == 1 and "the next try would pass the 5s deadline" in row.message
    assert row.requests <= 10  # the catalog list about once a second, then the read stops


def test_graph_faults() -> None:
    baseline = graph_row("none")
    throttled = graph_row("429 x2, no Retry-After")
    assert outcome(throttled, baseline) == "equal"
    assert throttled.requests <= 4 * baseline.requests
    part = graph_row("$batch: one part fails")
    assert outcome(part, baseline).startswith("exit 1: members of group web-owners")


@functools.cache
def _audit_baseline() -> Row:
    return audit_row("none", "audit warehouse")


AUDIT_GAP = "exit 1: incomplete input, nothing written ("
LINEAGE = "lineage: system.access.table_lineage: "


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        # Which reads exhaust their retries depends on timing (concurrency, load): the live read
        # or a system table; either way the report equals the fault-free one or names the gap.
        ("503 at 30%", ("equal", AUDIT_GAP)),
        ("lineage statement CANCELED", AUDIT_GAP + LINEAGE + "statement <id> ended CANCELED"),
        (
            "an external link 404s",
            AUDIT_GAP + "live: cred-prod: could not read storage credential grants: chunk download",
        ),
    ],
)
def test_audit_equals_the_fault_free_report_or_names_the_gap(
    fault: str, expected: str | tuple[str, ...]
) -> None:
    row = audit_row(fault, "audit warehouse")
    assert outcome(row, _audit_baseline()).startswith(expected)
    assert row.code != 1 or not row.result  # exit 1 writes no report


def test_a_server_slower_than_the_timeout_fails_closed_naming_the_timeout() -> None:
    row = uc_row("answers 3 s late, timeout 1 s", "snapshot workspace")
    assert row.code == 1
    assert "timed out" in row.message and "(after 3 attempts)" in row.message
    assert row.requests <= 4  # the catalog list three times, and the config probe


def test_consecutive_failures_open_the_breaker_and_bound_the_requests() -> None:
    row = uc_row("every grant read 503, breaker", "snapshot warehouse")
    assert row.code == 1 and "could not read" in row.message
    # Twelve grant and owner queries at three tries each would be 36 statements and more; the
    # breaker gives up after its trips, so the whole read (listings included) stays below 30.
    assert row.requests < 30
