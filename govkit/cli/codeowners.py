"""`govkit codeowners`: write .github/CODEOWNERS from the spec; `--check` exits 1 when stale."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import click

from govkit.cli.compile import DEFAULT_MODULES, DEFAULT_OUT
from govkit.cli.main import UserError
from govkit.cli.options import as_of, spec_dir
from govkit.cli.root import find_root, from_root
from govkit.cli.shared import require_valid
from govkit.edit.write import write_file
from govkit.exitcodes import ExitCode
from govkit.repository.codeowners import Layout, MissingTeam, render_codeowners


def repository_root(folder: str) -> Path:
    """The git work tree that holds `folder`, else the repository root above the current
    folder (the one holding the organisation file), else the current folder."""
    done = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"],
        cwd=folder if os.path.isdir(folder) else ".",
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode == 0:
        return Path(done.stdout.strip())
    return find_root() or Path.cwd()


def _inside(root: Path, folder: str) -> str:
    try:
        return Path(folder).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise UserError(f"{folder} is outside the repository at {root}") from None


@click.command("codeowners")
@spec_dir
@click.option("--check", is_flag=True, help="Exit 1 when the file is missing or stale.")
@click.option("--out", "generated", default=DEFAULT_OUT, show_default=True, callback=from_root)
@click.option("--modules", default=DEFAULT_MODULES, show_default=True, callback=from_root)
@as_of
def command(spec_dir: str, check: bool, generated: str, modules: str, today: dt.date) -> int:
    """Write .github/CODEOWNERS: each domain file approved by its owner's GitHub team."""
    validated = require_valid(spec_dir, today)
    assert validated.spec is not None  # require_valid returns only valid specs
    root = repository_root(spec_dir)
    layout = Layout(_inside(root, spec_dir), _inside(root, generated), _inside(root, modules))
    try:
        text = render_codeowners(validated.spec, layout)
    except MissingTeam as exc:
        raise UserError(str(exc)) from None
    target = root / ".github" / "CODEOWNERS"
    shown = os.path.relpath(target)
    if check:
        current = target.read_text("utf-8") if target.is_file() else None
        if current != text:
            state = "missing" if current is None else "stale"
            click.echo(f"{shown} is {state}: run `govkit codeowners {spec_dir}`", err=True)
            return ExitCode.ERROR
        click.echo(f"{shown} is up to date", err=True)
        return ExitCode.CLEAN
    write_file(target, text)
    click.echo(f"wrote {shown}", err=True)
    return ExitCode.CLEAN
