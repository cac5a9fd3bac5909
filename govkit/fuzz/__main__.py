"""`python -m govkit.fuzz TARGET [--runs N] [--seed S] [--engine atheris|hypothesis]`.

Prints executions, time and the first bug's input (also saved with --save DIR); exit 1 on a bug.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import sys
from pathlib import Path

from govkit.fuzz.engine import Outcome, run_atheris, run_hypothesis
from govkit.fuzz.targets import available, make


def main(argv: list[str] | None = None) -> int:
    names = available()
    parser = argparse.ArgumentParser(prog="python -m govkit.fuzz")
    parser.add_argument("target", choices=[*names, "all"])
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    engines = ["atheris", "hypothesis"]
    parser.add_argument("--engine", choices=engines, help="default: atheris where installed")
    parser.add_argument("--save", type=Path, help="folder for the input of a bug found")
    args = parser.parse_args(argv)
    engine = args.engine or ("atheris" if importlib.util.find_spec("atheris") else "hypothesis")
    if engine == "atheris" and args.target == "all":
        parser.error("atheris runs one target a process; name it")
    bugs = 0
    for name in names if args.target == "all" else [args.target]:
        if engine == "atheris":
            from govkit.fuzz.engine import instrumented

            with instrumented():
                target = make(name)
        else:
            target = make(name)
        try:
            if engine == "atheris":
                run_atheris(target, args.runs, args.seed, args.save)
            outcome = run_hypothesis(target, args.runs, args.seed)
        finally:
            target.close()
        bugs += _report(outcome, args.save)
    return 1 if bugs else 0


def _report(outcome: Outcome, save: Path | None) -> int:
    rate = outcome.executions / outcome.seconds if outcome.seconds else 0.0
    print(f"{outcome.target}: {outcome.engine}, {outcome.executions} executions in "
          f"{outcome.seconds:.1f} s ({rate:.0f}/s): "
          f"{'BUG: ' + outcome.message if outcome.failure is not None else 'no bug'}")  # fmt: skip
    if outcome.failure is None:
        return 0
    print(f"{outcome.target}: input {outcome.failure!r}")
    if save is not None:
        digest = hashlib.sha256(outcome.failure).hexdigest()[:12]
        path = save / outcome.target / f"{digest}.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(outcome.failure)
        print(f"{outcome.target}: saved as {path}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
