"""`govkit compile` replaces its output whole: never a mix, never half, even when killed."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from govkit.bench.estate import Size, generate
from govkit.cli.main import main
from govkit.guard.compiled import RECORD_FILE
from tests.compile.support import MODULES

ALLOW = ("--allow-destructive", "test: one estate replaces another")


def _tree(folder: Path) -> dict[str, bytes]:
    files = (p for p in folder.rglob("*") if p.is_file())
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in files}


def _args(spec: Path, out: Path) -> list[str]:
    return ["compile", str(spec), "--out", str(out), "--modules", str(MODULES), *ALLOW]


def _start(spec: Path, out: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "govkit", *_args(spec, out)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _estate(root: Path, domains: int) -> Path:
    return generate(root, Size("test", domains=domains, schemas=1, tables=2))


def test_sigterm_half_way_leaves_the_previous_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(_args(_estate(tmp_path / "old", 2), out)) == 0
    old = _tree(out)
    process = _start(_estate(tmp_path / "new", 40), out)
    deadline = time.monotonic() + 120
    while not any(tmp_path.glob(".out.new-*/*/*/main.tf.json")):
        assert process.poll() is None, "the compile ended before its first file was seen"
        assert time.monotonic() < deadline
        time.sleep(0.002)
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGTERM
    assert _tree(out) == old
    # The next run replaces the folder whole and clears what the killed run left behind.
    assert main(_args(tmp_path / "new", out)) == 0
    assert not list(tmp_path.glob(".out.*"))
    assert len(_tree(out)) > len(old)


def test_two_concurrent_compiles_leave_one_whole_output(tmp_path: Path) -> None:
    specs = [_estate(tmp_path / "a", 20), _estate(tmp_path / "b", 16)]
    expected = []
    for spec in specs:
        reference = tmp_path / f"ref-{spec.name}"
        assert main(_args(spec, reference)) == 0
        expected.append(_tree(reference))
    out = tmp_path / "out"
    processes = [_start(spec, out) for spec in specs]
    for process in processes:
        _, err = process.communicate(timeout=180)
        assert process.returncode == 0, err.decode()
    # Whichever run wrote last, whole; when the smaller estate came last it replaced catalogs,
    # and its output also holds the guard's record of --allow-destructive.
    written = _tree(out)
    written.pop(RECORD_FILE, None)
    assert written in expected
    assert not list(tmp_path.glob(".out.*"))
