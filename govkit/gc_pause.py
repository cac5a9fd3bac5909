"""Pause CPython's cyclic garbage collector while a stage builds large acyclic data.

A spec of 120k securables is millions of small objects. The cyclic collector walks all of them at
every full pass, which at that size costs more than parsing the YAML (measured: 20 s of a 28 s
load). Nothing the pipeline builds is cyclic, so reference counting frees it all; one collection
runs when the pause ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
