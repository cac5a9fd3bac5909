"""Spec files at a git revision, and the overrides that load that revision without a checkout.

A revision is read with one `git ls-tree` and one `git cat-file --batch`. Only files that differ
between the two sides need loading when no shared file (organisation, principals) changed: an
unchanged domain file gives the same securables and grants on both sides.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from govkit.spec.loader import read_spec_file, spec_paths

_DOMAIN = re.compile(rb"^domain:", re.MULTILINE)


class RevisionError(Exception):
    """git could not give the revision (unknown ref, not a repository); git's message."""


def _git(args: list[str], cwd: Path, stdin: bytes | None = None) -> bytes:
    done = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False)
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise RevisionError(message or f"git {' '.join(args)} exited {done.returncode}")
    return done.stdout


def _is_spec_path(rel: str) -> bool:
    parts = rel.split("/")
    return rel.endswith((".yaml", ".yml")) and not any(p.startswith(".") for p in parts)


def files_at(spec_dir: str, ref: str) -> dict[str, bytes]:
    """Spec files under `spec_dir` at git revision `ref`, by path relative to `spec_dir`.

    A revision where the folder did not exist gives no files (an empty spec).
    """
    folder = Path(spec_dir).resolve()
    cwd = folder if folder.is_dir() else Path.cwd()
    try:
        top = Path(_git(["rev-parse", "--show-toplevel"], cwd).decode().strip())
    except FileNotFoundError:
        raise RevisionError("git is not installed; comparing with a revision needs it") from None
    except RevisionError:
        raise RevisionError(f"{cwd} is not inside a git repository; a revision needs one") from None
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], top)
    except RevisionError:
        raise RevisionError(
            f"revision {ref!r} does not exist in {top.name}; name a branch, tag or commit "
            "(a shallow clone may need `git fetch` first)"
        ) from None
    prefix = folder.relative_to(top.resolve()).as_posix() if folder != top.resolve() else ""
    listing = _git(["ls-tree", "-r", "-z", "--full-tree", ref, "--", prefix or "."], top)
    entries = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, path = record.decode("utf-8").split("\t", 1)
        rel = path[len(prefix) + 1 :] if prefix else path
        if meta.split()[1] == "blob" and _is_spec_path(rel):
            entries.append((rel, meta.split()[2]))
    if not entries:
        return {}
    batch = _git(["cat-file", "--batch"], top, "".join(f"{o}\n" for _, o in entries).encode())
    out: dict[str, bytes] = {}
    position = 0
    for rel, _ in entries:  # cat-file answers in the order it was asked
        header_end = batch.index(b"\n", position)
        size = int(batch[position:header_end].split()[2])
        out[rel] = batch[header_end + 1 : header_end + 1 + size]
        position = header_end + 1 + size + 1
    return out


def files_on_disk(spec_dir: str) -> dict[str, bytes]:
    """The work tree's spec files, by path relative to `spec_dir`."""
    root = spec_dir.rstrip("/") + "/"
    out: dict[str, bytes] = {}
    for display, full in spec_paths(spec_dir):
        raw = read_spec_file(display, full)
        if isinstance(raw, bytes):  # else left to the loader, which reports it
            out[display[len(root) :]] = raw
    return out


@dataclass(frozen=True)
class Sides:
    """What to load for each side, as overrides of the work tree (display path -> bytes|None)."""

    base: Mapping[str, bytes | None]
    head: Mapping[str, bytes | None]
    changed: tuple[str, ...]  # relative paths that differ
    scoped: bool  # only the changed domain files are loaded


def sides(
    spec_dir: str, base: Mapping[str, bytes], head: Mapping[str, bytes], scope: bool = True
) -> Sides:
    """Overrides that load each side; only changed domain files when nothing shared changed.

    `scope=False` loads every file on both sides (what judges a share of a whole environment).
    """
    root = spec_dir.rstrip("/")
    disk = {display[len(root) + 1 :] for display, _ in spec_paths(spec_dir)}
    every = disk | set(base) | set(head)
    changed = tuple(sorted(r for r in every if base.get(r) != head.get(r)))
    scoped = scope and all(
        _DOMAIN.search(side[r]) is not None for r in changed for side in (base, head) if r in side
    )

    def side(files: Mapping[str, bytes]) -> dict[str, bytes | None]:
        keep = set(changed) if scoped else every
        loaded = {r: files.get(r) if r in keep else None for r in every}
        if scoped:  # the shared files are the same on both sides: the head's will do
            loaded.update({r: head[r] for r in head if _DOMAIN.search(head[r]) is None})
        return {f"{root}/{r}": v for r, v in loaded.items()}

    return Sides(side(base), side(head), changed, scoped)
