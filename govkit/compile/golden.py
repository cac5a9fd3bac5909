"""Regenerate the golden files: `python -m govkit.compile.golden [GOLDEN_DIR]`.

Each case folder holds `spec/` and `expected/`, the compiled output of that spec. A reviewer
sees in the diff of `expected/` what a compiler change does to real output.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

from govkit.compile import compile_stacks
from govkit.compile.writer import write_files
from govkit.diagnostics.formats import render_text
from govkit.pipeline import validate

# Golden output is compiled as of a fixed date so that expiry dates do not make it drift.
GOLDEN_DATE = dt.date(2026, 11, 26)


def golden_files(case: Path, modules: Path) -> dict[str, bytes]:
    """The files that `case/expected` must hold, compiled from `case/spec`."""
    validated = validate(str(case / "spec"), GOLDEN_DATE)
    if validated.spec is None:
        raise SystemExit(render_text(validated.diagnostics) + f"{case}: invalid golden spec")
    expected = case / "expected"
    relative = Path(os.path.relpath(modules.resolve(), expected.resolve())).as_posix()
    return compile_stacks(validated.spec, validated.environments, relative).files()


def cases(golden_dir: Path) -> list[Path]:
    return sorted(p for p in golden_dir.iterdir() if (p / "spec").is_dir())


def main(argv: list[str]) -> int:
    golden_dir = Path(argv[0] if argv else "tests/golden")
    modules = Path(argv[1] if len(argv) > 1 else "terraform/modules")
    for case in cases(golden_dir):
        write_files(case / "expected", golden_files(case, modules))
        print(f"{case / 'expected'}: regenerated", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
