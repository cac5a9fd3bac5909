"""Write spec files all or none, keeping each file's mode; show an edit as a unified diff."""

from __future__ import annotations

import difflib
import os
import stat
import tempfile
from collections.abc import Iterable, Mapping
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


def _mode(path: Path) -> int:
    """`path`'s mode, or the one a plain write gives a new file (mkstemp's is owner-only)."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_files(files: Mapping[Path, str], remove: Iterable[Path] = ()) -> None:
    """Write every file (path -> text), then remove those of `remove` not written.

    Each file is first written beside its target under a temporary name; only when all are
    written are they renamed into place, so that a failure leaves every file as it was.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for target, text in sorted(files.items()):
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
            staged.append((Path(name), target))
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
            os.chmod(name, _mode(target))
    except BaseException:
        for leftover, _ in staged:
            leftover.unlink(missing_ok=True)
        raise
    keep = {target.resolve() for _, target in staged}
    for staged_file, target in staged:
        os.replace(staged_file, target)
    for path in remove:
        if path.resolve() not in keep:
            path.unlink(missing_ok=True)


def write_file(path: Path, text: str) -> None:
    """Replace `path` by a temporary file renamed over it: the old file or the new, never half."""
    write_files({path: text})


def write_changes(changes: Mapping[str, tuple[str, str]]) -> None:
    """Write every changed file, all or none (display paths are paths relative to the cwd)."""
    write_files({Path(file): after for file, (_, after) in changes.items()})
