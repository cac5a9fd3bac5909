"""The lineage reader against the local warehouse over HTTP, with the real databricks-sdk."""

from __future__ import annotations

from govkit.lineage.warehouse import read_lineage, utc_text
from govkit.testing.faults import Faults
from govkit.testing.fixtures import ServerFactory
from govkit.testing.http import ServerConfig
from tests.live.conftest import FAST, client_for


def _event(source: str | None, target: str, at: str) -> dict[str, str | None]:
    return {
        "source_table_full_name": source,
        "source_type": "TABLE" if source else "PATH",
        "target_table_full_name": target,
        "target_type": "TABLE",
        "entity_type": "JOB",
        "entity_id": "7",
        "created_by": "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d",
        "event_time": at,
    }


def test_edges_are_aggregated_on_the_warehouse(ucserver_factory: ServerFactory) -> None:
    events = [
        _event(
            "finance_dev.raw.ledger", "finance_prod.reporting.revenue", f"2026-11-{d:02}T09:12:00Z"
        )
        for d in range(1, 21)
    ]
    events += [
        _event(
            "finance_prod.ledger.balances", "finance_prod.reporting.revenue", "2026-11-25T01:00:00Z"
        )
    ] * 3
    events.append(
        _event(None, "finance_prod.raw.erp", "2026-11-25T01:00:00Z")
    )  # a path, not a table
    # Chunks of two rows: the answer is the two edges, whatever the number of events.
    server = ucserver_factory(lineage=events, config=ServerConfig(chunk_rows=2))
    doc = read_lineage(client_for(server), "wh1", FAST, taken_at="2026-11-26T02:00:00Z")
    assert doc.complete and doc.source == "warehouse"
    assert [(e.source, e.target, e.last_seen, e.events) for e in doc.edges] == [
        ("finance_dev.raw.ledger", "finance_prod.reporting.revenue", "2026-11-20T09:12:00Z", 20),
        (
            "finance_prod.ledger.balances",
            "finance_prod.reporting.revenue",
            "2026-11-25T01:00:00Z",
            3,
        ),
    ]


def test_a_failed_read_is_an_incomplete_document(ucserver_factory: ServerFactory) -> None:
    server = ucserver_factory(faults=Faults(fail_statements=("table_lineage",)))
    doc = read_lineage(client_for(server), "wh1", FAST, taken_at="2026-11-26T02:00:00Z")
    assert not doc.complete
    assert doc.errors[0].item == "system.access.table_lineage"
    assert "FAILED" in doc.errors[0].message


def test_warehouse_timestamps_become_utc_iso() -> None:
    assert utc_text("2026-11-20 09:12:00") == "2026-11-20T09:12:00Z"
    assert utc_text("2026-11-20T10:12:00.000+01:00") == "2026-11-20T09:12:00Z"
    assert utc_text(None) is None
