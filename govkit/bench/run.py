"""Run one benchmark stage in this process and print its figures as one JSON line.

`python -m govkit.bench.run STAGE SPEC_DIR WORK_DIR`; the driver runs each stage in a fresh
process so that `peak_mb` is the stage's own high-water mark.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from govkit.spec.loader import spec_paths


def floor(spec_dir: str, work_dir: str) -> dict[str, Any]:
    """The floor: a bare `yaml.load` with the C loader over the same files."""
    count = 0
    for _, path in spec_paths(spec_dir):
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
        count += 1
    return {"files": count}


def validate(spec_dir: str, work_dir: str) -> dict[str, Any]:
    from govkit.pipeline import validate as run_validate

    result = run_validate(spec_dir, dt.date.today())
    securables = sum(len(e.state.securables) for e in result.environments)
    return {"securables": securables, "diagnostics": len(result.diagnostics), "ok": result.ok}


def show(spec_dir: str, work_dir: str) -> dict[str, Any]:
    from govkit.pipeline import validate as run_validate
    from govkit.state import dumps

    result = run_validate(spec_dir, dt.date.today())
    text = dumps([e.state for e in result.environments])
    (Path(work_dir) / "show.json").write_text(text)
    return {"bytes": len(text)}


BUILTIN = {"floor": floor, "validate": validate, "show": show}


def main(argv: list[str]) -> int:
    stage, spec_dir, work_dir = argv
    if stage in BUILTIN:
        fn = BUILTIN[stage]
    else:
        fn = importlib.import_module(f"govkit.bench.stage_{stage}").run
    start = time.perf_counter()
    figures = fn(spec_dir, work_dir)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"stage": stage, "seconds": seconds, "peak_mb": peak_mb, **figures}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
