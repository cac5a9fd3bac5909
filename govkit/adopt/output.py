"""Writing an import's spec files: all of them or none, never a half-written file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path


def write_spec_files(out: Path, files: Mapping[str, str], remove: Iterable[Path] = ()) -> None:
    """Write every file (relative path -> text) under `out`, then remove `remove`.

    Each file is first written beside its target under a temporary name; only when all are
    written are they renamed into place, so that a failure leaves the folder as it was.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for rel, text in sorted(files.items()):
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
            staged.append((Path(name), target))
            with os.fdopen(fd, "wb") as handle:
                handle.write(text.encode("utf-8"))
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
