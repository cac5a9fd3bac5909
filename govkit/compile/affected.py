"""Which stacks a change touches: git's changed files mapped through each stack's inputs."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from govkit.compile.model import Stack


class GitError(Exception):
    """git failed (unknown revision, not a repository); the message is git's own."""


def _git(args: list[str], cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise GitError(done.stderr.strip() or f"git {' '.join(args)} exited {done.returncode}")
    return done.stdout


def changed_files(base: str, cwd: Path) -> tuple[Path, list[str]]:
    """The repository root, and every path changed between `base` and the work tree.

    Tracked changes (staged or not, both sides of a rename) and untracked files that are not
    ignored, as POSIX paths relative to the repository root.
    """
    top = Path(_git(["rev-parse", "--show-toplevel"], cwd).strip())
    _git(["rev-parse", "--verify", "--quiet", f"{base}^{{commit}}"], top)
    tracked = _git(["diff", "--name-only", "--no-renames", "-z", base, "--"], top)
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], top)
    paths = {p for p in (tracked + untracked).split("\0") if p}
    return top, sorted(paths)


def spec_relative(changed: Iterable[str], top: Path, folder: Path) -> list[str]:
    """The changed paths that lie under `folder`, relative to it."""
    try:
        prefix = folder.resolve().relative_to(top.resolve()).as_posix()
    except ValueError:
        return []
    prefix = "" if prefix == "." else prefix + "/"
    return sorted(p[len(prefix) :] for p in changed if p.startswith(prefix))


def affected_stacks(
    stacks: Iterable[Stack], spec_changes: Iterable[str], modules_changed: bool
) -> list[Stack]:
    """Stacks with a changed input; a module change touches every stack that calls it."""
    changed = set(spec_changes)
    return [s for s in stacks if modules_changed or changed.intersection(s.depends_on)]


def matrix(stacks: Iterable[Stack], out: str) -> dict[str, Any]:
    """A GitHub Actions matrix: `path` is the stack's folder relative to the repository."""
    return {
        "include": [
            {
                "id": s.id,
                "path": f"{out.rstrip('/')}/{s.id}",
                "environment": s.environment,
                "domain": s.domain,
                "kind": s.kind,
            }
            for s in stacks
        ]
    }
