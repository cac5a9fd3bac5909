"""The Statement Execution API: submit, poll, result chunks (inline or external links), cancel.

Statements run on the local warehouse (`warehouse.py`: DuckDB behind a sqlglot translation),
imported on the first statement so that the server starts without it. SQL problems answer
HTTP 200 with `status.state = FAILED`, as Databricks does; request problems answer an error
body. A statement answers PENDING (with `wait_timeout=0s`) or RUNNING for `statement_polls`
polls before its result shows, or CANCELED when the wait ran out with `on_wait_timeout=CANCEL`.
External links point at `/blob/...` on the same server, carry a signature and an expiry, and
refuse an `Authorization` header like a cloud object store.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from govkit.testing.http import Request, Response, Router, ok
from govkit.testing.store import ApiError

if TYPE_CHECKING:
    from govkit.testing.warehouse import Parameter

STATEMENTS = "/api/2.0/sql/statements"
_WAIT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*s\s*$")


@dataclass
class Statement:
    id: str
    state: str
    polls_left: int
    disposition: str
    final: str = "SUCCEEDED"  # the state its polls end in
    columns: list[dict[str, Any]] = field(default_factory=list)
    chunks: list[list[list[str | None]]] = field(default_factory=list)
    truncated: bool = False
    error: dict[str, str] | None = None
    sql_state: str | None = None


def _params(body: dict[str, Any]) -> dict[str, Parameter]:
    out: dict[str, Parameter] = {}
    for p in body.get("parameters") or []:
        if not isinstance(p, dict) or not p.get("name"):
            raise ApiError(400, "INVALID_PARAMETER_VALUE", "every parameter needs a name")
        value = p.get("value")
        out[str(p["name"])] = (None if value is None else str(value), str(p.get("type") or ""))
    return out


def _wait_seconds(body: dict[str, Any]) -> float:
    """`wait_timeout`: 0 s (asynchronous) or 5 to 50 s; lenient about `"30.0s"`."""
    raw = body.get("wait_timeout", "10s")
    found = _WAIT.match(str(raw))
    seconds = float(found.group(1)) if found else -1.0
    if seconds != 0 and not 5 <= seconds <= 50:
        raise ApiError(
            400,
            "INVALID_PARAMETER_VALUE",
            f"wait_timeout must be 0s or between 5s and 50s, got {raw!r}",
        )
    return seconds


def _limit(body: dict[str, Any], name: str) -> int | None:
    raw = body.get(name)
    if raw is None:
        return None
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = -1
    if value < 0:
        raise ApiError(400, "INVALID_PARAMETER_VALUE", f"{name} must be a non-negative integer")
    return value


def _validate(body: dict[str, Any]) -> tuple[str, str]:
    sql = body.get("statement")
    if not isinstance(sql, str) or not sql.strip():
        raise ApiError(400, "INVALID_PARAMETER_VALUE", "statement is required")
    if not body.get("warehouse_id"):
        raise ApiError(400, "INVALID_PARAMETER_VALUE", "warehouse_id is required")
    disposition = body.get("disposition", "INLINE")
    if body.get("format", "JSON_ARRAY") != "JSON_ARRAY" or disposition not in (
        "INLINE",
        "EXTERNAL_LINKS",
    ):
        raise ApiError(400, "INVALID_PARAMETER_VALUE", "the local warehouse answers JSON_ARRAY")
    if body.get("on_wait_timeout", "CONTINUE") not in ("CONTINUE", "CANCEL"):
        raise ApiError(400, "INVALID_PARAMETER_VALUE", "on_wait_timeout is CONTINUE or CANCEL")
    return sql, disposition


def execute(req: Request) -> Response:
    from govkit.testing.warehouse import SqlError, warehouse_for

    body = req.json_body()
    sql, disposition = _validate(body)
    wait = _wait_seconds(body)
    params = _params(body)
    limits = (_limit(body, "row_limit"), _limit(body, "byte_limit"))
    stmt = Statement(str(uuid.uuid4()), "PENDING", req.config.statement_polls, disposition)
    try:
        if req.faults.statement_fails(sql):
            raise SqlError(
                "INTERNAL_ERROR", "Injected failure: the warehouse lost the statement.", "XX000"
            )
        view = (req.caller, req.bound_workspace)
        result = warehouse_for(req.store).run(
            req.store, sql, params, body.get("catalog"), body.get("schema"), view
        )
        stmt.columns = result.columns
        _chunk(req, stmt, result.rows, *limits)
        if req.faults.statement_canceled(sql):
            stmt.final, stmt.polls_left = "CANCELED", max(stmt.polls_left, 1)
    except SqlError as exc:
        # Errors found before execution answer at once, whatever the wait.
        stmt.final, stmt.polls_left = "FAILED", 0
        internal = exc.error_class == "INTERNAL_ERROR"
        stmt.error = {"error_code": "INTERNAL_ERROR" if internal else "BAD_REQUEST"}
        stmt.error["message"] = str(exc)
        stmt.sql_state = exc.sql_state
    if stmt.polls_left <= 0:
        stmt.state = stmt.final
    elif wait == 0:
        stmt.state = "PENDING"
    elif body.get("on_wait_timeout") == "CANCEL":
        stmt.state = "CANCELED"
    else:
        stmt.state = "RUNNING"
    with req.store.lock:
        req.store.statements[stmt.id] = stmt
    return ok(_response(req, stmt))


def _chunk(
    req: Request,
    stmt: Statement,
    result: list[list[str | None]],
    row_limit: int | None,
    byte_limit: int | None,
) -> None:
    from govkit.testing.warehouse import SqlError

    caps = [c for c in (req.config.max_rows, row_limit) if c is not None]
    if caps and len(result) > min(caps):
        result, stmt.truncated = result[: min(caps)], True
    if byte_limit is not None:
        kept, used = 0, 0
        for row in result:
            used += len(json.dumps(row, separators=(",", ":")))
            if used > byte_limit:
                break
            kept += 1
        if kept < len(result):
            result, stmt.truncated = result[:kept], True
    if stmt.disposition == "INLINE":
        size = len(json.dumps(result, separators=(",", ":")))
        if size > req.config.inline_bytes:
            raise SqlError(
                "INLINE_RESULT_TOO_LARGE",
                f"The result is {size} bytes, more than the {req.config.inline_bytes} bytes the "
                "INLINE disposition allows; the statement was aborted. Use EXTERNAL_LINKS.",
                "54000",
            )
    size = max(1, req.config.chunk_rows)
    stmt.chunks = [result[i : i + size] for i in range(0, len(result), size)]


def _response(req: Request, stmt: Statement) -> dict[str, Any]:
    out: dict[str, Any] = {"statement_id": stmt.id, "status": {"state": stmt.state}}
    if stmt.state == "FAILED" and stmt.error is not None:
        out["status"]["error"] = stmt.error
        out["status"]["sql_state"] = stmt.sql_state
    if stmt.state != "SUCCEEDED":
        return out
    offsets = _offsets(stmt)
    out["manifest"] = {
        "format": "JSON_ARRAY",
        "schema": {"column_count": len(stmt.columns), "columns": stmt.columns},
        "total_chunk_count": len(stmt.chunks),
        "chunks": [
            {"chunk_index": i, "row_offset": offsets[i], "row_count": len(c)}
            for i, c in enumerate(stmt.chunks)
        ],
        "total_row_count": sum(len(c) for c in stmt.chunks),
        "truncated": stmt.truncated,
    }
    if stmt.chunks:
        out["result"] = _chunk_body(req, stmt, 0)
    return out


def _offsets(stmt: Statement) -> list[int]:
    offsets, total = [], 0
    for c in stmt.chunks:
        offsets.append(total)
        total += len(c)
    return offsets


def _signature(req: Request, statement_id: str, index: int) -> str:
    return hashlib.sha256(f"{req.store.metastore_id}|{statement_id}|{index}".encode()).hexdigest()


def _chunk_body(req: Request, stmt: Statement, index: int) -> dict[str, Any]:
    rows = stmt.chunks[index]
    meta: dict[str, Any] = {
        "chunk_index": index,
        "row_offset": _offsets(stmt)[index],
        "row_count": len(rows),
    }
    if index + 1 < len(stmt.chunks):
        meta["next_chunk_index"] = index + 1
        meta["next_chunk_internal_link"] = f"{STATEMENTS}/{stmt.id}/result/chunks/{index + 1}"
    if stmt.disposition == "INLINE":
        return {**meta, "data_array": rows}
    expires = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=15)
    link = {
        **meta,
        "byte_count": len(json.dumps(rows, separators=(",", ":"))),
        "external_link": f"{req.base_url}/blob/{stmt.id}/{index}?sig="
        + _signature(req, stmt.id, index),
        "expiration": expires.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
    }
    return {"external_links": [link]}


def _statement(req: Request) -> Statement:
    with req.store.lock:
        stmt = req.store.statements.get(req.params[0])
    if not isinstance(stmt, Statement):
        raise ApiError(404, "NOT_FOUND", f"Statement {req.params[0]} not found")
    return stmt


def get_statement(req: Request) -> Response:
    stmt = _statement(req)
    with req.store.lock:
        if stmt.state in ("PENDING", "RUNNING"):
            stmt.polls_left -= 1
            stmt.state = stmt.final if stmt.polls_left <= 0 else "RUNNING"
    return ok(_response(req, stmt))


def get_chunk(req: Request) -> Response:
    stmt = _statement(req)
    index = int(req.params[1])
    if stmt.state != "SUCCEEDED" or not 0 <= index < len(stmt.chunks):
        raise ApiError(400, "INVALID_PARAMETER_VALUE", f"chunk {index} is not available")
    return ok(_chunk_body(req, stmt, index))


def cancel(req: Request) -> Response:
    stmt = _statement(req)
    with req.store.lock:
        if stmt.state in ("PENDING", "RUNNING"):
            stmt.state = "CANCELED"
    return ok()


def blob(req: Request) -> Response:
    if "authorization" in {k.lower() for k in req.headers}:
        # Presigned URLs carry their own credentials; stores reject a second mechanism.
        raise ApiError(400, "InvalidArgument", "Only one auth mechanism allowed.")
    stmt = _statement(req)
    index = int(req.params[1])
    if req.query.get("sig") != _signature(req, stmt.id, index) or index >= len(stmt.chunks):
        raise ApiError(403, "AuthenticationFailed", "Signature did not match.")
    data = json.dumps(stmt.chunks[index], separators=(",", ":")).encode()
    return Response(200, None, {"Content-Type": "application/json"}, raw=data)


def register(router: Router) -> None:
    router.add("POST", f"{STATEMENTS}/?", execute)
    router.add("GET", f"{STATEMENTS}/([^/]+)", get_statement)
    router.add("GET", f"{STATEMENTS}/([^/]+)/result/chunks/(\\d+)", get_chunk)
    router.add("POST", f"{STATEMENTS}/([^/]+)/cancel", cancel)
    router.add("GET", "/blob/([^/]+)/(\\d+)", blob)
