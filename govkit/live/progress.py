"""What a live read tells the person waiting: notices always, a progress line on a terminal.

A notice (the first connection failure, naming the host tried) is one stderr line wherever
stderr goes. The progress line is drawn only on a terminal outside CI; while it is shown, a
ticker redraws it every second with the elapsed time and what the read is waiting for, so that a
long wait (a retry, a slow host) never looks like a hang.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
U = TypeVar("U")
TICK_SECONDS = 1.0


def wanted(setting: bool | None) -> bool:
    if setting is not None:
        return setting
    return sys.stderr.isatty() and not os.environ.get("CI")


class Progress:
    """Counts finished requests against a growing total and redraws one stderr line."""

    def __init__(self, label: str, enabled: bool) -> None:
        self.label = label
        self.enabled = enabled
        self.done = 0
        self.total = 0
        self.status = ""
        self._noticed: set[str] = set()
        self._started = time.monotonic()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        if enabled:
            self._ticker = threading.Thread(target=self._tick, name="govkit-progress", daemon=True)
            self._ticker.start()

    def add(self, n: int) -> None:
        with self._lock:
            self.total += n
        self._draw()

    def step(self) -> None:
        with self._lock:
            self.done += 1
        self._draw()

    def counted(self, fn: Callable[[T], U]) -> Callable[[T], U]:
        """`fn`, counting one finished step each time it returns or raises."""

        def run(item: T) -> U:
            try:
                return fn(item)
            finally:
                self.step()

        return run

    def waiting(self, status: str) -> None:
        """Show what the read waits for (empty when it waits for nothing in particular)."""
        with self._lock:
            self.status = status
        self._draw()

    def notice(self, text: str) -> None:
        """Print `text` on its own stderr line, once, terminal or not."""
        with self._lock:
            if text in self._noticed:
                return
            self._noticed.add(text)
            clear = "\r\x1b[K" if self.enabled else ""
            sys.stderr.write(f"{clear}{text}\n")
            sys.stderr.flush()
        self._draw()

    def _tick(self) -> None:
        while not self._stop.wait(TICK_SECONDS):
            self._draw()

    def _draw(self) -> None:
        if not self.enabled or self._stop.is_set():
            return
        with self._lock:
            width = 30
            filled = width * self.done // self.total if self.total else 0
            bar = "#" * filled + "." * (width - filled)
            elapsed = time.monotonic() - self._started
            status = f"  {self.status}" if self.status else ""
            line = f"{self.label} [{bar}] {self.done}/{self.total}  {elapsed:.0f}s{status}"
            sys.stderr.write(f"\r\x1b[K{line}")
            sys.stderr.flush()

    def close(self) -> None:
        if not self.enabled or self._stop.is_set():
            return
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        sys.stderr.write("\n")
        sys.stderr.flush()
