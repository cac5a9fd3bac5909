"""Which stacks a change touches: what each stack compiles to at a git revision and now.

A stack is affected when its compiled root module differs between the two revisions, when a
module it calls changed, or when it appears or disappears. Comparing compiled content, not the
spec files that changed, keeps a prod-only grant from planning dev, and onboarding one team from
planning every stack that reads the principal file.
"""

from __future__ import annotations

import io
import posixpath
import subprocess
import tarfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from govkit.compile.model import Compiled, Stack, render_terraform

Change = Literal["added", "changed", "removed"]


class GitError(Exception):
    """git failed (unknown revision, not a repository); the message says which and why."""


def _git(args: list[str], cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise GitError(done.stderr.strip() or f"git {' '.join(args)} exited {done.returncode}")
    return done.stdout


def resolve_revision(base: str, cwd: Path) -> tuple[Path, str]:
    """The repository root and the commit `base` names; a clear error when it names none."""
    try:
        top = Path(_git(["rev-parse", "--show-toplevel"], cwd).strip())
    except GitError:
        raise GitError(f"{cwd} is not inside a git repository; --base needs one") from None
    except FileNotFoundError:
        raise GitError("git is not installed; --base needs it") from None
    try:
        commit = _git(["rev-parse", "--verify", "--quiet", f"{base}^{{commit}}"], top).strip()
    except GitError:
        raise GitError(
            f"revision {base!r} does not exist in {top.name}; "
            "pass a branch, tag or commit (a shallow clone may need `git fetch` first)"
        ) from None
    return top, commit


def changed_files(commit: str, top: Path) -> list[str]:
    """Every path changed between `commit` and the work tree, relative to the repository root.

    Tracked changes (staged or not, both sides of a rename) and untracked files that are not
    ignored, as POSIX paths.
    """
    tracked = _git(["diff", "--name-only", "--no-renames", "-z", commit, "--"], top)
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], top)
    return sorted({p for p in (tracked + untracked).split("\0") if p})


def repo_relative(folder: Path, top: Path) -> str | None:
    """`folder` as a POSIX path relative to the repository root ("" for the root itself)."""
    try:
        rel = folder.resolve().relative_to(top.resolve()).as_posix()
    except ValueError:
        return None
    return "" if rel == "." else rel


def spec_relative(changed: Iterable[str], top: Path, folder: Path) -> list[str]:
    """The changed paths that lie under `folder`, relative to it."""
    rel = repo_relative(folder, top)
    if rel is None:
        return []
    prefix = rel + "/" if rel else ""
    return sorted(p[len(prefix) :] for p in changed if p.startswith(prefix))


def extract_tree(commit: str, top: Path, folders: Iterable[str], dest: Path) -> list[str]:
    """Write the files of `folders` (repository-relative) at `commit` under `dest`.

    Returns the folders that exist at `commit`; a folder absent there is skipped, not an error.
    """
    present = []
    for folder in folders:
        if not _git(["ls-tree", "--name-only", commit, "--", folder or "."], top).strip():
            continue
        present.append(folder)
        done = subprocess.run(
            ["git", "archive", "--format=tar", commit, "--", folder or "."],
            cwd=top,
            capture_output=True,
            check=False,
        )
        if done.returncode != 0:
            raise GitError(done.stderr.decode(errors="replace").strip() or "git archive failed")
        with tarfile.open(fileobj=io.BytesIO(done.stdout)) as archive:
            archive.extractall(dest, filter="data")
    return present


@dataclass(frozen=True)
class Affected:
    """A stack to plan: `removed` stacks come from the base revision (plan a destroy)."""

    stack: Stack
    change: Change


def modules_called(stack: Stack) -> frozenset[str]:
    """The names of the modules (folders of the modules folder) a stack's root module calls."""
    calls: Mapping[str, Any] = stack.document.get("module", {})
    return frozenset(posixpath.basename(str(c.get("source", ""))) for c in calls.values())


def affected_stacks(
    head: Compiled, base: Compiled | None, changed_modules: Iterable[str]
) -> list[Affected]:
    """Stacks whose compiled content or called modules differ, plus those added or removed.

    With no base (the spec could not be compiled there), every stack of `head` counts as added.
    """
    modules = frozenset(changed_modules)
    before = {s.id: s for s in base.stacks} if base is not None else {}
    now = {s.id: s for s in head.stacks}
    out = []
    for stack_id in sorted(before.keys() | now.keys()):
        old, new = before.get(stack_id), now.get(stack_id)
        if new is None:
            assert old is not None  # the id came from one of the two sides
            out.append(Affected(old, "removed"))
        elif old is None:
            out.append(Affected(new, "added"))
        elif render_terraform(old.document) != render_terraform(
            new.document
        ) or modules & modules_called(new):
            out.append(Affected(new, "changed"))
    return out


def matrix(affected: Iterable[Affected], out: str) -> dict[str, Any]:
    """A GitHub Actions matrix: `path` is the stack's folder relative to the repository.

    `change` is added, changed or removed (a removed stack's folder exists only at the base
    revision: check that out and plan a destroy); `needs` lists the stacks to apply first;
    `host` is the Databricks host its provider signs in to (account or workspace).
    """
    return {
        "include": [
            {
                "id": a.stack.id,
                "path": f"{out.rstrip('/')}/{a.stack.id}",
                "environment": a.stack.environment,
                "domain": a.stack.domain,
                "kind": a.stack.kind,
                "host": a.stack.host,
                "change": a.change,
                "needs": list(a.stack.needs),
            }
            for a in affected
        ]
    }
