"""A local Microsoft Graph server over an identities document, for the real msgraph-sdk.

Standard library only. Use it as a context manager:

    with GraphServer(identities, token="t") as server:
        ...  # GOVKIT_GRAPH_TOKEN=t govkit identities pull --graph-url {server.url}

or from a shell: `python -m govkit.testing.graphserver --directory FILE --port N --token T`.
It serves `http://127.0.0.1:PORT/v1.0`, refuses a missing or wrong bearer token (401), answers
`$batch` (at most 20 requests, a status per part), and throttles on request (`GraphFaults`):
429 with or without `Retry-After`, on whole requests or on parts of a batch.
"""

from __future__ import annotations

import json
import re
import secrets
import sys
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govkit.identity.document import Identities, IdentitiesFormatError, loads
from govkit.testing import graphapi, graphdelta
from govkit.testing.graphapi import GraphError, GraphRequest, GraphResponse, Handler
from govkit.testing.graphdirectory import Directory, build_directory
from govkit.testing.http import (
    BodyRefused,
    JsonHandler,
    arguments,
    crashed,
    listen,
    read_body,
    serve,
    serve_until_interrupted,
)

MAX_BATCH = 20
API_PREFIX = "/v1.0"


@dataclass(frozen=True)
class GraphFaults:
    """What goes wrong, deterministically.

    - `throttle_first`: each distinct request (method and target) meets 429 on its first N tries.
    - `retry_after`: the Retry-After seconds of a 429, or None for a 429 without the header.
    - `paths`: substrings of `path?query`; when set, throttling hits only matching requests.
    - `fail_paths`: substrings of `path?query` that always answer 500 (a page that fails).
    - `unavailable`: every request answers 503 with Retry-After (Graph is down).
    Parts of a `$batch` are requests of their own here: each can be throttled or fail.
    """

    throttle_first: int = 0
    retry_after: int | None = 1
    paths: tuple[str, ...] = ()
    fail_paths: tuple[str, ...] = ()
    unavailable: bool = False


@dataclass(frozen=True)
class Seen:
    """One request as the server saw it (parts of a batch are recorded with `in_batch`)."""

    method: str
    target: str
    status: int
    in_batch: bool = False


class _Router:
    def __init__(self) -> None:
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        self.routes.append((method, re.compile(f"^{pattern}$"), handler))

    def match(self, method: str, path: str) -> tuple[Handler, tuple[str, ...]]:
        for m, regex, handler in self.routes:
            found = regex.match(path)
            if found and m == method:
                return handler, found.groups()
        if any(regex.match(path) for _, regex, _ in self.routes):
            raise GraphError(405, "Request_BadRequest", f"Method {method} is not allowed.")
        segment = path.strip("/").split("/", 1)[0].split("(", 1)[0]
        raise GraphError(
            400,
            "BadRequest",
            f"Resource not found for the segment '{segment}'.",
        )


