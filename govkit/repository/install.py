"""How a governance repository installs govkit: one requirement line, pinned to one revision.

govkit is not published to a package index yet, and the name `govkit` there belongs to an
unrelated project; a governance repository installs the distribution below straight from a
commit of govkit's git repository (or from a wheel's URL), never by a loose name.
"""

from __future__ import annotations

import json
import re
import subprocess
from importlib import metadata
from pathlib import Path

DISTRIBUTION = "govkit-unity-catalog"
SOURCE = "https://github.com/govkit/govkit"
_COMMIT = re.compile(r"[0-9a-f]{40}")
_EXAMPLE = f"git+{SOURCE}@<40-hex commit>"


class InstallError(ValueError):
    """A reference that would not install one fixed revision of govkit."""


def requirement(reference: str) -> str:
    """The requirements line that installs govkit from `reference`.

    `reference` is `git+URL@COMMIT` (a full commit id: a branch or tag can move) or the URL of
    a wheel or source archive (`https://...`, `file:...`).
    """
    reference = reference.strip()
    if reference.startswith("git+"):
        _, at, revision = reference.rpartition("@")
        if not at or not _COMMIT.fullmatch(revision):
            raise InstallError(
                f"{reference}: pin govkit to a full commit id, e.g. {_EXAMPLE} "
                "(a branch or tag can move under the workflows)"
            )
    elif not re.match(r"(https?|file)://\S+$", reference):
        raise InstallError(
            f"{reference}: not a reference pip can install govkit from; give {_EXAMPLE} "
            "or the URL of a wheel"
        )
    return f"{DISTRIBUTION} @ {reference}\n"


def installed_reference() -> str | None:
    """Where the running govkit came from, as a pinned reference; None when it cannot tell.

    pip records a git install's URL and commit in `direct_url.json` (PEP 610); a development
    checkout is pinned to its current commit of govkit's repository.
    """
    try:
        recorded = metadata.distribution(DISTRIBUTION).read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        recorded = None
    if recorded:
        direct = json.loads(recorded)
        vcs = direct.get("vcs_info") or {}
        if vcs.get("vcs") == "git" and vcs.get("commit_id"):
            return f"git+{direct['url']}@{vcs['commit_id']}"
    return _checkout_commit()


def _checkout_commit() -> str | None:
    package = Path(__file__).resolve().parent.parent
    if not (package.parent / "pyproject.toml").is_file():
        return None  # an installed copy, not a checkout
    done = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=package, capture_output=True, text=True, check=False
    )
    commit = done.stdout.strip()
    return f"git+{SOURCE}@{commit}" if done.returncode == 0 and _COMMIT.fullmatch(commit) else None
