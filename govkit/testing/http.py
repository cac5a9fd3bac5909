"""What the local servers share: their HTTP plumbing (a keep-alive handler that answers JSON, a
500 for a handler's bug, the loopback listener, the command line); and the Unity Catalog
server's request and response values, routing and paging, shared by its API modules.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import re
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from govkit.testing.callers import DEFAULT_NAME, Caller
from govkit.testing.faults import FaultDecider
from govkit.testing.store import ApiError, Store

# A test server left running is no open door: a body past this is refused unread (413).
MAX_BODY_BYTES = 4 << 20


class BodyRefused(ValueError):
    """A request body that is not read: a bad Content-Length, or one past the cap."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def read_body(headers: Any, rfile: Any) -> bytes:
    """The request body by its Content-Length, at most MAX_BODY_BYTES, else BodyRefused."""
    raw = headers.get("Content-Length") or "0"
    if not raw.strip().isdigit():
        raise BodyRefused(400, f"Content-Length {raw[:40]!r} is not a length")
    length = int(raw)
    if length > MAX_BODY_BYTES:
        raise BodyRefused(413, f"Request body of {length} bytes exceeds {MAX_BODY_BYTES}")
    data: bytes = rfile.read(length) if length else b""
    return data


class JsonHandler(BaseHTTPRequestHandler):
    """One connection of a local server: keep-alive, as a real API front end; no access log.

    Each request goes to `handle(handler)` of the object its listener serves (`listen`).
    """

    protocol_version = "HTTP/1.1"

    def _dispatch(self) -> None:
        self.server.app.handle(self)  # type: ignore[attr-defined]  # set by `listen`

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _dispatch

    def send(
        self,
        status: int,
        body: Any,
        headers: Mapping[str, str],
        data: bytes | None = None,
        content_type: str = "application/json",
    ) -> None:
        """Answer `body` as JSON, or `data` as it is; with Content-Length, so the connection
        stays open for the next request."""
        if data is None:
            data = b"" if status == 204 or body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in headers.items():
            if name.lower() != "content-type":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read the server's `requests` instead of an access log."""


