"""The Statement Execution API: submit, poll, result chunks (inline or external links), cancel.

SQL problems answer HTTP 200 with `status.state = FAILED`, as Databricks does; request
problems answer an error body. External links point at `/blob/...` on the same server, carry a
signature and an expiry, and refuse an `Authorization` header like a cloud object store.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from govkit.testing import sqlengine, systables
from govkit.testing.http import Request, Response, Router, ok
from govkit.testing.sqlengine import SqlError
from govkit.testing.store import ApiError

STATEMENTS = "/api/2.0/sql/statements"


@dataclass
class Statement:
    id: str
    state: str
    polls_left: int
    disposition: str
    columns: list[dict[str, Any]] = field(default_factory=list)
    chunks: list[list[list[str | None]]] = field(default_factory=list)
    truncated: bool = False
    error: dict[str, str] | None = None


def _schema(query: sqlengine.Query) -> list[dict[str, Any]]:
    columns = []
    for pos, item in enumerate(query.items):
        if item.expr is None or "count" in item.funcs:
            type_name, text = "LONG", "BIGINT"
        elif "collect_set" in item.funcs:
            type_name, text = "ARRAY", "ARRAY<STRING>"
        else:
            type_name = systables.column_type(query.table, item.expr.path)
            text = "BIGINT" if type_name == "LONG" else type_name
        columns.append({"name": item.alias, "position": pos, "type_name": type_name})
        columns[-1]["type_text"] = text
    return columns


def _params(body: dict[str, Any]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for p in body.get("parameters") or []:
        if not isinstance(p, dict) or not p.get("name"):
            raise ApiError(400, "INVALID_PARAMETER_VALUE", "every parameter needs a name")
        value = p.get("value")
        out[str(p["name"])] = None if value is None else str(value)
    return out


def execute(req: Request) -> Response:
    body = req.json_body()
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
    stmt = Statement(str(uuid.uuid4()), "RUNNING", req.config.statement_polls, disposition)
    try:
        if req.faults.statement_fails(sql):
            raise SqlError("INTERNAL_ERROR", "Injected failure: the warehouse lost the statement.")
        query = sqlengine.parse(sql, _params(body))
        result = sqlengine.run(query, systables.rows(req.store, query.table))
        stmt.columns = _schema(query)
        _chunk(req, stmt, result, body.get("row_limit"))
    except SqlError as exc:
        stmt.state, stmt.polls_left = "FAILED", 0
        stmt.error = {"error_code": "BAD_REQUEST", "message": str(exc)}
    if stmt.polls_left <= 0 and stmt.state == "RUNNING":
        stmt.state = "SUCCEEDED"
    with req.store.lock:
        req.store.statements[stmt.id] = stmt
    return ok(_response(req, stmt))


def _chunk(req: Request, stmt: Statement, result: list[list[str | None]], limit: Any) -> None:
    caps = [c for c in (req.config.max_rows, int(limit) if limit else None) if c is not None]
    if caps and len(result) > min(caps):
        result, stmt.truncated = result[: min(caps)], True
    size = max(1, req.config.chunk_rows)
    stmt.chunks = [result[i : i + size] for i in range(0, len(result), size)]


def _response(req: Request, stmt: Statement) -> dict[str, Any]:
    out: dict[str, Any] = {"statement_id": stmt.id, "status": {"state": stmt.state}}
    if stmt.error is not None:
        out["status"]["error"] = stmt.error
        out["status"]["sql_state"] = "42000"
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
        if stmt.state == "RUNNING":
            stmt.polls_left -= 1
            if stmt.polls_left <= 0:
                stmt.state = "SUCCEEDED"
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
