"""A progress line on a terminal; nothing at all in CI or when stderr is not a terminal."""

from __future__ import annotations

import os
import sys
import threading


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
        self._lock = threading.Lock()

    def add(self, n: int) -> None:
        with self._lock:
            self.total += n
        self._draw()

    def step(self) -> None:
        with self._lock:
            self.done += 1
        self._draw()

    def _draw(self) -> None:
        if not self.enabled:
            return
        with self._lock:
            width = 30
            filled = width * self.done // self.total if self.total else 0
            bar = "#" * filled + "." * (width - filled)
            sys.stderr.write(f"\r{self.label} [{bar}] {self.done}/{self.total}")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")
            sys.stderr.flush()
