"""A git repository holding a copy of the bundled catalogs, for tests across revisions."""

from __future__ import annotations

import subprocess
from pathlib import Path

from govkit.identity.document import Group, User, dumps, make_identities
from tests.edit.support import copy_catalogs

_GIT = [
    "git",
    "-c",
    "user.email=ci@example.com",
    "-c",
    "user.name=ci",
    "-c",
    "commit.gpgsign=false",
]


def git(repo: Path, *args: str) -> str:
    done = subprocess.run([*_GIT, *args], cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout


def repository(tmp_path: Path) -> Path:
    """`tmp_path` as a repository on branch main with the bundled catalogs committed."""
    git(tmp_path, "init", "-q", "-b", "main")
    copy_catalogs(tmp_path)
    commit(tmp_path, "the estate")
    return tmp_path


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def identities_file(folder: Path) -> Path:
    """Risk analysts: two people, one of them through a nested group."""
    doc = make_identities(
        "file",
        groups=[
            Group("risk-analysts", members=("group:risk-interns", "user:ana@meridian.example")),
            Group("risk-interns", members=("user:ian@meridian.example",)),
        ],
        users=[User("ana@meridian.example"), User("ian@meridian.example")],
    )
    path = folder / "identities.json"
    path.write_text(dumps(doc))
    return path
