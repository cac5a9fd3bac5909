"""A live read started before the spec is validated, in a process of its own.

Importing databricks-sdk and building its client costs seconds of CPU, and a live read mostly
waits on the workspace; validating the spec is CPU work too. `ReadAhead` starts
`python -m govkit.live.ahead` at once: the child imports the SDK and resolves the credentials
while the parent loads the spec, then reads what the parent names on its stdin (a JSON object:
`catalogs`, a list of names, and `storage`, a list of [type, name] pairs), and answers on its
stdout (`hosts` too: workspace id -> URL, for isolated catalogs) with a line `state` and the
State document, or a line `error` and the reason. The child
inherits the environment (credentials, GOVKIT_* settings) and stderr (progress and retry
notices). A parent that stops early closes the child's stdin, and the child exits without
reading anything.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Collection, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING

from govkit.live.settings import environment_seconds
from govkit.state import State, StateFormatError, dumps, loads

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient


class LiveReadError(Exception):
    """The read could not be made; the message is one line, without credentials."""


class ReadAhead:
    """The child process of one live read: `read(catalogs)` once, then it is done."""

    def __init__(
        self, source: str, environment: str, include_all: bool, warehouse_id: str | None
    ) -> None:
        self.source = source
        environment_seconds()  # a bad GOVKIT_* value stops the command here, not in the child
        args = [sys.executable, "-m", "govkit.live.ahead", source, environment]
        if include_all:
            args.append("--all")
        if warehouse_id:
            args += ["--warehouse-id", warehouse_id]
        self._process: subprocess.Popen[bytes] | None = subprocess.Popen(
            args, stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )

    def read(
        self,
        catalogs: Sequence[str],
        storage: Collection[tuple[str, str]] = (),
        hosts: Mapping[int, str] | None = None,
    ) -> State:
        """The live State of `catalogs` and `storage` (see `read_live`), or LiveReadError."""
        process, self._process = self._process, None
        if process is None:
            raise LiveReadError("the live read was already taken")
        asked = {
            "catalogs": list(catalogs),
            "storage": sorted(storage),
            "hosts": {str(k): v for k, v in sorted((hosts or {}).items())},
        }
        out, _ = process.communicate(json.dumps(asked).encode())
        kind, _, body = out.partition(b"\n")
        if kind == b"error":
            raise LiveReadError(body.decode("utf-8", "replace"))
        if kind != b"state":
            raise LiveReadError(
                f"live read from {self.source} failed: the reader exited {process.returncode} "
                "without an answer"
            )
        try:
            return loads(body)
        except StateFormatError as exc:
            raise LiveReadError(f"live read from {self.source} failed: {exc}") from None

    def close(self) -> None:
        """Stop a child whose read was never asked for."""
        process, self._process = self._process, None
        if process is None:
            return
        assert process.stdin is not None  # opened with a pipe
        process.stdin.close()  # the child sees no catalogs and exits
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _answer(args: argparse.Namespace) -> tuple[str, str] | None:
    """Build the client, wait for the catalogs, read; None when the parent stopped early."""
    from databricks.sdk.errors.base import DatabricksError

    from govkit.live import read_live
    from govkit.live.client import ClientConfigError, make_client
    from govkit.live.resilience import ReadFailed
    from govkit.live.settings import ReaderSettings

    settings = ReaderSettings()
    failed = (ClientConfigError, ReadFailed, DatabricksError, ValueError, OSError)
    client: WorkspaceClient | Exception
    try:
        client = make_client(settings)
    except failed as exc:
        client = exc  # reported once the parent asks, after its own checks
    asked = sys.stdin.read()
    if not asked:
        return None
    try:
        if isinstance(client, Exception):
            raise client
        scope = json.loads(asked)
        state = read_live(
            "warehouse" if args.source == "warehouse" else "workspace",
            environment=args.environment,
            catalogs=scope["catalogs"],
            storage=[(str(kind), str(name)) for kind, name in scope["storage"]],
            include_all=args.include_all,
            warehouse_id=args.warehouse_id,
            client=client,
            settings=settings,
            hosts={int(k): str(v) for k, v in (scope.get("hosts") or {}).items()},
        )
    except failed as exc:
        return "error", f"live read from {args.source} failed: {exc}"
    return "state", dumps(state)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m govkit.live.ahead")
    parser.add_argument("source", choices=("workspace", "warehouse"))
    parser.add_argument("environment")
    parser.add_argument("--all", dest="include_all", action="store_true")
    parser.add_argument("--warehouse-id")
    answer = _answer(parser.parse_args(argv))
    if answer is not None:
        kind, body = answer
        sys.stdout.buffer.write(f"{kind}\n{body}".encode())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
