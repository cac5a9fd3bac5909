"""Statement Execution on the local server: states, chunks, external links, SQL errors."""

from __future__ import annotations

import json
from typing import Any

import requests

from govkit.testing import UCServer

PRIVS = (
    "SELECT grantee, privilege_type FROM system.information_schema.catalog_privileges "
    "WHERE catalog_name = :c AND (inherited_from IS NULL OR inherited_from = 'NONE') "
    "ORDER BY grantee, privilege_type"
)


def _run(w: Any, sql: str, **kwargs: Any) -> Any:
    from databricks.sdk.service.sql import StatementParameterListItem

    params = [StatementParameterListItem(name="c", value="domain0_prod")]
    return w.statement_execution.execute_statement(
        statement=sql, warehouse_id="wh1", parameters=params, **kwargs
    )


def test_statement_runs_then_succeeds_with_string_values(w: Any) -> None:
    first = _run(w, PRIVS)
    assert first.status.state.value == "RUNNING"  # one poll, as configured by default
    done = w.statement_execution.get_statement(first.statement_id)
    assert done.status.state.value == "SUCCEEDED"
    assert done.result.data_array[0] == ["6a1e0c3d-5b7f-4e2a-9c1d-0f3b2a4c6e8d", "MANAGE"]
    assert done.manifest.total_row_count == 5 and done.manifest.truncated is False


def test_inherited_rows_are_in_the_view_and_filtered_by_the_query(w: Any) -> None:
    sql = (
        "SELECT inherited_from, count(*) AS n FROM system.information_schema.table_privileges "
        "WHERE table_catalog = :c GROUP BY inherited_from ORDER BY inherited_from"
    )
    done = w.statement_execution.get_statement(_run(w, sql).statement_id)
    # Catalog SELECT reaches every table; the schemas grant only USE_SCHEMA, which does not.
    assert [r[0] for r in done.result.data_array] == ["CATALOG", "NONE"]


def test_external_links_are_fetched_without_credentials(w: Any, server: UCServer) -> None:
    from databricks.sdk.service.sql import Disposition

    sql = "SELECT table_name FROM system.information_schema.tables WHERE table_catalog = :c"
    first = _run(w, sql, disposition=Disposition.EXTERNAL_LINKS)
    done = w.statement_execution.get_statement(first.statement_id)
    link = done.result.external_links[0].external_link
    refused = requests.get(link, headers={"Authorization": f"Bearer {server.token}"})
    assert refused.status_code == 400
    assert len(json.loads(requests.get(link).content)) == 12


def test_sql_errors_end_failed_with_http_200(w: Any) -> None:
    first = _run(w, "SELEC grantee FROM system.information_schema.catalog_privileges")
    assert first.status.state.value == "FAILED"
    assert first.status.error.error_code.value == "BAD_REQUEST"
    assert first.status.error.message.startswith("[PARSE_SYNTAX_ERROR] Syntax error at or near")
    assert first.status.sql_state == "42601" and first.manifest is None
    missing = _run(w, "SELECT a FROM system.nope.t")
    assert "[TABLE_OR_VIEW_NOT_FOUND] The table or view `system`.`nope`.`t`" in (
        missing.status.error.message
    )
    column = _run(w, "SELECT nope FROM system.information_schema.catalogs")
    assert column.status.error.message.startswith("[UNRESOLVED_COLUMN]")
    # DuckDB has list_sort, Databricks does not: the query is refused as Databricks would.
    duckdb_only = _run(w, "SELECT list_sort(array('b', 'a')) AS l")
    assert duckdb_only.status.error.message.startswith("[UNRESOLVED_ROUTINE] Cannot resolve")
    assert _run(w, "SELECT sort_array(array('b', 'a')) AS l").status.state.value == "RUNNING"


def test_the_warehouse_is_read_only(w: Any) -> None:
    dropped = _run(w, "DROP TABLE system.access.audit")
    assert dropped.status.state.value == "FAILED"
    assert dropped.status.error.message.startswith("[INSUFFICIENT_PERMISSIONS]")
    assert _run(w, "DROP TABLE x").status.error.message.startswith("[TABLE_OR_VIEW_NOT_FOUND]")


def test_audit_rows_answer_sql(w: Any, server: UCServer) -> None:
    from databricks.sdk.service.catalog import PermissionsChange, Privilege

    w.grants.update(
        "catalog",
        "domain0_prod",
        changes=[PermissionsChange(principal="intruder", add=[Privilege.SELECT])],
    )
    sql = (
        "SELECT user_identity.email AS email, action_name, "
        "request_params['securable_full_name'] AS securable FROM system.access.audit "
        "WHERE service_name = 'unityCatalog' AND action_name = 'updatePermissions'"
    )
    done = w.statement_execution.get_statement(_run(w, sql).statement_id)
    assert done.result.data_array == [[server.store.caller, "updatePermissions", "domain0_prod"]]
