"""`python -m govkit.bench mutate [FOLDER ...]`: which mutants of a stage do its tests let live?

For each mutant of the stage folders (default: policy, drift, access, guard, audit, edit; see
`mutate.py` for what a mutant is) the stage's tests run against a copy of the package that holds
it, never the checkout itself. A mutant is killed when a test fails (or the run times out) and
survives when every test passes: a survivor is a change of meaning that no test notices. Prints
each survivor as `file:line:col: change`, then a count per folder. A habit before a release, not
a CI job: it runs the tests once per mutant. Terraform tests (`-m terraform`) are left out
unless `--terraform` is given: they take minutes each.

Exit 0 when every mutant was killed, 2 when some survived, 1 when the tests fail unmutated.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from govkit.bench.mutate import Mutant, mutants, mutated_source

ROOT = Path(__file__).resolve().parents[2]
# The tests that exercise each folder (relative to the repository).
TESTS: dict[str, tuple[str, ...]] = {
    "policy": ("tests/policy",),
    "drift": ("tests/drift",),
    "access": ("tests/access",),
    "guard": ("tests/guard", "tests/reliability/test_guard.py", "tests/diff"),
    "audit": ("tests/audit",),
    "edit": ("tests/edit",),
}


@dataclass(frozen=True)
class Outcome:
    mutant: Mutant
    result: str  # "killed", "survived" or "timeout"


class Sandbox:
    """A copy of the package in a folder of its own, that one mutant at a time replaces a file of.

    Python finds the copy first (PYTHONPATH, and PYTHONSAFEPATH so that the working folder does
    not put the checkout before it), and writes no bytecode, so no stale cache hides a mutant.
    """

    def __init__(self, tests: tuple[str, ...], terraform: bool) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="govkit-mutate-"))
        shutil.copytree(
            ROOT / "govkit", self.dir / "govkit", ignore=shutil.ignore_patterns("__pycache__")
        )
        self.tests, self.timeout = tests, 0.0
        self.marks = () if terraform else ("-m", "not terraform")
        path = os.environ.get("PYTHONPATH")
        self.env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(self.dir), *([path] if path else [])]),
            "PYTHONSAFEPATH": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
        }

    def imports_the_copy(self) -> bool:
        code = "import govkit; print(govkit.__file__)"
        found = subprocess.run(
            [sys.executable, "-c", code], env=self.env, cwd=ROOT, capture_output=True, text=True
        )
        return found.stdout.strip().startswith(str(self.dir))

    def run_tests(self, timeout: float | None = None) -> str:
        argv = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:randomly",
                "-p", "no:cacheprovider", "--import-mode=append", *self.marks,
                *self.tests]  # fmt: skip
        try:
            done = subprocess.run(
                argv, env=self.env, cwd=ROOT, capture_output=True, timeout=timeout or None
            )
        except subprocess.TimeoutExpired:
            return "timeout"
        return "survived" if done.returncode == 0 else "killed"

    def try_mutant(self, mutant: Mutant) -> Outcome:
        target = self.dir / mutant.file
        original = (ROOT / mutant.file).read_text(encoding="utf-8")
        target.write_text(mutated_source(original, mutant.index), encoding="utf-8")
        try:
            return Outcome(mutant, self.run_tests(self.timeout))
        finally:
            target.write_text(original, encoding="utf-8")

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def _try_all(box: Sandbox, chunk: list[Mutant]) -> list[Outcome]:
    return [box.try_mutant(m) for m in chunk]


@dataclass(frozen=True)
class Choice:
    """Which of a folder's mutants to try: the first `limit`, or `sample` drawn by `seed`."""

    limit: int | None = None
    sample: int | None = None
    seed: int = 0


def folder_mutants(folder: str, choice: Choice = Choice()) -> list[Mutant]:
    files = sorted((ROOT / "govkit" / folder).rglob("*.py"))
    return chosen([m for f in files for m in mutants(ROOT, f.relative_to(ROOT).as_posix())], choice)


