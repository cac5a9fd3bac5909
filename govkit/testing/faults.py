"""Seeded, reproducible fault injection for the local Unity Catalog API server.

A request's fate depends only on the seed, the request line and how many times that same
request was seen before, never on thread timing: the same run sees the same faults. The one
exception is `limit_per_second`, a rate limit, which is about time by nature.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import Literal

FaultKind = Literal["429", "500", "503", "slow", "drop"]
ALL_KINDS: tuple[FaultKind, ...] = ("429", "500", "503", "slow", "drop")


@dataclass(frozen=True)
class Faults:
    """What goes wrong, and how often.

    - `rate`: share of API requests that meet a transient fault, drawn from `kinds`.
    - `retry_after`: seconds in the Retry-After header of 429 and 503 answers.
    - `slow_seconds`: delay of a `slow` answer (which then succeeds).
    - `fail_paths`: substrings of `path?query`; matching requests always fail with 500.
    - `fail_pages`: (substring of `path?query`, page index); that page of a listing always fails.
    - `fail_statements`: substrings of SQL; a matching statement ends in state FAILED.
    - `cancel_statements`: substrings of SQL; a matching statement ends in state CANCELED.
    - `gone_paths`: substrings of `path?query`; matching requests answer 404 (an external link
      whose object is gone).
    - `paths`: substrings of `path?query`; when set, transient faults hit only these requests.
    - `fail_first`: every (matching) request meets `kinds[0]` on its first N tries, then not:
      a flaky API without randomness.
    - `limit_per_second`: the workspace's own rate limit, as a real one paces a large read:
      requests beyond that many a second (a burst of as many allowed) answer 429 with
      Retry-After, whatever the seed; 0 for none. Databricks documents such per-endpoint
      limits and answers 429 beyond them ("Resource limits", Databricks docs:
      https://docs.databricks.com/en/resources/limits.html).
    """

    seed: int = 0
    rate: float = 0.0
    kinds: tuple[FaultKind, ...] = ALL_KINDS
    retry_after: int = 1
    slow_seconds: float = 0.05
    fail_paths: tuple[str, ...] = ()
    fail_pages: tuple[tuple[str, int], ...] = ()
    fail_statements: tuple[str, ...] = ()
    cancel_statements: tuple[str, ...] = ()
    gone_paths: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    fail_first: int = 0
    limit_per_second: float = 0.0


class FaultDecider:
    """Decides the fate of each request from the seed and the request's occurrence count."""

    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self._seen: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._tokens = faults.limit_per_second
        self._stamp = time.monotonic()

    def transient(self, method: str, target: str) -> FaultKind | None:
        """The transient fault for this request, or None; `target` is `path?query`."""
        f = self.faults
        if f.limit_per_second > 0 and not self._within_limit():
            return "429"
        if (f.rate <= 0 and f.fail_first <= 0) or not f.kinds:
            return None
        if f.paths and not any(p in target for p in f.paths):
            return None
        key = f"{method} {target}"
        with self._lock:
            self._seen[key] += 1
            nth = self._seen[key]
        if f.fail_first > 0:
            return f.kinds[0] if nth <= f.fail_first else None
        draw, pick = _draws(f"{f.seed}|{key}|{nth}")
        if draw >= f.rate:
            return None
        return f.kinds[int(pick * len(f.kinds)) % len(f.kinds)]

    def _within_limit(self) -> bool:
        """Take a token of the server's bucket; False when the caller is over the limit."""
        rate = self.faults.limit_per_second
        with self._lock:
            now = time.monotonic()
            self._tokens = min(rate, self._tokens + (now - self._stamp) * rate)
            self._stamp = now
            if self._tokens < 1:
                return False
            self._tokens -= 1
            return True

    def persistent(self, target: str) -> bool:
        return any(s in target for s in self.faults.fail_paths)

    def page_fails(self, target: str, page_index: int) -> bool:
        return any(s in target and i == page_index for s, i in self.faults.fail_pages)

    def statement_fails(self, sql: str) -> bool:
        return any(s in sql for s in self.faults.fail_statements)

    def statement_canceled(self, sql: str) -> bool:
        return any(s in sql for s in self.faults.cancel_statements)

    def gone(self, target: str) -> bool:
        return any(s in target for s in self.faults.gone_paths)


def _draws(text: str) -> tuple[float, float]:
    digest = hashlib.sha256(text.encode()).digest()
    scale = float(1 << 32)
    return (
        int.from_bytes(digest[:4], "big") / scale,
        int.from_bytes(digest[4:8], "big") / scale,
    )


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on: a connection to it is refused."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ResettingHost:
    """A host on 127.0.0.1 that accepts each connection, reads the request and resets it
    (a TCP RST, as a firewall or a crashed load balancer sends): `.url`, a context manager."""

    def __init__(self) -> None:
        import socket

        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def _serve(self) -> None:
        import socket
        import struct

        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:  # the listener was closed
                return
            with conn:
                conn.settimeout(5)
                with contextlib.suppress(OSError):
                    conn.recv(65536)
                # SO_LINGER on with a zero timeout: close() sends RST instead of FIN.
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    def __enter__(self) -> ResettingHost:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        import socket

        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() on Linux
        self._listener.close()
        self._thread.join(timeout=5)
