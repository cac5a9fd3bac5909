"""Benchmark stage `request`: `govkit request` on a copy of the estate, as a user runs it.

The copy is made outside the timing; `request_seconds` is the command's wall time (start-up,
locating the domain file, the round-trip edit, in-memory validation, the atomic write), and
`again_seconds` the second, idempotent run that finds the access already granted.
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ARGS = [
    "--principal", "d000-a2", "--on", "d000.s01.t003", "--env", "dev",
    "--privileges", "MODIFY", "--reason", "BENCH-1 backfill",
    "--as-of", "2026-11-26",
]  # fmt: skip


def _timed(spec: Path) -> tuple[float, float, str]:
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "govkit", "request", str(spec), *ARGS],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_seconds = after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime
    if done.returncode != 0 or done.stderr:  # a refusal, or a warning the bench should not pay
        raise RuntimeError(done.stderr.strip().splitlines()[-1])
    return seconds, cpu_seconds, done.stdout


def run(spec_dir: str, work_dir: str) -> dict[str, Any]:
    copy = Path(work_dir) / "request-spec"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(spec_dir, copy)
    first, first_cpu, out = _timed(copy)
    again, _, second = _timed(copy)
    assert "already granted" in second, second
    return {
        "request_seconds": round(first, 3),
        "request_cpu_seconds": round(first_cpu, 3),
        "again_seconds": round(again, 3),
        "diff_lines": sum(1 for line in out.splitlines() if line.startswith("+ ")),
    }
