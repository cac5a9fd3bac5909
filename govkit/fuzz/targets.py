"""What is fuzzed, and what counts as a bug: anything but the reader's own coded failure.

A target turns bytes into one call of a reader. It returns quietly on success and on the
reader's coded failure (a diagnostic, a `...FormatError`, a 4xx with an `error_code`), and
raises `Bug` (or lets any other exception escape) on anything a user must never see.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import importlib
import importlib.util
import json
import socket
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from govkit.fuzz import seeds

TODAY = dt.date(2026, 11, 26)


class Bug(AssertionError):
    """An input made a reader fail in a way a user must never see."""


@dataclass
class Target:
    name: str
    seeds: tuple[bytes, ...]
    run: Callable[[bytes], None]
    kind: str  # "yaml", "json" or "http": how structured inputs are generated
    close: Callable[[], None] = field(default=lambda: None)


def _spec_target() -> Target:
    """The loader, the model, resolution and the policies (`govkit validate`), then compile."""
    from govkit.compile import CompileError, compile_stacks
    from govkit.pipeline import validate

    root = Path(tempfile.mkdtemp(prefix="govkit-fuzz-spec-"))
    (root / "domains").mkdir()
    files = {
        "govkit.yaml": seeds.ORGANISATION,
        "principals.yaml": seeds.PRINCIPALS,
        "domains/sales.yaml": seeds.DOMAIN,
    }
    names = list(files)

    def run(data: bytes) -> None:
        # The first byte picks the file the input replaces; the others stay valid.
        chosen = names[data[0] % len(names)] if data else names[-1]
        for name, text in files.items():
            (root / name).write_bytes(data[1:] if name == chosen else text)
        validated = validate(str(root), TODAY)
        for d in validated.diagnostics:
            if not d.code.startswith("GOV") or not d.message:
                raise Bug(f"a diagnostic without a code or message: {d}")
        if validated.spec is not None:
            with contextlib.suppress(CompileError):
                compile_stacks(validated.spec, validated.environments, "../modules")

    def close() -> None:
        import shutil

        shutil.rmtree(root, ignore_errors=True)

    seed = tuple(bytes([i]) + text for i, text in enumerate(files.values()))
    return Target("spec", seed, run, "yaml", close)


def _document_target(
    name: str, module: str, error: str, seed: bytes, dump: str = "dumps"
) -> Callable[[], Target]:
    def make() -> Target:
        mod = importlib.import_module(module)
        expected: type[Exception] = getattr(mod, error)

        def run(data: bytes) -> None:
            try:
                doc = mod.loads(data)
            except expected as exc:
                if not str(exc):
                    raise Bug(f"{error} without a message") from None
                return
            # What loads accepts, dumps writes back to the same value: canonical text.
            again = mod.loads(getattr(mod, dump)(doc))
            if again != doc:
                raise Bug("loads(dumps(doc)) != doc")

        return Target(name, (seed,), run, "json")

    return make


def _server_target() -> Target:
    """The local Unity Catalog server's request parsing, over HTTP, with a valid token."""
    from govkit.testing import UCServer
    from govkit.testing.sample import sample_state

    server = UCServer([sample_state(catalogs=1, schemas=1, tables=2)]).start()

    def run(data: bytes) -> None:
        method, target, body = request_of(data)
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        try:
            headers = {"Authorization": f"Bearer {server.token}"}
            connection.request(method, target, body=body, headers=headers)
            answer = connection.getresponse()
            payload = answer.read()
        except (http.client.HTTPException, OSError) as exc:
            raise Bug(f"{method} {target!r}: no answer ({type(exc).__name__}: {exc})") from None
        finally:
            connection.close()
        if answer.status >= 500:
            raise Bug(f"{method} {target!r}: {answer.status} {payload[:200]!r}")
        if answer.status >= 400:
            try:
                error = json.loads(payload)
            except ValueError:
                raise Bug(f"{method} {target!r}: {answer.status} without a JSON body") from None
            if not isinstance(error, dict) or not error.get("error_code"):
                raise Bug(f"{method} {target!r}: {answer.status} without an error_code")

    return Target("server", SERVER_SEEDS, run, "http", server.stop)


METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")
ROUTES = (
    "/api/2.1/unity-catalog/catalogs",
    "/api/2.1/unity-catalog/catalogs/domain0_prod",
    "/api/2.1/unity-catalog/schemas",
    "/api/2.1/unity-catalog/tables",
    "/api/2.1/unity-catalog/permissions/catalog/domain0_prod",
    "/api/2.1/unity-catalog/effective-permissions/table/domain0_prod.schema0.table0",
    "/api/2.1/unity-catalog/bindings/catalog/domain0_prod",
    "/api/2.1/unity-catalog/workspace-bindings/catalogs/domain0_prod",
    "/api/2.1/unity-catalog/current-metastore-assignment",
    "/api/2.0/preview/scim/v2/Groups",
    "/api/2.0/preview/scim/v2/ServicePrincipals",
    "/api/2.0/sql/statements",
    "/api/2.0/sql/statements/abc",
    "/api/2.0/lineage-tracking/table-lineage",
    "/api/2.1/clusters/list",
    "/api/2.2/jobs/list",
    "/api/2.2/jobs/get",
    "/api/2.0/instance-profiles/list",
    "/api/2.0/policies/clusters/list",
)
SERVER_SEEDS = (
    b"\x00\x00?max_results=1&page_token=abc\n",
    b'\x01\x00\n{"name": "x", "comment": "c"}',
    b'\x02\x04\n{"changes": [{"principal": "p", "add": ["SELECT"]}]}',
    b'\x01\x0b\n{"statement": "SELECT 1", "warehouse_id": "w", "wait_timeout": "0s"}',
    b'\x00\x09?filter=displayName eq "x"&startIndex=0&count=1\n',
    b"\x00\x0e?page_size=1&page_token=eyJvZmZzZXQiOiAxfQ==\n",
    b"\x00\x10?job_id=7&page_token=abc\n",
)


def request_of(data: bytes) -> tuple[str, str, bytes]:
    """Method, path with query and body from bytes: [method][route][suffix]\\n[body]."""
    method = METHODS[data[0] % len(METHODS)] if data else "GET"
    route = ROUTES[data[1] % len(ROUTES)] if len(data) > 1 else ROUTES[0]
    suffix, _, body = data[2:].partition(b"\n")
    # http.client refuses control characters and spaces in a URL; the server never sees them.
    tail = "".join(c if 32 < ord(c) < 127 else f"%{ord(c):02X}" for c in suffix.decode("latin-1"))
    return method, route + tail, body


def raw_http(port: int, data: bytes) -> bytes:
    """Send `data` as it is and return what came back (for malformed request lines)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


MAKERS: dict[str, Callable[[], Target]] = {
    "spec": _spec_target,
    "state": _document_target("state", "govkit.state", "StateFormatError", seeds.STATE),
    "identities": _document_target(
        "identities", "govkit.identity.document", "IdentitiesFormatError", seeds.IDENTITIES
    ),
    "lineage": _document_target(
        "lineage", "govkit.lineage.document", "LineageFormatError", seeds.LINEAGE
    ),
    "legacy": _document_target(
        "legacy", "govkit.legacy.document", "LegacyFormatError", seeds.LEGACY
    ),
    "server": _server_target,
}


def available() -> list[str]:
    """The targets whose reader exists in this installation (lineage lands separately)."""
    names = []
    for name in MAKERS:
        if name == "lineage" and importlib.util.find_spec("govkit.lineage") is None:
            continue
        names.append(name)
    return names


def make(name: str) -> Target:
    return MAKERS[name]()