def chosen(found: list[Mutant], choice: Choice) -> list[Mutant]:
    """The mutants of `found` that `choice` picks, in `found`'s order."""
    if choice.sample is not None and choice.sample < len(found):
        # The same seed draws the same mutants, so a sampled run can be made again.
        drawn = random.Random(choice.seed).sample(range(len(found)), choice.sample)
        found = [found[i] for i in sorted(drawn)]
    return found[: choice.limit]


def run_folder(
    folder: str, tests: tuple[str, ...], jobs: int, choice: Choice, terraform: bool
) -> int:
    """Try the chosen mutants of `folder`; print survivors and the count. Returns the survivors."""
    every = folder_mutants(folder)
    total, found = len(every), chosen(every, choice)
    boxes = [Sandbox(tests, terraform) for _ in range(max(1, jobs))]
    try:
        if not boxes[0].imports_the_copy():
            raise SystemExit(f"{folder}: the tests would not import the mutated copy; nothing run")
        started = time.monotonic()
        if boxes[0].run_tests() != "survived":
            raise SystemExit(f"{folder}: the tests fail without a mutant ({' '.join(tests)})")
        # A mutant that loops forever is killed by a timeout of five times the clean run.
        timeout = 5 * (time.monotonic() - started) + 10
        for box in boxes:
            box.timeout = timeout
        with ThreadPoolExecutor(len(boxes)) as pool:
            chunks = [found[i :: len(boxes)] for i in range(len(boxes))]
            runs = list(pool.map(_try_all, boxes, chunks))
    finally:
        for box in boxes:
            box.close()
    outcomes = sorted(
        (o for run in runs for o in run), key=lambda o: (o.mutant.file, o.mutant.index)
    )
    survivors = [o.mutant for o in outcomes if o.result == "survived"]
    for mutant in survivors:
        print(f"{mutant.text()}: survived")
    timeouts = sum(o.result == "timeout" for o in outcomes)
    killed = len(outcomes) - len(survivors)
    drawn = "" if len(outcomes) == total else f" (of {total}, seed {choice.seed})"
    print(
        f"{folder}: {len(outcomes)} mutants{drawn}, {killed} killed ({timeouts} by timeout), "
        f"{len(survivors)} survived; tests: {' '.join(tests)}"
        + ("" if terraform else " (not the Terraform ones)")
    )
    return len(survivors)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m govkit.bench mutate")
    parser.add_argument("folders", nargs="*", default=list(TESTS), help="govkit folders")
    parser.add_argument("--tests", help="test paths, comma-separated (default: the folder's)")
    parser.add_argument("--jobs", type=int, default=1, help="mutants tried at once")
    parser.add_argument("--limit", type=int, help="only the first N mutants of each folder")
    parser.add_argument("--sample", type=int, help="N mutants of each folder, drawn at random")
    parser.add_argument("--seed", type=int, default=0, help="the draw of --sample (default 0)")
    parser.add_argument("--terraform", action="store_true", help="run Terraform tests too")
    parser.add_argument("--list", action="store_true", help="list the mutants; run nothing")
    args = parser.parse_args(argv)
    unknown = [f for f in args.folders if not (ROOT / "govkit" / f).is_dir()]
    if unknown or (not args.tests and any(f not in TESTS for f in args.folders)):
        parser.error(f"a govkit folder with tests is one of {', '.join(TESTS)} (or pass --tests)")
    choice = Choice(args.limit, args.sample, args.seed)
    if args.list:
        for folder in args.folders:
            for mutant in folder_mutants(folder, choice):
                print(mutant.text())
        return 0
    survived = 0
    for folder in args.folders:
        tests = tuple(args.tests.split(",")) if args.tests else TESTS[folder]
        survived += run_folder(folder, tests, args.jobs, choice, args.terraform)
    return 2 if survived else 0
