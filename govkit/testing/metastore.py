"""A local Unity Catalog API server that speaks the Databricks wire format over HTTP.

Standard library only (`ThreadingHTTPServer`), so that it starts in milliseconds in tests.
Use it as a context manager:

    with UCServer(states=[desired]) as server:
        client = WorkspaceClient(host=server.url, token=server.token, auth_type="pat")

or from a shell: `python -m govkit.testing.ucserver [--state FILE] --port N` (its command line,
which also gives this class its usual import path); without `--state` it starts empty.

One server is one metastore. Besides its own port it can listen as further hosts that share the
same metastore: the account host (`add_host("account")`, which answers
`/.well-known/databricks-config` with `host_type: account`, so that the provider and the SDK use
the account APIs) and other workspaces (`add_host(workspace_id=3001)`), as a real metastore is
shared by the workspaces assigned to it.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from govkit.state import State
from govkit.testing import (
    accountapi,
    callers,
    computeapi,
    scimapi,
    scimgroups,
    sqlapi,
    ucapi,
    ucgrants,
    ucstorage,
    ucvolumes,
)
from govkit.testing.faults import FaultDecider, FaultKind, Faults
from govkit.testing.http import (
    BodyRefused,
    Host,
    JsonHandler,
    Request,
    Response,
    Router,
    ServerConfig,
    crashed,
    listen,
    read_body,
    serve,
)
from govkit.testing.store import ApiError, Store, dump_document, load_document

_UNAUTHENTICATED_PATHS = ("/.well-known/", "/blob/")
_FAULT_FREE_PATHS = ("/.well-known/",)


@dataclass(frozen=True)
class Seen:
    """One request as the server saw it."""

    method: str
    target: str  # path?query, parameters sorted
    status: int  # 0 when the connection was dropped
    at: float  # time.monotonic() on arrival
    fault: FaultKind | None
    route: str = ""  # `METHOD pattern` of the matched route; "" when none matched


class UCServer:
    """The server: `.url`, `.token`, `.request_count`, `.requests`, `.store`, `.faults`."""

    def __init__(
        self,
        states: Iterable[State] = (),
        *,
        lineage: Iterable[dict[str, Any]] = (),
        audit: Iterable[dict[str, Any]] = (),
        port: int = 0,
        token: str | None = None,
        faults: Faults | None = None,
        config: ServerConfig | None = None,
        strict: bool = False,
        workspace_id: int | None = None,
    ) -> None:
        self.store = Store()
        if workspace_id is not None:
            self.store.workspace_id = workspace_id
        self.strict = strict
        if strict:
            self.store.add_maintained_catalogs()
        self.store.load_states(states)
        self.store.lineage.extend(dict(r) for r in lineage)
        self.store.audit.extend(dict(r) for r in audit)
        self._token = ""
        self.token = token or f"dapi-local-{secrets.token_hex(16)}"
        self.config = config or ServerConfig()
        self._decider = FaultDecider(faults or Faults())
        self._router = Router()
        for module in (
            ucapi,
            ucvolumes,
            ucgrants,
            ucstorage,
            scimapi,
            scimgroups,
            sqlapi,
            accountapi,
        ):
            module.register(self._router)
        self.compute = computeapi.ComputeEstate()  # clusters, policies, jobs: per workspace
        computeapi.register(self._router, self.compute)
        self._seen: list[Seen] = []
        self._seen_lock = threading.Lock()
        # A strict server's own port is one workspace, whose bindings hold; a lenient one reaches
        # every catalog, as if it were bound to them all (for demos and old tests).
        self._httpd = self._listen(port, Host(isolated=strict))
        self._others: list[ThreadingHTTPServer] = []
        self._threads: list[threading.Thread] = []

    # -- lifecycle -----------------------------------------------------------------------------

    def _listen(self, port: int, host: Host) -> ThreadingHTTPServer:
        httpd = listen(port, _Handler, self)
        httpd.host = host  # type: ignore[attr-defined]  # which host a request was sent to
        return httpd

    @property
    def token(self) -> str:
        """The server's own token: a metastore admin's."""
        return self._token

    @token.setter
    def token(self, value: str) -> None:
        with self.store.lock:
            self.store.callers.pop(self._token, None)
            self._token = value
            self.store.callers[value] = callers.Caller(self.store.caller, "metastore_admin")

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add_host(
        self, kind: str = "workspace", workspace_id: int | None = None, port: int = 0
    ) -> str:
        """Listen on a port of its own (0: any free one) as the account host or as another
        workspace; its URL. The new host answers `/.well-known/databricks-config`; it serves
        until `stop`.
        """
        if kind not in ("workspace", "account"):
            raise ValueError(f"host kind must be workspace or account, not {kind!r}")
        httpd = self._listen(port, Host(kind, workspace_id, metadata=True, isolated=True))
        self._others.append(httpd)
        if self._threads:
            self._serve(httpd)
        return f"http://127.0.0.1:{httpd.server_address[1]}"

    def _serve(self, httpd: ThreadingHTTPServer) -> None:
        self._threads.append(serve(httpd))

    def start(self) -> UCServer:
        for httpd in (self._httpd, *self._others):
            self._serve(httpd)
        return self

    def stop(self) -> None:
        listeners = (self._httpd, *self._others)
        if self._threads:
            for httpd in listeners:
                httpd.shutdown()
            for thread in self._threads:
                thread.join()
            self._threads = []
        for httpd in listeners:
            httpd.server_close()

    def __enter__(self) -> UCServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- state, faults and what was seen -------------------------------------------------------

    @property
    def faults(self) -> Faults:
        return self._decider.faults

    @faults.setter
    def faults(self, value: Faults) -> None:
        self._decider = FaultDecider(value)

    @property
    def requests(self) -> list[Seen]:
        with self._seen_lock:
            return list(self._seen)

    @property
    def request_count(self) -> int:
        with self._seen_lock:
            return len(self._seen)

    def requests_by_route(self) -> Counter[str]:
        """How many requests each route answered (`METHOD pattern`), and unmatched ones."""
        with self._seen_lock:
            return Counter(s.route or f"{s.method} (no route)" for s in self._seen)

    def reset_counts(self) -> None:
        with self._seen_lock:
            self._seen.clear()

    def add_tables(self, states: Iterable[State]) -> None:
        """The tables of `states` as pipelines create them: in their schema now if it exists,
        else as soon as the schema is created (Terraform creates catalogs and schemas, not
        tables). Owners come from the documents; grants are left to whoever applies them."""
        with self.store.lock:
            for state in states:
                self.store.add_tables(s for s in state.securables if s.type.value == "table")

    def add_caller(
        self,
        name: str,
        role: str = "user",
        groups: Iterable[str] = (),
        token: str | None = None,
    ) -> str:
        """A further principal that may call the server (`callers.ROLES`); its bearer token.

        The server's own token stays a metastore admin; a caller added here sees and changes
        only what Unity Catalog lets that principal see and change."""
        token = token or f"dapi-local-{secrets.token_hex(16)}"
        with self.store.lock:
            self.store.callers[token] = callers.Caller(name, role, frozenset(groups))
        return token

    def delete_principal(self, name: str) -> None:
        """A principal deleted from the account: its grants stay, shown only by id on request."""
        with self.store.lock:
            self.store.deleted[name] = f"{9000000000000001 + len(self.store.deleted)}"

    def add_principals(self, names: Iterable[str]) -> None:
        """Groups and users the account knows (as synced from the identity provider). Once any
        are added, a grant to a principal that is neither one of them nor a service principal
        fails as a real metastore fails it: "Could not find principal with name ..."."""
        with self.store.lock:
            self.store.directory = {*(self.store.directory or ()), *names}

    def load(self, path: str | Path) -> None:
        """Load a State document, a list of them, or a file written by `dump`."""
        with self.store.lock:
            load_document(self.store, json.loads(Path(path).read_text(encoding="utf-8")))

    def dump(self) -> dict[str, Any]:
        """The stored securables as a State document plus lineage, audit rows and principals."""
        return dump_document(self.store)

    def dump_state(self) -> State:
        with self.store.lock:
            return self.store.dump_state()

    # -- one request ---------------------------------------------------------------------------

    def _record(self, seen: Seen) -> None:
        with self._seen_lock:
            self._seen.append(seen)

    def handle(self, handler: _Handler) -> None:
        host: Host = handler.server.host  # type: ignore[attr-defined]  # set by `_listen`
        arrived = time.monotonic()
        parts = urllib.parse.urlsplit(handler.path)
        query = {k: v[-1] for k, v in urllib.parse.parse_qs(parts.query, True).items()}
        headers = {k: v for k, v in handler.headers.items()}
        try:
            raw = read_body(handler.headers, handler.rfile)
        except BodyRefused as exc:
            handler.close_connection = True  # the unread body must not be taken for a request
            _send(handler, _error(ApiError(exc.status, "INVALID_PARAMETER_VALUE", str(exc)), 0))
            return
        req = Request(
            handler.command, parts.path, query, None, headers, self.url, self.store,
            self._decider, self.config, host=host,
        )  # fmt: skip
        fault: FaultKind | None = None
        try:
            req.body = json.loads(raw) if raw.strip() else None
            self._authenticate(req)
            if not req.path.startswith(_FAULT_FREE_PATHS):
                fault = self._decider.transient(req.method, req.target)
                self._inject(req, fault)
            if fault == "drop":
                self._record(Seen(req.method, req.target, 0, arrived, fault))
                handler.close_connection = True
                return
            handler_fn, req.params, req.route = self._router.match(req.method, req.path)
            response = handler_fn(req)
        except ApiError as exc:
            response = _error(exc, self.faults.retry_after)
        except json.JSONDecodeError:
            response = _error(ApiError(400, "MALFORMED_REQUEST", "Invalid JSON body"), 0)
        except (ValueError, KeyError, TypeError) as exc:
            # A request the handlers did not expect: answer it as Databricks would, not hang up.
            message = f"Invalid request: {type(exc).__name__}: {exc}"
            response = _error(ApiError(400, "INVALID_PARAMETER_VALUE", message), 0)
        except Exception:  # a bug of the server: Databricks's 500, not a dropped connection
            response = _error(ApiError(500, "INTERNAL_ERROR", crashed()), 0)
        self._record(Seen(req.method, req.target, response.status, arrived, fault, req.route))
        _send(handler, response)

    def _authenticate(self, req: Request) -> None:
        if req.path.startswith(_UNAUTHENTICATED_PATHS):
            return
        given = req.headers.get("Authorization", "")
        with self.store.lock:
            caller = self.store.callers.get(given.removeprefix("Bearer "))
        if caller is None or not given.startswith("Bearer "):
            raise ApiError(401, "UNAUTHENTICATED", "Invalid access token.")
        req.caller = caller

    def _inject(self, req: Request, fault: FaultKind | None) -> None:
        """Answer the injected fault (as an ApiError), or delay a slow answer."""
        if self._decider.persistent(req.target):
            raise ApiError(500, "INTERNAL_ERROR", "Injected persistent failure.")
        if self._decider.gone(req.target):
            raise ApiError(404, "NOT_FOUND", "The specified blob does not exist.")
        if fault == "429":
            raise ApiError(429, "REQUEST_LIMIT_EXCEEDED", "Rate limit exceeded, try again later.")
        if fault == "503":
            raise ApiError(
                503, "TEMPORARILY_UNAVAILABLE", "The service is temporarily unavailable."
            )
        if fault == "500":
            raise ApiError(500, "INTERNAL_ERROR", "Injected internal error.")
        if fault == "slow":
            time.sleep(self.faults.slow_seconds)


def _error(exc: ApiError, retry_after: int) -> Response:
    headers = {"Retry-After": str(retry_after)} if exc.status in (429, 503) else {}
    return Response(exc.status, {"error_code": exc.code, "message": exc.message}, headers)


def _send(handler: _Handler, response: Response) -> None:
    handler.send(response.status, response.body, response.headers, response.raw)


class _Handler(JsonHandler):
    server_version = "govkit-ucserver"
