"""A bug in a local server's handler answers 500 in the real API's error shape, logged on stderr;
the connection stays open, as a real front end keeps it."""

from __future__ import annotations

import http.client
import json
from typing import Any

import pytest

from govkit.testing import UCServer
from govkit.testing.graphapi import GraphRequest, GraphResponse
from govkit.testing.graphserver import GraphServer
from govkit.testing.http import Request, Response

BOOM = "/api/2.1/unity-catalog/boom"


def _uc_bug(req: Request) -> Response:
    raise RuntimeError("the store lost its lock")


def _graph_bug(req: GraphRequest) -> GraphResponse:
    raise ZeroDivisionError("division by zero")


def _exchange(
    conn: http.client.HTTPConnection, method: str, path: str, token: str, body: Any = None
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    conn.request(method, path, None if body is None else json.dumps(body), headers)
    answer = conn.getresponse()
    return answer.status, json.loads(answer.read() or b"null")


def test_unity_catalog_answers_a_handler_bug_as_databricks_does(
    server: UCServer, w: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    from databricks.sdk.errors import InternalError

    server._router.add("GET", BOOM, _uc_bug)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    status, body = _exchange(conn, "GET", BOOM, server.token)
    assert (status, body) == (
        500,
        {"error_code": "INTERNAL_ERROR", "message": "Internal error: RuntimeError: the store "
         "lost its lock"},
    )  # fmt: skip
    status, _ = _exchange(conn, "GET", "/api/2.1/unity-catalog/catalogs", server.token)
    assert status == 200  # the same connection answers the next request
    with pytest.raises(InternalError, match="the store lost its lock") as raised:
        w.api_client.do("GET", BOOM)  # the real SDK reads it as Databricks's 500
    assert raised.value.error_code == "INTERNAL_ERROR"
    err = capfd.readouterr().err
    assert "Traceback" in err and "RuntimeError: the store lost its lock" in err


def test_graph_answers_a_handler_bug_as_graph_does_alone_and_in_a_batch(
    capfd: pytest.CaptureFixture[str],
) -> None:
    with GraphServer() as server:
        server._router.add("GET", "/boom", _graph_bug)
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        status, body = _exchange(conn, "GET", "/v1.0/boom", server.token)
        assert status == 500
        assert body["error"]["code"] == "generalException"
        assert body["error"]["message"] == "Internal error: ZeroDivisionError: division by zero"
        parts = [{"id": "1", "method": "GET", "url": "/boom"},
                 {"id": "2", "method": "GET", "url": "/groups"}]  # fmt: skip
        status, body = _exchange(conn, "POST", "/v1.0/$batch", server.token, {"requests": parts})
        assert status == 200
        answers = {r["id"]: r for r in body["responses"]}
        assert answers["1"]["status"] == 500 and answers["2"]["status"] == 200
        assert answers["1"]["body"]["error"]["code"] == "generalException"
    assert capfd.readouterr().err.count("ZeroDivisionError: division by zero\n") == 2
