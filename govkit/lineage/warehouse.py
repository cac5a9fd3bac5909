"""Read lineage from `system.access.table_lineage` through a SQL warehouse, aggregated there.

The warehouse holds up to 395 days of raw events; govkit asks it for the distinct
(source, target) pairs with the last time each was seen and how many events gave it, so that
what crosses the wire grows with the number of edges, never with the number of events.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from govkit.lineage.document import Edge, Lineage, LineageError, make_lineage
from govkit.live.resilience import ReadFailed, Retrier
from govkit.live.settings import ReaderSettings
from govkit.live.statements import StatementRunner

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

# Standard SQL that a Databricks SQL warehouse accepts as written. Rows whose source or target
# is a path (not a table) carry NULL names and are not table lineage.
LINEAGE_SQL = (
    "SELECT source_table_full_name AS source, target_table_full_name AS target, "
    "max(event_time) AS last_seen, count(*) AS events "
    "FROM system.access.table_lineage "
    "WHERE source_table_full_name IS NOT NULL AND target_table_full_name IS NOT NULL "
    "GROUP BY source_table_full_name, target_table_full_name"
)


def utc_text(value: Any) -> str | None:
    """A warehouse timestamp (`2026-11-20T09:12:00.000Z`, `2026-11-20 09:12:00`) as UTC ISO."""
    if value is None:
        return None
    text = str(value).strip().replace(" ", "T", 1)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return str(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_utc() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def rows_to_edges(rows: list[dict[str, Any]]) -> list[Edge]:
    return [
        Edge(str(r["source"]), str(r["target"]), utc_text(r.get("last_seen")), int(r["events"]))
        for r in rows
    ]


def read_lineage(
    client: WorkspaceClient,
    warehouse_id: str,
    settings: ReaderSettings | None = None,
    taken_at: str | None = None,
) -> Lineage:
    """The lineage document from the warehouse; a failed read gives an incomplete document."""
    from databricks.sdk.errors.base import DatabricksError

    from govkit.live.client import bounded

    s = settings or ReaderSettings()
    runner = StatementRunner(bounded(client), warehouse_id, s, Retrier(s))
    taken = taken_at or now_utc()
    try:
        rows = runner.rows(LINEAGE_SQL, None)
    except (ReadFailed, DatabricksError) as exc:
        error = LineageError("system.access.table_lineage", str(exc))
        return make_lineage("warehouse", (), taken, (error,), complete=False)
    return make_lineage("warehouse", rows_to_edges(rows), taken)
