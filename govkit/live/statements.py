"""Run one SQL statement through the Statement Execution API and return every row.

Submit, poll until a terminal state, refuse anything but SUCCEEDED, refuse a truncated result,
then fetch every chunk (inline, or external links downloaded in parallel without the workspace
credentials, as Databricks requires) and check the row count against the manifest.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from govkit.live.resilience import ReadFailed, Retrier
from govkit.live.settings import ReaderSettings

if TYPE_CHECKING:
    import requests
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.service.sql import ExternalLink, ResultData, StatementResponse

_RUNNING = ("PENDING", "RUNNING")


class StatementFailed(ReadFailed):
    """A statement that did not succeed, was truncated, or whose rows could not be fetched."""


def run_statement(
    client: WorkspaceClient,
    warehouse_id: str,
    sql: str,
    parameters: Mapping[str, str | None] | None = None,
    *,
    settings: ReaderSettings | None = None,
    retrier: Retrier | None = None,
) -> list[dict[str, Any]]:
    """Every row of `sql` as a dict by column name, values converted by column type.

    Named parameters (`:name` in the SQL) are bound from `parameters` as STRING values.
    Raises StatementFailed when the statement fails, is cancelled, times out, is truncated, or
    a chunk cannot be fetched after retries.
    """
    from govkit.live.client import bounded

    s = settings or ReaderSettings()
    return StatementRunner(bounded(client), warehouse_id, s, retrier or Retrier(s)).rows(
        sql, parameters
    )


class StatementRunner:
    def __init__(
        self, client: WorkspaceClient, warehouse_id: str, s: ReaderSettings, retrier: Retrier
    ) -> None:
        self.client = client
        self.warehouse_id = warehouse_id
        self.settings = s
        self.retrier = retrier
        # Presigned links lead to the cloud storage behind the warehouse, not to the workspace
        # API: retried and guarded by a breaker of their own, outside the API's rate limit.
        self.downloads = Retrier(replace(s, rate_per_second=0), retrier.progress)
        self._local = threading.local()

    def rows(self, sql: str, parameters: Mapping[str, str | None] | None) -> list[dict[str, Any]]:
        response = self._wait(self._submit(sql, parameters))
        manifest = response.manifest
        if manifest is None or manifest.schema is None:
            raise StatementFailed("the statement succeeded without a result manifest")
        if manifest.truncated:
            raise StatementFailed("the result was truncated by the warehouse; nothing was used")
        columns = [(c.name or "", c.type_name.value if c.type_name else "") for c in
                   manifest.schema.columns or []]  # fmt: skip
        data = self._all_chunks(response, manifest.total_chunk_count or 0)
        if manifest.total_row_count is not None and len(data) != manifest.total_row_count:
            raise StatementFailed(
                f"fetched {len(data)} rows, the manifest promised {manifest.total_row_count}"
            )
        return [
            {name: convert(v, t) for (name, t), v in zip(columns, row, strict=True)} for row in data
        ]

    def _submit(self, sql: str, parameters: Mapping[str, str | None] | None) -> StatementResponse:
        from databricks.sdk.service.sql import (
            Disposition,
            ExecuteStatementRequestOnWaitTimeout,
            Format,
            StatementParameterListItem,
        )

        params = [
            StatementParameterListItem(name=k, value=v, type="STRING")
            for k, v in sorted((parameters or {}).items())
        ]
        disposition = (
            Disposition.EXTERNAL_LINKS if self.settings.external_links else Disposition.INLINE
        )
        return self.retrier.call(
            lambda: self.client.statement_execution.execute_statement(
                statement=sql,
                warehouse_id=self.warehouse_id,
                parameters=params or None,
                disposition=disposition,
                format=Format.JSON_ARRAY,
                wait_timeout=self.settings.statement_wait,
                on_wait_timeout=ExecuteStatementRequestOnWaitTimeout.CONTINUE,
            )
        )

    def _wait(self, response: StatementResponse) -> StatementResponse:
        statement_id = response.statement_id or ""
        deadline = time.monotonic() + self.settings.statement_timeout
        interval = min(0.05, self.settings.poll_interval)
        while _state(response) in _RUNNING:
            if time.monotonic() > deadline:
                self.retrier.call(
                    lambda: self.client.statement_execution.cancel_execution(statement_id)
                )
                raise StatementFailed(f"statement {statement_id} timed out and was cancelled")
            time.sleep(interval)
            interval = min(interval * 2, self.settings.poll_interval)
            response = self.retrier.call(
                lambda: self.client.statement_execution.get_statement(statement_id)
            )
        state = _state(response)
        if state != "SUCCEEDED":
            error = response.status.error if response.status else None
            detail = f": {error.message}" if error and error.message else ""
            raise StatementFailed(f"statement {statement_id} ended {state}{detail}")
        return response

    def _all_chunks(self, first: StatementResponse, count: int) -> list[list[Any]]:
        if count == 0 or first.result is None:
            return []
        with ThreadPoolExecutor(max(1, self.settings.concurrency)) as pool:
            later = pool.map(lambda i: self._chunk(first, i), range(1, count))
            chunks = [self._data(first.result), *later]
        return [row for chunk in chunks for row in chunk]

    def _chunk(self, first: StatementResponse, index: int) -> list[list[Any]]:
        statement_id = first.statement_id or ""
        result = self.retrier.call(
            lambda: self.client.statement_execution.get_statement_result_chunk_n(
                statement_id, index
            )
        )
        return self._data(result)

    def _data(self, result: ResultData) -> list[list[Any]]:
        if result.external_links:
            return [row for link in result.external_links for row in self._download(link)]
        return [list(r) for r in result.data_array or []]

    def _download(self, link: ExternalLink) -> list[list[Any]]:
        url = link.external_link or ""

        def once() -> list[list[Any]]:
            # A plain session: presigned URLs must not get the workspace's Authorization header.
            answer = self._session().get(
                url,
                headers=dict(link.http_headers or {}),
                timeout=self.settings.http_timeout_seconds,
            )
            if answer.status_code != 200:
                raise ReadFailed(
                    f"chunk download answered HTTP {answer.status_code}", answer.status_code
                )
            rows = answer.json()
            if not isinstance(rows, list):
                raise ReadFailed("chunk download was not a JSON array")
            return rows

        return self.downloads.call(once)

    def _session(self) -> requests.Session:
        import requests

        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            self._local.session = session
        return session


def _state(response: StatementResponse) -> str:
    status = response.status
    return status.state.value if status is not None and status.state is not None else "UNKNOWN"


def convert(value: Any, type_name: str) -> Any:
    """A JSON_ARRAY value (a string or null) as Python, by its column's `type_name`."""
    if value is None:
        return None
    if type_name in ("INT", "LONG", "SHORT", "BYTE"):
        return int(value)
    if type_name in ("FLOAT", "DOUBLE"):
        return float(value)
    if type_name == "BOOLEAN":
        return str(value).lower() == "true"
    if type_name in ("ARRAY", "MAP", "STRUCT"):
        return json.loads(value)
    return value