class GraphServer:
    """The server: `.url` (ends in /v1.0), `.token`, `.directory`, `.requests`, `.faults`."""

    def __init__(
        self,
        identities: Identities | None = None,
        *,
        port: int = 0,
        token: str | None = None,
        faults: GraphFaults | None = None,
    ) -> None:
        self.directory: Directory = (
            build_directory(identities) if identities is not None else Directory()
        )
        self.token = token or f"graph-local-{secrets.token_hex(16)}"
        self.faults = faults or GraphFaults()
        self._router = _Router()
        graphdelta.register(self._router.add)
        graphapi.register(self._router.add)
        self._seen: list[Seen] = []
        self._tries: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._httpd = listen(port, _Handler, self)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    def start(self) -> GraphServer:
        self._thread = serve(self._httpd)
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> GraphServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def requests(self) -> list[Seen]:
        with self._lock:
            return list(self._seen)

    @property
    def request_count(self) -> int:
        """HTTP requests received (a `$batch` counts once)."""
        with self._lock:
            return sum(not s.in_batch for s in self._seen)

    def reset_counts(self) -> None:
        with self._lock:
            self._seen.clear()
            self._tries.clear()

    def _record(self, seen: Seen) -> None:
        with self._lock:
            self._seen.append(seen)

    # -- one request ---------------------------------------------------------------------------

    def handle(self, handler: _Handler) -> None:
        parts = urllib.parse.urlsplit(handler.path)
        headers = {k.lower(): v for k, v in handler.headers.items()}
        try:
            raw = read_body(handler.headers, handler.rfile)
        except BodyRefused as exc:
            handler.close_connection = True  # the unread body must not be taken for a request
            _send(handler, self._error(GraphError(exc.status, "BadRequest", str(exc))))
            return
        path = re.sub("/{2,}", "/", parts.path)
        target = f"{path}?{parts.query}" if parts.query else path
        try:
            if headers.get("authorization") != f"Bearer {self.token}":
                raise _unauthenticated(headers.get("authorization"))
            if not path.startswith(API_PREFIX + "/"):
                raise GraphError(400, "BadRequest", "Invalid version.")
            self._fault(handler.command, target)
            sub = path[len(API_PREFIX) :]
            if sub == "/$batch" and handler.command == "POST":
                response = self._batch(raw)
            else:
                response = self.dispatch(handler.command, sub, parts.query, headers)
        except GraphError as exc:
            response = self._error(exc)
        except Exception:  # a bug of the server: Graph's 500, not a dropped connection
            response = self._crashed()
        self._record(Seen(handler.command, target, response.status))
        _send(handler, response)

    def dispatch(
        self, method: str, path: str, query_text: str, headers: dict[str, str]
    ) -> GraphResponse:
        query = {k: v[-1] for k, v in urllib.parse.parse_qs(query_text, True).items()}
        path = urllib.parse.unquote(path)
        req = GraphRequest(method, path, query, headers, self.url, self.directory)
        try:
            handler, req.params = self._router.match(method, path)
            return handler(req)
        except GraphError as exc:
            return self._error(exc)
        except (ValueError, KeyError, TypeError) as exc:
            return self._error(GraphError(400, "BadRequest", f"Invalid request: {exc}"))
        except Exception:  # a part of a $batch too answers 500, as Graph's do
            return self._crashed()

    def _crashed(self) -> GraphResponse:
        return self._error(GraphError(500, "generalException", crashed()))

    def _fault(self, method: str, target: str) -> None:
        f = self.faults
        if f.unavailable:
            raise GraphError(503, "serviceNotAvailable", "Service unavailable.")
        if any(p in target for p in f.fail_paths):
            raise GraphError(500, "generalException", "An internal server error occurred.")
        if f.throttle_first <= 0 or (f.paths and not any(p in target for p in f.paths)):
            return
        key = f"{method} {target}"
        with self._lock:
            self._tries[key] += 1
            tries = self._tries[key]
        if tries <= f.throttle_first:
            raise GraphError(
                429,
                "TooManyRequests",
                "Too many requests from Identifier under tenant. Please try again later.",
            )

    def _error(self, exc: GraphError) -> GraphResponse:
        headers = {}
        if exc.status in (429, 503) and self.faults.retry_after is not None:
            headers["Retry-After"] = str(self.faults.retry_after)
        inner = {
            "date": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()),
            "request-id": str(uuid.uuid4()),
            "client-request-id": str(uuid.uuid4()),
        }
        body = {"error": {"code": exc.code, "message": exc.message, "innerError": inner}}
        return GraphResponse(exc.status, body, headers)

    # -- $batch --------------------------------------------------------------------------------

    def _batch(self, raw: bytes) -> GraphResponse:
        try:
            body = json.loads(raw or b"null")
        except json.JSONDecodeError:
            raise GraphError(400, "BadRequest", "Invalid batch payload format.") from None
        parts = body.get("requests") if isinstance(body, dict) else None
        if not isinstance(parts, list) or not all(isinstance(p, dict) for p in parts):
            raise GraphError(400, "BadRequest", "Invalid batch payload format.")
        if len(parts) > MAX_BATCH:
            raise GraphError(
                400, "BadRequest", f"A maximum of {MAX_BATCH} requests is allowed per batch."
            )
        ids = [str(p.get("id", "")) for p in parts]
        if len(set(ids)) != len(ids) or not all(ids):
            raise GraphError(400, "BadRequest", "Batch request ids must be unique and present.")
        statuses: dict[str, int] = {}
        responses = []
        for part, part_id in zip(parts, ids, strict=False):
            depends = part.get("dependsOn", part.get("depends_on")) or []
            if any(statuses.get(str(d), 200) >= 400 for d in depends):
                result = self._error(GraphError(424, "FailedDependency", "Failed dependency."))
            else:
                result = self._part(part)
            statuses[part_id] = result.status
            headers = {"Content-Type": "application/json", **result.headers}
            responses.append({"id": part_id, "status": result.status, "headers": headers,
                              "body": result.body})  # fmt: skip
        return GraphResponse(200, {"responses": responses})

    def _part(self, part: dict[str, Any]) -> GraphResponse:
        method = str(part.get("method", "GET")).upper()
        url = urllib.parse.urlsplit(str(part.get("url", "")))
        path = re.sub("/{2,}", "/", "/" + url.path.lstrip("/"))
        if path.startswith(API_PREFIX + "/"):
            path = path[len(API_PREFIX) :]
        target = f"{path}?{url.query}" if url.query else path
        headers = {str(k).lower(): str(v) for k, v in (part.get("headers") or {}).items()}
        try:
            self._fault(method, target)
            result = self.dispatch(method, path, url.query, headers)
        except GraphError as exc:
            result = self._error(exc)
        self._record(Seen(method, target, result.status, in_batch=True))
        return result


def _unauthenticated(header: str | None) -> GraphError:
    if not header:
        return GraphError(401, "InvalidAuthenticationToken", "Access token is empty.")
    return GraphError(
        401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience."
    )


def _send(handler: _Handler, response: GraphResponse) -> None:
    if response.text is not None:
        handler.send(response.status, None, response.headers, response.text.encode(), "text/plain")
    else:
        handler.send(response.status, response.body, response.headers)


class _Handler(JsonHandler):
    server_version = "govkit-graphserver"


def main(argv: list[str] | None = None) -> int:
    """`python -m govkit.testing.graphserver --directory FILE --port N --token T`."""
    parser = arguments("python -m govkit.testing.graphserver", 8765, "A local Microsoft Graph.")
    parser.add_argument("--directory", required=True, help="an identities document to serve")
    args = parser.parse_args(argv)
    try:
        identities = loads(Path(args.directory).read_bytes())
    except (OSError, IdentitiesFormatError) as exc:
        print(f"govkit.testing.graphserver: {args.directory}: {exc}", file=sys.stderr)
        return 1
    try:
        server = GraphServer(identities, port=args.port, token=args.token)
    except OSError as exc:
        print(f"govkit.testing.graphserver: port {args.port}: {exc.strerror}", file=sys.stderr)
        return 1
    print(f"serving Microsoft Graph on {server.url}", flush=True)
    print(f"GOVKIT_GRAPH_TOKEN={server.token} --graph-url {server.url}", flush=True)
    serve_until_interrupted(server.start, server.stop)
    return 0


if __name__ == "__main__":
    sys.exit(main())
