"""The spec already in an import's output folder, if any: its files and environments."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from govkit.spec.loader import FileKind, parse_file, spec_paths


@dataclass(frozen=True)
class ExistingSpec:
    root: Path
    files: tuple[Path, ...]  # every spec file (YAML that parses as one of the three kinds)
    environments: tuple[str, ...]


def find_spec(out: Path) -> ExistingSpec | None:
    """The spec in `out`, or None when it holds no organisation file."""
    if not out.is_dir():
        return None
    files: list[Path] = []
    environments: tuple[str, ...] | None = None
    for display, full in spec_paths(str(out)):
        parsed, _ = parse_file(display, full.read_bytes())
        if parsed is None:
            continue
        files.append(full)
        if parsed.kind is FileKind.ORGANISATION:
            envs = parsed.data.get("environments")
            environments = tuple(str(e) for e in envs) if isinstance(envs, dict) else ()
    if environments is None:
        return None
    return ExistingSpec(out, tuple(files), environments)
