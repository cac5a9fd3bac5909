"""Write edited spec files atomically, keeping each file's mode; show an edit as a unified diff."""

from __future__ import annotations

import difflib
import os
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path


def unified_diff(changes: Mapping[str, tuple[str, str]]) -> str:
    """`git diff`-style text of every changed file, in path order."""
    out: list[str] = []
    for file in sorted(changes):
        before, after = changes[file]
        out.extend(
            difflib.unified_diff(
                before.splitlines(keepends=True),
                after.splitlines(keepends=True),
                fromfile=f"a/{file.lstrip('/')}" if before else "/dev/null",
                tofile=f"b/{file.lstrip('/')}",
            )
        )
    return "".join(line if line.endswith("\n") else line + "\n" for line in out)


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
