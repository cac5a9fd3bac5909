"""The local servers' shared HTTP plumbing."""

from __future__ import annotations

import socket
import struct
import threading
import time
from typing import Any

import pytest

from govkit.testing.http import JsonHandler, listen, serve


def test_a_client_that_hangs_up_before_its_answer_prints_nothing(
    capfd: pytest.CaptureFixture[str],
) -> None:
    hung_up, tried = threading.Event(), threading.Event()

    class Slow:
        def handle(self, handler: Any) -> None:
            hung_up.wait(5)  # until the client has reset the connection
            try:
                handler.send(200, {"ok": True}, {"X-Pad": "x" * 65536})
            finally:
                tried.set()

    httpd = listen(0, JsonHandler, Slow())
    serve(httpd)
    client = socket.create_connection(httpd.server_address[:2])
    client.sendall(b"GET / HTTP/1.1\r\nHost: local\r\n\r\n")
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    client.close()  # a reset, as a client's read timeout leaves it
    hung_up.set()
    assert tried.wait(5)
    time.sleep(0.2)  # the server thread reports a failed request after the handler returns
    httpd.shutdown()
    httpd.server_close()
    assert "Traceback" not in capfd.readouterr().err
