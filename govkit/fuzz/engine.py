"""Two engines over one target: atheris (coverage-guided) and hypothesis (structured inputs).

Both start from the target's seeds. hypothesis also builds documents from the seeds' own keys
with random values, which reaches deep into the model faster than byte mutation alone.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govkit.fuzz.targets import Target


@dataclass(frozen=True)
class Outcome:
    target: str
    engine: str
    executions: int
    seconds: float
    failure: bytes | None  # the (shrunk) input of the first bug found
    message: str


def _vocabulary(target: Target) -> list[str]:
    words: set[str] = set()
    for seed in target.seeds:
        words.update(re.findall(r"[A-Za-z_][A-Za-z0-9_.@/-]*", seed.decode("latin-1")))
    return sorted(words) or ["x"]


def _strategy(target: Target) -> Any:
    from hypothesis import strategies as st

    words = _vocabulary(target)
    scalar = (
        st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats()
        | st.sampled_from(words) | st.text(max_size=20)
    )  # fmt: skip
    value = st.recursive(
        scalar,
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(st.sampled_from(words) | st.text(max_size=8), inner, max_size=6)
        ),
        max_leaves=25,
    )

    def mutate(args: tuple[bytes, list[tuple[int, int, bytes]]]) -> bytes:
        data, edits = args
        for at, cut, insert in edits:
            at %= len(data) + 1
            data = data[:at] + insert + data[at + cut :]
        return data

    seeds = st.sampled_from(target.seeds)
    edits = st.lists(
        st.tuples(st.integers(0, 4096), st.integers(0, 8), st.binary(max_size=8)), max_size=4
    )
    mutated = st.tuples(seeds, edits).map(mutate)
    documents: Any
    if target.kind == "json":
        # A document of the right format with random fields: past the format check.
        head = json.loads(target.seeds[0])
        documents = st.dictionaries(st.sampled_from(words), value, max_size=8).map(
            lambda d: json.dumps({**d, "format": head["format"]}).encode()
        )
    elif target.kind == "yaml":
        import yaml

        documents = st.tuples(st.integers(0, 2), value).map(
            lambda t: bytes([t[0]]) + yaml.safe_dump(t[1], allow_unicode=True).encode()
        )
    else:
        documents = st.tuples(
            st.integers(0, 255), st.integers(0, 255), st.text(max_size=40), value
        ).map(lambda t: bytes(t[:2]) + t[2].encode() + b"\n" + json.dumps(t[3]).encode())
    return st.one_of(mutated, documents, st.binary(max_size=512))


def run_hypothesis(target: Target, runs: int, seed: int | None) -> Outcome:
    """`runs` inputs; derandomized when `seed` is None (the tests)."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed

    count = 0
    last: list[bytes] = []

    @settings(
        max_examples=runs,
        deadline=None,
        database=None,
        derandomize=seed is None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        print_blob=False,
    )
    @given(_strategy(target))
    def check(data: bytes) -> None:
        nonlocal count
        count += 1
        last[:] = [data]
        target.run(data)

    if seed is not None:
        check = hypothesis_seed(seed)(check)
    started = time.monotonic()
    try:
        for s in target.seeds:
            target.run(s)
        check()
    except Exception as exc:  # the bug, after shrinking: report it with its input
        failure = last[0] if last else b""
        message = f"{type(exc).__name__}: {exc}"
        return Outcome(
            target.name, "hypothesis", count, time.monotonic() - started, failure, message
        )
    return Outcome(target.name, "hypothesis", count, time.monotonic() - started, None, "")


def run_atheris(target: Target, runs: int, seed: int | None, save: Path | None) -> None:
    """Coverage-guided: libFuzzer mutates the seeds; the first bug stops the run.

    The target must have been made inside `instrumented()`, so that govkit's code reports
    coverage (instrumenting every loaded library instead takes minutes).
    """
    import atheris  # type: ignore[import-not-found,import-untyped,unused-ignore]  # optional

    corpus = Path(tempfile.mkdtemp(prefix=f"govkit-fuzz-{target.name}-"))
    for i, s in enumerate(target.seeds):
        (corpus / f"seed-{i}").write_bytes(s)
    artifacts = save / target.name if save else corpus
    artifacts.mkdir(parents=True, exist_ok=True)
    # libFuzzer prints its own summary ("Done N runs in T second(s)") and ends the process;
    # a bug prints its traceback and the file its input was written to.
    print(f"{target.name}: atheris, {runs} runs, inputs of bugs go to {artifacts}/", flush=True)
    argv = [sys.argv[0], f"-runs={runs}", f"-seed={seed or 1}", "-max_len=4096",
            f"-artifact_prefix={artifacts}/", str(corpus)]  # fmt: skip
    atheris.Setup(argv, target.run)
    atheris.Fuzz()
    raise SystemExit(0)  # not reached: libFuzzer exits


def instrumented() -> Any:
    """A context in which govkit modules imported for the first time report coverage."""
    import atheris  # type: ignore[import-not-found,import-untyped,unused-ignore]  # optional

    return atheris.instrument_imports(include=["govkit"])
