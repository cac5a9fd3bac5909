"""The local warehouse answers real SQL: joins, grouping, lineage aggregation, paging, limits.

Every statement goes through databricks-sdk's Statement Execution API (or govkit's own runner on
top of it) against the local server; the answers are what a user of the system tables would see.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from govkit.live.statements import StatementFailed, run_statement
from govkit.testing import UCServer
from govkit.testing.fixtures import ServerFactory
from govkit.testing.http import ServerConfig
from govkit.testing.sample import DEPLOYER, sample_state


def _client(server: UCServer) -> Any:
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.core import Config

    config = Config(host=server.url, token=server.token, auth_type="pat", retry_timeout_seconds=5)
    return WorkspaceClient(config=config)


def _rows(w: Any, sql: str, **params: str) -> list[list[str | None]]:
    """Submit, poll to the end, and return the first chunk's rows (asserting it is the only)."""
    from databricks.sdk.service.sql import StatementParameterListItem

    items = [StatementParameterListItem(name=k, value=v) for k, v in params.items()]
    first = w.statement_execution.execute_statement(
        statement=sql, warehouse_id="wh1", parameters=items or None
    )
    done = w.statement_execution.get_statement(first.statement_id)
    assert done.status.state.value == "SUCCEEDED", done.status
    assert done.manifest.total_chunk_count in (0, 1)
    return [list(r) for r in (done.result.data_array or [])] if done.result else []


def test_a_join_of_owners_and_direct_grants(w: Any) -> None:
    sql = """
        SELECT t.table_name, p.grantee, t.table_owner
        FROM system.information_schema.tables AS t
        JOIN system.information_schema.table_privileges AS p
          ON p.table_catalog = t.table_catalog AND p.table_schema = t.table_schema
         AND p.table_name = t.table_name
        WHERE t.table_catalog = :c AND t.table_schema = 'schema0'
          AND p.inherited_from = 'NONE' AND p.privilege_type = 'SELECT'
        ORDER BY t.table_name, p.grantee
    """
    assert _rows(w, sql, c="domain0_prod") == [
        ["table0", "team0", DEPLOYER],
        ["table1", "writers", DEPLOYER],
        ["table2", "team2", DEPLOYER],
    ]


def test_group_by_with_and_without_inherited_grants(w: Any) -> None:
    sql = """
        SELECT table_name, count(DISTINCT grantee) AS grantees,
               array_sort(collect_set(privilege_type)) AS privileges
        FROM system.information_schema.table_privileges
        WHERE table_catalog = :c AND table_schema = 'schema1' {extra}
        GROUP BY table_name ORDER BY table_name
    """
    direct = _rows(w, sql.format(extra="AND inherited_from = 'NONE'"), c="domain1_prod")
    assert direct == [
        ["table0", "1", '["SELECT"]'],
        ["table1", "1", '["MODIFY","SELECT"]'],
        ["table2", "1", '["SELECT"]'],
    ]  # table3 has no grant of its own
    everything = _rows(w, sql.format(extra=""), c="domain1_prod")
    # The catalog's SELECT (analysts) and MANAGE (deployer) reach every table.
    assert [r[:2] for r in everything] == [
        ["table0", "3"],
        ["table1", "3"],
        ["table2", "3"],
        ["table3", "2"],
    ]


def test_a_grant_made_through_the_api_is_in_the_next_answer(w: Any) -> None:
    from databricks.sdk.service.catalog import PermissionsChange, Privilege

    sql = (
        "SELECT grantee FROM system.information_schema.catalog_privileges "
        "WHERE catalog_name = :c AND privilege_type = 'USE_CATALOG' ORDER BY grantee"
    )
    assert _rows(w, sql, c="domain2_prod") == [["domain2-analysts"]]
    w.grants.update(
        "catalog",
        "domain2_prod",
        changes=[PermissionsChange(principal="auditors", add=[Privilege.USE_CATALOG])],
    )
    assert _rows(w, sql, c="domain2_prod") == [["auditors"], ["domain2-analysts"]]


