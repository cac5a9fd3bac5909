"""Benchmark stage `access`: `govkit access --on` one table of prod, from the audit's files.

The answer is about the live State, so the command reads the organisation and principal files
of the spec (for the environment and the declared names), not the whole spec.
"""

from __future__ import annotations

import contextlib
import io
import json
import time
from typing import Any

from govkit.bench.stage_audit import ensure_prepared

TABLE = "d001_prod.s03.t011"  # in every size


def run(spec_dir: str, work_dir: str) -> dict[str, Any]:
    from govkit.cli.main import main

    inputs = ensure_prepared(spec_dir, work_dir)
    args = ["access", spec_dir, "--env", "prod", "--on", TABLE, "--format", "json"]
    args += ["--live", inputs["--live"], "--identities", inputs["--identities"]]
    start, cpu = time.perf_counter(), time.process_time()
    with contextlib.redirect_stdout(io.StringIO()) as out:
        code = main(args)
    seconds = round(time.perf_counter() - start, 2)
    answer = json.loads(out.getvalue())
    return {
        "exit": code,
        "cpu_seconds": round(time.process_time() - cpu, 2),
        "access_seconds": seconds,
        "readers": len(answer["read"]),
        "writers": len(answer["write"]),
    }
