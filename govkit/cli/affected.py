"""`govkit affected`: the stacks a change touches, as a JSON matrix for CI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from govkit.cli.compile import DEFAULT_MODULES, DEFAULT_OUT, modules_relative_to
from govkit.cli.options import as_of, spec_dir
from govkit.cli.shared import require_valid
from govkit.compile import CompileError, compile_stacks
from govkit.compile.affected import (
    GitError,
    affected_stacks,
    changed_files,
    matrix,
    spec_relative,
)
from govkit.exitcodes import ExitCode


@click.command("affected")
@spec_dir
@click.option("--base", required=True, metavar="REF", help="Git revision to compare with.")
@click.option("--out", default=DEFAULT_OUT, show_default=True, help="Folder of the stacks.")
@click.option("--modules", default=DEFAULT_MODULES, show_default=True)
@as_of
def command(spec_dir: str, base: str, out: str, modules: str, today: dt.date) -> int:
    """Print the stacks whose inputs changed between REF and the work tree, as JSON."""
    validated = require_valid(spec_dir, today)
    assert validated.spec is not None  # require_valid returns only valid specs
    try:
        compiled = compile_stacks(
            validated.spec, validated.environments, modules_relative_to(out, modules)
        )
        top, changed = changed_files(base, Path(spec_dir))
    except (CompileError, GitError) as exc:
        raise click.ClickException(str(exc)) from None
    spec_changes = spec_relative(changed, top, Path(spec_dir))
    modules_changed = bool(spec_relative(changed, top, Path(modules)))
    stacks = affected_stacks(compiled.stacks, spec_changes, modules_changed)
    click.echo(json.dumps(matrix(stacks, out), sort_keys=True))
    return ExitCode.CLEAN