LINEAGE = [
    {
        "source_table_full_name": "sales_dev.raw.orders",
        "target_table_full_name": "sales_prod.gold.revenue",
        "event_time": "2026-11-01T10:00:00Z",
        "entity_type": "JOB",
        "entity_id": "417306252667357",
    },
    {
        "source_table_full_name": "sales_dev.raw.orders",
        "target_table_full_name": "sales_prod.gold.revenue",
        "event_time": "2026-11-20T11:12:00.250+02:00",  # 09:12:00.250 UTC, the latest
        "entity_type": "JOB",
    },
    {
        "source_table_full_name": "sales_prod.raw.orders",
        "target_table_full_name": "sales_prod.gold.revenue",
        "event_time": "2026-11-19T08:00:00Z",
        "entity_type": "NOTEBOOK",
    },
    {  # a read without a write: no edge
        "source_table_full_name": "sales_prod.gold.revenue",
        "event_time": "2026-11-21T08:00:00Z",
        "entity_type": "DBSQL_QUERY",
    },
]

EDGES = """
    SELECT source_table_full_name AS source, target_table_full_name AS target,
           max(event_time) AS last_seen, count(*) AS events
    FROM system.access.table_lineage
    WHERE source_table_full_name IS NOT NULL AND target_table_full_name IS NOT NULL
    GROUP BY source_table_full_name, target_table_full_name
    ORDER BY source, target
"""


def test_lineage_events_aggregate_to_edges(
    ucserver_factory: ServerFactory, databricks_env: None
) -> None:
    server = ucserver_factory(lineage=LINEAGE)
    w = _client(server)
    assert _rows(w, EDGES) == [
        ["sales_dev.raw.orders", "sales_prod.gold.revenue", "2026-11-20T09:12:00.250Z", "2"],
        ["sales_prod.raw.orders", "sales_prod.gold.revenue", "2026-11-19T08:00:00.000Z", "1"],
    ]
    first = w.statement_execution.execute_statement(statement=EDGES, warehouse_id="wh1")
    columns = w.statement_execution.get_statement(first.statement_id).manifest.schema.columns
    assert [(c.name, c.type_name.value) for c in columns] == [
        ("source", "STRING"),
        ("target", "STRING"),
        ("last_seen", "TIMESTAMP"),
        ("events", "LONG"),
    ]
    # The parts a real record carries are there though the event named only the full names.
    parts = "SELECT DISTINCT source_table_catalog, event_date, source_type, metastore_id FROM "
    where = "system.access.table_lineage WHERE entity_type = 'NOTEBOOK'"
    assert _rows(w, parts + where) == [
        ["sales_prod", "2026-11-19", "TABLE", server.store.metastore_id]
    ]


def test_lineage_edges_through_govkits_runner(
    ucserver_factory: ServerFactory, databricks_env: None
) -> None:
    server = ucserver_factory(lineage=LINEAGE)
    rows = run_statement(_client(server), "wh1", EDGES)
    assert [(r["source"], r["events"]) for r in rows] == [
        ("sales_dev.raw.orders", 2),
        ("sales_prod.raw.orders", 1),
    ]


def test_a_lineage_row_with_an_unknown_column_fails_the_statement(
    ucserver_factory: ServerFactory, databricks_env: None
) -> None:
    server = ucserver_factory(lineage=[{"source_table": "a.b.c"}])
    with pytest.raises(StatementFailed, match=r"unknown column.*source_table"):
        run_statement(_client(server), "wh1", EDGES)


def test_a_large_result_pages_through_external_links(
    ucserver_factory: ServerFactory, databricks_env: None
) -> None:
    from databricks.sdk.service.sql import Disposition

    events = [
        {
            "event_id": f"e{n:05d}",
            "source_table_full_name": f"c.s.t{n % 97}",
            "target_table_full_name": f"c.s.u{n % 89}",
            "event_time": f"2026-11-{1 + n % 28:02d}T00:00:00Z",
        }
        for n in range(2500)
    ]
    server = ucserver_factory(lineage=events, config=ServerConfig(chunk_rows=300))
    w = _client(server)
    sql = "SELECT event_id, target_table_full_name FROM system.access.table_lineage ORDER BY 1"
    first = w.statement_execution.execute_statement(
        statement=sql, warehouse_id="wh1", disposition=Disposition.EXTERNAL_LINKS
    )
    done = w.statement_execution.get_statement(first.statement_id)
    manifest = done.manifest
    assert (manifest.total_chunk_count, manifest.total_row_count) == (9, 2500)
    assert [c.row_offset for c in manifest.chunks] == list(range(0, 2500, 300))
    rows: list[list[str]] = []
    link = done.result.external_links[0]
    while True:
        rows.extend(json.loads(requests.get(link.external_link, timeout=10).content))
        if link.next_chunk_index is None:
            break
        chunk = w.statement_execution.get_statement_result_chunk_n(
            first.statement_id, link.next_chunk_index
        )
        link = chunk.external_links[0]
    assert rows == [[e["event_id"], e["target_table_full_name"]] for e in events]
    # govkit's runner fetches the same nine chunks in parallel and checks the count.
    assert len(run_statement(w, "wh1", sql)) == 2500


