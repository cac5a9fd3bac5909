"""Benchmark stage `startup`: `govkit validate` of a small spec as pre-commit runs it.

Each run is a fresh process, so the figure is what a user waits for on every commit: the
interpreter, every import and the validation of the bundled catalogs/. Figures: the best and the
median of seven runs in wall seconds, the best in CPU seconds (user + system of the child, which
a loaded machine inflates less than wall time), and a bare interpreter's start-up beside them
(the floor of any command).
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

SIZES = ("S",)  # the bundled spec, whatever the estate size
RUNS = 7
SPEC = Path(__file__).resolve().parents[2] / "catalogs"


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _seconds(argv: list[str]) -> tuple[float, int, float]:
    """Wall seconds, exit code and CPU seconds of one fresh process."""
    start, cpu = time.perf_counter(), _cpu()
    done = subprocess.run(argv, capture_output=True, check=False)
    return time.perf_counter() - start, done.returncode, _cpu() - cpu


def run(spec_dir: str, work_dir: str) -> dict[str, Any]:
    validate = [sys.executable, "-m", "govkit", "validate", str(SPEC)]
    runs = sorted(_seconds(validate) for _ in range(RUNS))
    bare = min(_seconds([sys.executable, "-c", "pass"])[0] for _ in range(RUNS))
    return {
        "best_s": round(runs[0][0], 3),
        "median_s": round(runs[RUNS // 2][0], 3),
        "cpu_s": round(min(cpu for _, _, cpu in runs), 3),
        "python_s": round(bare, 3),
        "exit": max(code for _, code, _ in runs),
    }
