"""Benchmark stage `startup`: `govkit validate` of a small spec as pre-commit runs it.

Each run is a fresh process, so the figure is what a user waits for on every commit: the
interpreter, every import and the validation of the bundled catalogs/. Figures: the best and the
median of seven runs, and a bare interpreter's start-up beside them (the floor of any command).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

SIZES = ("S",)  # the bundled spec, whatever the estate size
RUNS = 7
SPEC = Path(__file__).resolve().parents[2] / "catalogs"


def _seconds(argv: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, check=False)
    return time.perf_counter() - start, done.returncode


def run(spec_dir: str, work_dir: str) -> dict[str, Any]:
    validate = [sys.executable, "-m", "govkit", "validate", str(SPEC)]
    runs = sorted(_seconds(validate) for _ in range(RUNS))
    bare = min(_seconds([sys.executable, "-c", "pass"])[0] for _ in range(RUNS))
    return {
        "best_s": round(runs[0][0], 3),
        "median_s": round(runs[RUNS // 2][0], 3),
        "python_s": round(bare, 3),
        "exit": max(code for _, code in runs),
    }