def test_row_limit_truncates_and_inline_has_a_size_limit(
    ucserver_factory: ServerFactory, databricks_env: None
) -> None:
    server = ucserver_factory([sample_state()], config=ServerConfig(inline_bytes=1000))
    w = _client(server)
    sql = "SELECT table_catalog, table_schema, table_name FROM system.information_schema.tables"
    limited = w.statement_execution.execute_statement(
        statement=sql, warehouse_id="wh1", row_limit=5
    )
    done = w.statement_execution.get_statement(limited.statement_id)
    assert done.manifest.truncated and done.manifest.total_row_count == 5
    too_big = w.statement_execution.execute_statement(statement=sql, warehouse_id="wh1")
    assert too_big.status.state.value == "FAILED"
    assert too_big.status.error.message.startswith("[INLINE_RESULT_TOO_LARGE]")


def test_typed_and_unbound_parameters(w: Any) -> None:
    from databricks.sdk.service.sql import StatementParameterListItem

    sql = (
        "SELECT table_schema, count(*) AS n FROM system.information_schema.tables "
        "WHERE table_catalog = :c GROUP BY table_schema HAVING count(*) >= :least"
    )
    params = [
        StatementParameterListItem(name="c", value="domain0_prod"),
        StatementParameterListItem(name="least", value="4", type="INT"),
    ]
    answer = w.statement_execution.execute_statement(
        statement=sql + " ORDER BY 1", warehouse_id="wh1", parameters=params
    )
    done = w.statement_execution.get_statement(answer.statement_id)
    assert done.result.data_array == [["schema0", "4"], ["schema1", "4"], ["schema2", "4"]]
    unbound = w.statement_execution.execute_statement(
        statement=sql, warehouse_id="wh1", parameters=params[:1]
    )
    assert unbound.status.state.value == "FAILED"
    assert "[UNBOUND_SQL_PARAMETER] Found the unbound parameter: least" in (
        unbound.status.error.message
    )


def test_waiting_pending_and_cancelled_statements(
    ucserver_factory: ServerFactory, databricks_env: None
) -> None:
    from databricks.sdk.service.sql import ExecuteStatementRequestOnWaitTimeout as OnTimeout

    server = ucserver_factory([sample_state()], config=ServerConfig(statement_polls=2))
    w = _client(server)
    run = w.statement_execution
    sql = "SELECT catalog_name FROM system.information_schema.catalogs ORDER BY 1"
    queued = run.execute_statement(statement=sql, warehouse_id="wh1", wait_timeout="0s")
    states = [queued.status.state.value]
    states += [run.get_statement(queued.statement_id).status.state.value for _ in range(2)]
    assert states == ["PENDING", "RUNNING", "SUCCEEDED"]
    gave_up = run.execute_statement(
        statement=sql, warehouse_id="wh1", wait_timeout="5s", on_wait_timeout=OnTimeout.CANCEL
    )
    assert gave_up.status.state.value == "CANCELED" and gave_up.manifest is None
    running = run.execute_statement(statement=sql, warehouse_id="wh1")
    run.cancel_execution(running.statement_id)
    assert run.get_statement(running.statement_id).status.state.value == "CANCELED"


def test_a_bad_wait_timeout_is_a_request_error(w: Any) -> None:
    from databricks.sdk.errors import InvalidParameterValue

    with pytest.raises(InvalidParameterValue, match="wait_timeout"):
        w.statement_execution.execute_statement(
            statement="SELECT 1", warehouse_id="wh1", wait_timeout="3s"
        )


def test_validate_and_the_live_readers_do_not_import_duckdb_or_sqlglot() -> None:
    import subprocess
    import sys

    from tests.conftest import CATALOGS

    code = (
        f"import sys; from govkit.cli.main import main; main(['validate', {str(CATALOGS)!r}]);"
        "import govkit.live.warehouse, govkit.live.statements, govkit.testing.ucserver;"
        "print('duckdb' in sys.modules, 'sqlglot' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "False False"
