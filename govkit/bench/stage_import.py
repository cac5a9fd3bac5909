"""Benchmark stage `import`: `govkit import` of the prod environment from a State file.

Preparation (resolve the spec, write prod's State as a workspace snapshot would hold it) runs
once in a child process and is cached in `work_dir`, so that this process's time and peak
memory are the import's own: read the State, classify, place, build the documents, run the
policy rules to place waivers, and write the spec files. Compare with the `show` row.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

ENV = "prod"
TODAY = dt.date(2026, 11, 26)


def prepare(spec_dir: str, work_dir: str) -> None:
    """Write `import-prod.json`: prod's desired State, as a live read would give it."""
    from govkit.pipeline import validate
    from govkit.state import dumps

    result = validate(spec_dir, TODAY)
    env = next(e for e in result.environments if e.name == ENV)
    live = replace(env.state, source="workspace", taken_at="2026-11-26T02:00:00Z")
    (Path(work_dir) / f"import-{ENV}.json").write_text(dumps(live), encoding="utf-8")


def run(spec_dir: str, work_dir: str) -> dict[str, Any]:
    from govkit.adopt.run import ImportRequest, run_import

    source = Path(work_dir) / f"import-{ENV}.json"
    if not source.exists():
        subprocess.run(
            [sys.executable, "-m", "govkit.bench.stage_import", spec_dir, work_dir], check=True
        )
    out = Path(work_dir) / "imported"
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    result = run_import(ImportRequest(env=ENV, source=str(source), out=out, today=TODAY))
    seconds = time.perf_counter() - start
    files = list(out.rglob("*.yaml"))
    return {
        "env": ENV,
        "import_seconds": round(seconds, 3),
        "files": len(files),
        "megabytes": round(sum(f.stat().st_size for f in files) / 1e6, 1),
        "reports": len(result.diagnostics),
        "ok": str(result.ok),
    }


if __name__ == "__main__":
    prepare(sys.argv[1], sys.argv[2])