class Listener(ThreadingHTTPServer):
    """A threading HTTP server whose `shutdown()` always returns.

    `serve_forever` accepts after its selector says the socket is readable; a connection the
    client drops in between leaves a blocking `accept()` waiting for the next client, and
    `shutdown()` waiting on it for ever (seen in a CI run). A non-blocking listening socket makes
    that accept raise instead, which socketserver passes over; accepted sockets stay blocking.
    """

    daemon_threads = True

    def server_activate(self) -> None:
        super().server_activate()
        self.socket.setblocking(False)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hung up before its answer (a read timeout, often one a test sets off on
        # purpose) is not a server error; socketserver would print its traceback to stderr,
        # even after the test that caused it has ended.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def listen(port: int, handler: type[JsonHandler], app: object) -> ThreadingHTTPServer:
    """A listener on 127.0.0.1 (never further) whose requests `app.handle` answers."""
    httpd = Listener(("127.0.0.1", port), handler)
    httpd.app = app  # type: ignore[attr-defined]  # the handler finds the app here
    return httpd


def serve(httpd: ThreadingHTTPServer) -> threading.Thread:
    """Serve `httpd` on a thread of its own until `httpd.shutdown()`."""
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    return thread


def crashed() -> str:
    """For a handler's bug: its traceback on stderr, for the test's author; the 500's message.

    A real API answers 500 with its error body; hanging up instead would look to a client like
    a network fault, and be retried as one.
    """
    kind, exc, _ = sys.exc_info()
    traceback.print_exc(file=sys.stderr)
    name = kind.__name__ if kind is not None else "Exception"
    return f"Internal error: {name}: {exc}"


def arguments(prog: str, port: int, description: str) -> argparse.ArgumentParser:
    """The command line of `python -m govkit.testing.<server>`: `--port` and `--token`."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument("--token", help="the accepted bearer token (default: random)")
    return parser


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve_until_interrupted(start: Callable[[], object], stop: Callable[[], object]) -> None:
    """Serve until Ctrl-C (SIGINT) or SIGTERM (`kill`, a test's `terminate()`), then stop."""
    signal.signal(signal.SIGTERM, _interrupt)  # the same way out as Ctrl-C: `--dump` is written
    start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        stop()


@dataclass(frozen=True)
class ServerConfig:
    """Page sizes and paging behaviour; small pages make tests walk many pages."""

    page_size: int = 50
    permissions_page_size: int = 200
    empty_first_page: bool = True
    chunk_rows: int = 500  # rows per statement result chunk
    statement_polls: int = 1  # GETs that still answer RUNNING before SUCCEEDED
    max_rows: int | None = None  # a warehouse-side result limit: beyond it, `truncated`
    inline_bytes: int = 25 * 1024 * 1024  # a larger INLINE result fails, as Databricks does


@dataclass(frozen=True)
class Host:
    """What one listening port of the server is: a workspace host or the account host.

    `workspace_id` None means the store's own workspace. A host with `metadata` answers
    `/.well-known/databricks-config` (host type, account and workspace ids), from which the SDKs
    and the provider decide between workspace and account APIs; without it they fall back to
    explicit configuration and SCIM `Me`.
    """

    kind: str = "workspace"  # or "account"
    workspace_id: int | None = None
    metadata: bool = False
    # Whether this host is one workspace whose catalog bindings hold: an ISOLATED catalog not
    # bound to it is out of reach. False only on a lenient server's own port (demos).
    isolated: bool = False


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]
    base_url: str
    store: Store
    faults: FaultDecider
    config: ServerConfig
    params: tuple[str, ...] = ()
    host: Host = Host()
    route: str = ""  # the matched route, `METHOD pattern`, for the per-route request log
    caller: Caller = field(default_factory=lambda: Caller(DEFAULT_NAME, "metastore_admin"))

    @property
    def bound_workspace(self) -> int | None:
        """The workspace whose bindings this request is held to; None on a lenient host."""
        return self.workspace_id if self.host.isolated else None

    @property
    def workspace_id(self) -> int:
        """The workspace this request was sent to (its host's, else the store's own)."""
        return self.host.workspace_id or self.store.workspace_id

    @property
    def target(self) -> str:
        """`path?query` with sorted parameters: what fault rules match against."""
        qs = "&".join(f"{k}={v}" for k, v in sorted(self.query.items()))
        return f"{self.path}?{qs}"

    def listing(self) -> str:
        """`target` without the page token: the same for every page of one listing."""
        qs = "&".join(f"{k}={v}" for k, v in sorted(self.query.items()) if k != "page_token")
        return f"{self.path}?{qs}"

    def json_body(self) -> dict[str, Any]:
        if self.body is None:
            return {}
        if not isinstance(self.body, dict):
            raise ApiError(400, "MALFORMED_REQUEST", "request body must be a JSON object")
        return self.body


@dataclass
class Response:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None  # a non-JSON body (external-link blobs)


Handler = Callable[[Request], Response]


class Router:
    """Regex routes; path parameters (`[^/]+` groups) are passed in `Request.params`."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        self._routes.append((method, re.compile(f"^{pattern}$"), handler))

    def match(self, method: str, path: str) -> tuple[Handler, tuple[str, ...], str]:
        """The handler, its path parameters and the route's name (`METHOD pattern`)."""
        path_known = False
        for m, regex, handler in self._routes:
            found = regex.match(path)
            if found:
                path_known = True
                if m == method:
                    return handler, found.groups(), f"{m} {regex.pattern[1:-1]}"
        if path_known:
            raise ApiError(405, "BAD_REQUEST", f"{method} is not allowed on {path}")
        raise ApiError(404, "ENDPOINT_NOT_FOUND", f"No API found for '{method} {path}'")


def ok(body: Any = None) -> Response:
    return Response(200, {} if body is None else body)


def _encode_token(after: str, page: int) -> str:
    raw = json.dumps({"after": after, "page": page}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _decode_token(token: str) -> tuple[str, int]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        return str(data["after"]), int(data["page"])
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise ApiError(400, "INVALID_PARAMETER_VALUE", "Invalid page_token.") from None


def max_results(req: Request, minimum_positive: int = 1) -> int | None:
    """The `max_results` query parameter, validated as Unity Catalog does."""
    raw = req.query.get("max_results")
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, "INVALID_PARAMETER_VALUE", "max_results must be an integer") from None
    if value < 0 or 0 < value < minimum_positive:
        raise ApiError(
            400,
            "INVALID_PARAMETER_VALUE",
            f"max_results must be 0 or at least {minimum_positive} (got {value})",
        )
    return value


def paginate(
    req: Request,
    items: Sequence[Any],
    key: Callable[[Any], str],
    page_size: int | None = None,
    minimum_positive: int = 1,
) -> tuple[list[Any], str | None]:
    """One page of `items` (sorted by `key`) and the next page token, or None at the end.

    Without `max_results` everything comes back on one page (the legacy unpaginated call).
    With paging, the first page is empty but carries a token when `empty_first_page` is set:
    Databricks documents that a page may be empty and clients must follow the token anyway.
    A page listed in the fault plan fails with 500 every time it is asked for.
    """
    limit = max_results(req, minimum_positive)
    if limit is None and "page_token" not in req.query:
        return list(items), None
    server_size = page_size or req.config.page_size
    size = server_size if not limit else min(limit, server_size)
    token = req.query.get("page_token")
    after, page = _decode_token(token) if token else (None, 0)
    if req.faults.page_fails(req.listing(), page):
        raise ApiError(500, "INTERNAL_ERROR", f"Internal error while listing page {page}.")
    if token is None and req.config.empty_first_page and items:
        return [], _encode_token("", 1)
    rest = [i for i in items if after is None or key(i) > after]
    chunk = rest[:size]
    if len(rest) > size:
        return chunk, _encode_token(key(chunk[-1]), page + 1)
    return chunk, None
