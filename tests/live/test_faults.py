"""Fail closed under faults: the fault-free snapshot, or `complete: false` naming what failed."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from govkit.live import read_live
from govkit.state import State
from govkit.testing import Faults
from govkit.testing.fixtures import ServerFactory
from govkit.testing.http import ServerConfig
from govkit.testing.sample import catalog_names
from tests.live.conftest import FAST, client_for

SOURCES = ("workspace", "warehouse")


def read(server: object, source: str, catalogs: list[str], settings: object = FAST) -> State:
    return read_live(
        source,  # type: ignore[arg-type]
        environment="prod",
        catalogs=catalogs,
        warehouse_id="wh1",
        client=client_for(server),
        settings=settings,  # type: ignore[arg-type]
    )


def _covered(name: str, errors: set[str]) -> bool:
    """An error names this securable or one of its ancestors."""
    parts = name.split(".")
    return any(".".join(parts[:i]) in errors for i in range(1, len(parts) + 1))


def assert_fails_closed(baseline: State, live: State) -> None:
    """What was read is right; what is missing is named; nothing is named without cause."""
    got, want = live.index(), baseline.index()
    errors = {e.securable for e in live.errors}
    assert all(got[k] == want[k] for k in got)  # nothing wrong, nothing invented
    missing = {k[1] for k in want if k not in got}
    assert all(_covered(name, errors) for name in missing)
    if live.complete:
        assert live.securables == baseline.securables and not errors
    else:
        assert errors <= {k[1] for k in want} | {"metastore"}


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_twenty_percent_faults(
    ucserver_factory: ServerFactory, desired: State, source: str, seed: int
) -> None:
    faults = Faults(seed=seed, rate=0.2, retry_after=0, slow_seconds=0.01)
    server = ucserver_factory([desired], faults=faults, config=ServerConfig(page_size=3))
    live = read(server, source, catalog_names(desired))
    assert any(r.fault for r in server.requests)  # faults did happen
    assert_fails_closed(desired, live)


@pytest.mark.parametrize(("kind", "tries"), [("503", 3), ("429", FAST.throttle_attempts)])
def test_a_securable_that_always_fails_is_tried_a_bounded_number_of_times_and_named(
    ucserver_factory: ServerFactory, desired: State, kind: str, tries: int
) -> None:
    target = "/permissions/table/domain0_prod.schema0.table0"
    # Forever: without the hand-back, databricks-sdk alone would retry for 300 s. A 429 is
    # pacing and may be tried more often than a 503, but not without end either.
    faults = Faults(rate=1.0, kinds=(kind,), retry_after=0, paths=(target,))  # type: ignore[arg-type]
    server = ucserver_factory([desired], faults=faults)
    live = read(server, "workspace", catalog_names(desired))
    assert sum(1 for r in server.requests if target in r.target) == tries
    assert [e.securable for e in live.errors] == ["domain0_prod.schema0.table0"]
    code = "REQUEST_LIMIT_EXCEEDED" if kind == "429" else "TEMPORARILY_UNAVAILABLE"
    assert code in live.errors[0].message and not live.complete
    assert_fails_closed(desired, live)


def test_a_plain_sdk_client_is_bounded_too(ucserver_factory: ServerFactory, desired: State) -> None:
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.core import Config

    target = "/permissions/catalog/domain1_prod"
    faults = Faults(rate=1.0, kinds=("503",), retry_after=0, paths=(target,))
    server = ucserver_factory([desired], faults=faults)
    plain = WorkspaceClient(config=Config(host=server.url, token=server.token, auth_type="pat"))
    live = read_live(
        "workspace", environment="prod", catalogs=["domain1_prod"], client=plain, settings=FAST
    )
    assert sum(1 for r in server.requests if target in r.target) == 3
    assert [e.securable for e in live.errors] == ["domain1_prod"]


def test_a_429_storm_stays_bounded(ucserver_factory: ServerFactory, desired: State) -> None:
    faults = Faults(rate=1.0, kinds=("429",), retry_after=0, paths=("/permissions/",))
    server = ucserver_factory([desired], faults=faults)
    live = read(server, "workspace", catalog_names(desired))
    permission_calls = sum(1 for r in server.requests if "/permissions/" in r.target)
    securables = len(desired.securables)
    # Once the 429s far outnumber the answers they count against the breaker: without it,
    # 20 throttled tries for each of the 48 securables would be 960 requests.
    assert permission_calls <= 100 < securables * FAST.throttle_attempts
    # Once the breaker gives up, listings fail fast too: their parents are named instead.
    assert live.securables == () and not live.complete
    assert any("circuit breaker" in e.message for e in live.errors)
    assert_fails_closed(desired, live)


def test_a_page_that_fails_mid_listing(ucserver_factory: ServerFactory, desired: State) -> None:
    faults = Faults(fail_pages=(("schema_name=schema1", 2),))
    server = ucserver_factory([desired], faults=faults, config=ServerConfig(page_size=2))
    live = read(server, "workspace", catalog_names(desired))
    named = {e.securable for e in live.errors}
    assert named == {f"domain{i}_prod.schema1" for i in range(3)}
    # Page 1 was read, page 2 was not: none of those tables is reported, not even page 1's.
    assert not [s for s in live.securables if ".schema1.table" in s.name]
    assert_fails_closed(desired, live)


def test_a_statement_that_ends_failed(ucserver_factory: ServerFactory, desired: State) -> None:
    faults = Faults(fail_statements=("table_privileges",))
    server = ucserver_factory([desired], faults=faults)
    live = read(server, "warehouse", catalog_names(desired))
    assert not live.complete
    assert {e.securable for e in live.errors} == set(catalog_names(desired))
    assert all("table grants" in e.message and "FAILED" in e.message for e in live.errors)
    assert not [s for s in live.securables if s.type.value == "table"]
    assert_fails_closed(desired, live)


def test_a_truncated_result_is_not_used(ucserver_factory: ServerFactory, desired: State) -> None:
    server = ucserver_factory([desired], config=ServerConfig(max_rows=10))
    live = read(server, "warehouse", catalog_names(desired))
    assert not live.complete and any("truncated" in e.message for e in live.errors)
    assert_fails_closed(desired, live)


def test_retry_after_is_honoured(ucserver_factory: ServerFactory, desired: State) -> None:
    faults = Faults(fail_first=1, kinds=("429",), retry_after=1, paths=("/catalogs?",))
    config = ServerConfig(empty_first_page=False)
    server = ucserver_factory([desired], faults=faults, config=config)
    live = read(server, "workspace", catalog_names(desired)[:1])
    assert live.complete
    listing = [
        r for r in server.requests if r.target.startswith("/api/2.1/unity-catalog/catalogs?")
    ]
    assert [r.status for r in listing] == [429, 200]
    assert listing[1].at - listing[0].at >= 1.0  # as the server saw it


def test_dropped_connections_are_retried(ucserver_factory: ServerFactory, desired: State) -> None:
    faults = Faults(fail_first=1, kinds=("drop",), paths=("/permissions/",))
    server = ucserver_factory([desired], faults=faults)
    settings = replace(FAST, concurrency=4)
    live = read(server, "workspace", catalog_names(desired), settings)
    assert live.complete and live.securables == desired.securables
    dropped = Counter(r.target for r in server.requests if r.status == 0)
    asked = {r.target for r in server.requests if "/permissions/" in r.target}
    assert set(dropped) == asked and set(dropped.values()) == {1}
