"""Write edited spec files atomically, keeping each file's mode; show an edit as a unified diff."""

from __future__ import annotations

import difflib
import os
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path

CONTEXT = 3


def unified_diff(changes: Mapping[str, tuple[str, str]]) -> str:
    """`git diff`-style text of every changed file, in path order."""
    out: list[str] = []
    for file in sorted(changes):
        before, after = changes[file]
        out.extend(_file_diff(file, before, after))
    return "".join(line if line.endswith("\n") else line + "\n" for line in out)


def _file_diff(file: str, before: str, after: str) -> list[str]:
    """difflib's unified diff over the changed middle only, with the real line numbers.

    An edit changes a few lines of a file that may hold 100,000: the common head and tail are
    cut first, so difflib never scans them.
    """
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    start = max(head - CONTEXT, 0)
    keep = max(tail - CONTEXT, 0)
    lines = list(
        difflib.unified_diff(
            old[start : len(old) - keep],
            new[start : len(new) - keep],
            fromfile=f"a/{file.lstrip('/')}" if before else "/dev/null",
            tofile=f"b/{file.lstrip('/')}",
            n=CONTEXT,
        )
    )
    return [_shift(line, start) if line.startswith("@@") else line for line in lines]


def _shift(hunk: str, offset: int) -> str:
    """`@@ -a,b +c,d @@` with `offset` added to both start lines."""
    old, new = hunk.split(" ")[1:3]

    def moved(part: str) -> str:
        first, _, count = part[1:].partition(",")
        number = int(first) + offset if int(first) or count != "0" else int(first)
        return f"{part[0]}{number}" + (f",{count}" if count else "")

    return f"@@ {moved(old)} {moved(new)} @@\n"


def write_file(path: Path, text: str) -> None:
    """Replace `path` by a temporary file renamed over it: the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_changes(changes: Mapping[str, tuple[str, str]]) -> None:
    """Write every changed file (display paths are filesystem paths relative to the cwd)."""
    for file in sorted(changes):
        write_file(Path(file), changes[file][1])
