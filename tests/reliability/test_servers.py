"""The local servers are no open door: loopback only, a bearer token, a capped body."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from govkit.fuzz.targets import raw_http as _exchange
from govkit.testing import UCServer
from govkit.testing.graphserver import GraphServer
from govkit.testing.http import MAX_BODY_BYTES

UC_LIST = "/api/2.1/unity-catalog/catalogs"
GRAPH_LIST = "/v1.0/groups"


@pytest.fixture(params=["uc", "graph"])
def server(request: pytest.FixtureRequest) -> Iterator[tuple[Any, str]]:
    started: Any = UCServer() if request.param == "uc" else GraphServer()
    started.start()
    yield started, UC_LIST if request.param == "uc" else GRAPH_LIST
    started.stop()


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def _request(path: str, token: str | None, extra: str = "", body: bytes = b"") -> bytes:
    auth = f"Authorization: Bearer {token}\r\n" if token is not None else ""
    head = f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{auth}{extra}\r\n"
    return head.encode() + body


def test_bound_to_loopback_only(server: tuple[Any, str]) -> None:
    app, _ = server
    assert app._httpd.server_address[0] == "127.0.0.1"
    outside = socket.gethostbyname(socket.gethostname())
    if not outside.startswith("127."):
        with pytest.raises(OSError), socket.create_connection((outside, app.port), timeout=2):
            pass


def test_a_missing_or_wrong_token_is_refused(server: tuple[Any, str]) -> None:
    app, path = server
    assert _status(_exchange(app.port, _request(path, None))) == 401
    assert _status(_exchange(app.port, _request(path, app.token + "x"))) == 401
    assert _status(_exchange(app.port, _request(path, ""))) == 401
    assert _status(_exchange(app.port, _request(path, app.token))) == 200


def test_a_body_past_the_cap_is_refused_unread(server: tuple[Any, str]) -> None:
    app, path = server
    huge = f"Content-Length: {MAX_BODY_BYTES + 1}\r\n"
    answer = _exchange(app.port, _request(path, app.token, huge, b"{" * 1000))
    assert _status(answer) == 413 and b"exceeds" in answer
    for bad in ("-5", "ten", "1e9"):
        answer = _exchange(app.port, _request(path, app.token, f"Content-Length: {bad}\r\n"))
        assert _status(answer) == 400, bad
    assert _status(_exchange(app.port, _request(path, app.token))) == 200  # still serving
