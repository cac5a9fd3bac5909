"""`python -m govkit.bench [--sizes S,M,L] [--stages ...]`: figures for every stage and size.

`python -m govkit.bench race [--size M] [--env prod]`: govkit drift against Terraform's refresh
(see `govkit.bench.race`).

`python -m govkit.bench mutate [FOLDER ...]`: the mutants of a stage that its tests let live (see
`govkit.bench.mutate_run`).

Prints wall time and peak memory of each stage next to the floor (a bare YAML load with the C
loader over the same files). Estates are generated once into `--work` and reused.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from govkit.bench.estate import SIZES, generate


def _stages() -> list[str]:
    import govkit.bench as bench

    extra = sorted(
        m.name.removeprefix("stage_")
        for m in pkgutil.iter_modules(bench.__path__)
        if m.name.startswith("stage_")
    )
    return ["floor", "validate", "show", *extra]


def _applies(stage: str, size: str) -> bool:
    """A stage module may limit itself to some sizes with `SIZES = ("S", "M")`."""
    if stage in {"floor", "validate", "show"}:
        return True
    module = importlib.import_module(f"govkit.bench.stage_{stage}")
    sizes: tuple[str, ...] = getattr(module, "SIZES", tuple(SIZES))
    return size in sizes


def _run(stage: str, spec_dir: Path, work_dir: Path) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "govkit.bench.run", stage, str(spec_dir), str(work_dir)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        return {"stage": stage, "error": proc.stderr.strip().splitlines()[-1:]}
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["race"]:
        from govkit.bench.race import main as race

        return race(argv[1:])
    if argv[:1] == ["mutate"]:
        from govkit.bench.mutate_run import main as mutate

        return mutate(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m govkit.bench")
    parser.add_argument("--sizes", default="S,M,L")
    parser.add_argument("--stages", default=",".join(_stages()))
    parser.add_argument("--work", default="bench-out")
    args = parser.parse_args(argv)
    work = Path(args.work)
    print(f"{'size':<5}{'stage':<22}{'seconds':>9}{'x floor':>9}{'peak MB':>9}  figures")
    for name in args.sizes.split(","):
        size = SIZES[name]
        spec_dir = work / f"estate-{name}"
        if not (spec_dir / "govkit.yaml").exists():
            generate(spec_dir, size)
        stage_dir = work / f"run-{name}"
        stage_dir.mkdir(parents=True, exist_ok=True)
        floor_seconds = None
        for stage in args.stages.split(","):
            if not _applies(stage, name):
                continue
            r = _run(stage, spec_dir, stage_dir)
            if "error" in r:
                print(f"{name:<5}{stage:<22}  failed: {r['error']}")
                continue
            if stage == "floor":
                floor_seconds = r["seconds"]
            ratio = f"{r['seconds'] / floor_seconds:.2f}" if floor_seconds else "-"
            extra = {k: v for k, v in r.items() if k not in {"stage", "seconds", "peak_mb"}}
            print(
                f"{name:<5}{stage:<22}{r['seconds']:>9.2f}{ratio:>9}{r['peak_mb']:>9.0f}  "
                + " ".join(f"{k}={v}" for k, v in extra.items()),
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
