"""Benchmark stage `compile`: what `govkit compile` does, validation included, into work_dir.

Figures: stacks, the largest stack in resources and in grant resources (a refresh costs one
GET per grant resource at the provider's 15 requests/s), and the compile and write shares.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any


def run(spec_dir: str, work_dir: str) -> dict[str, float | int | str]:
    from govkit.compile import compile_stacks
    from govkit.compile.writer import write_files
    from govkit.pipeline import validate
    from govkit.resolve import resolve
    from govkit.spec.build import load_spec

    today = dt.date.today()
    validated = validate(spec_dir, today)
    spec, environments = validated.spec, validated.environments
    if spec is None:  # a synthetic estate with policy errors still has a shape to compile
        spec = load_spec(spec_dir).spec
        if spec is None:
            return {"ok": "invalid spec"}
        environments = resolve(spec, today)
    start = time.perf_counter()
    compiled = compile_stacks(spec, environments, "../modules")
    files = compiled.files()
    compile_seconds = time.perf_counter() - start
    start = time.perf_counter()
    write_files(Path(work_dir) / "compiled", files)
    write_seconds = time.perf_counter() - start
    largest: Any = max(compiled.stacks, key=lambda s: s.resources)
    return {
        "stacks": len(compiled.stacks),
        "largest_stack_resources": largest.resources,
        "largest_stack_grant_resources": max(s.grant_resources for s in compiled.stacks),
        "compile_seconds": round(compile_seconds, 3),
        "write_seconds": round(write_seconds, 3),
        "megabytes": round(sum(len(b) for b in files.values()) / 1e6, 1),
        "ok": str(validated.ok),
    }
