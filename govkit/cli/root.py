"""The governance repository a command runs in, so that commands work from any folder in it.

Only defaults move: a path the user typed is taken as typed, from the current folder.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

SPEC = "catalogs"
ORGANISATION_FILE = "govkit.yaml"


def find_root(start: Path | None = None) -> Path | None:
    """The nearest folder at or above `start` (default: the current folder) that holds the
    organisation file (`catalogs/govkit.yaml`) or `.git`; None outside any repository."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / SPEC / ORGANISATION_FILE).is_file() or (folder / ".git").exists():
            return folder
    return None


def default_at_root(value: str) -> str:
    """`value`, a path relative to the repository's root, as seen from the current folder."""
    if os.path.exists(value):
        return value  # the current folder has it: the root itself, or its own layout
    root = find_root()
    if root is None:
        return value
    return os.path.relpath(root / value)


def from_root(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Click callback: a default path taken from the repository's root."""
    name = param.name
    if name is None or not isinstance(value, str):
        return value
    if ctx.get_parameter_source(name) is not ParameterSource.DEFAULT:
        return value
    return default_at_root(value)
