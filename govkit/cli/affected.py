"""`govkit affected`: the stacks a change touches, as a JSON matrix for CI."""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
from pathlib import Path

import click

from govkit.cli.compile import DEFAULT_MODULES, DEFAULT_OUT, modules_relative_to
from govkit.cli.main import UserError
from govkit.cli.options import as_of, spec_dir
from govkit.cli.root import from_root
from govkit.cli.shared import require_valid
from govkit.compile import Compiled, CompileError, compile_stacks
from govkit.compile.affected import (
    GitError,
    affected_stacks,
    changed_files,
    extract_tree,
    matrix,
    repo_relative,
    resolve_revision,
    spec_relative,
)
from govkit.exitcodes import ExitCode
from govkit.resolve import resolve
from govkit.spec.build import load_spec

# What GitHub gives as `github.event.before` on a repository's first push (SHA-1 or SHA-256).
NO_COMMIT = re.compile("0{40}|0{64}")


def _compile_base(
    commit: str, top: Path, spec_dir: str, modules_rel: str, today: dt.date
) -> tuple[Compiled | None, str]:
    """The stacks the spec compiled to at `commit`, or None with the reason it could not."""
    folder = repo_relative(Path(spec_dir), top)
    if folder is None:
        raise UserError(f"{spec_dir} is not inside the repository {top}")
    with tempfile.TemporaryDirectory(prefix="govkit-base-") as tmp:
        if not extract_tree(commit, top, [folder], Path(tmp)):
            return Compiled(()), ""  # no spec at the base: every stack is new
        loaded = load_spec(str(Path(tmp) / folder) if folder else tmp)
        if loaded.spec is None:
            errors = sum(1 for d in loaded.diagnostics if d.severity.value == "error")
            return None, f"the spec at the base does not load ({errors} errors)"
        try:
            return compile_stacks(loaded.spec, resolve(loaded.spec, today), modules_rel), ""
        except CompileError as exc:
            return None, f"the spec at the base does not compile ({exc.problems[0]})"


@click.command("affected")
@spec_dir
@click.option(
    "--base",
    required=True,
    metavar="REF",
    help="Git revision to compare with; the all-zero revision (a first push) has no stacks.",
)
@click.option(
    "--out", default=DEFAULT_OUT, show_default=True, callback=from_root, help="Stacks' folder."
)
@click.option("--modules", default=DEFAULT_MODULES, show_default=True, callback=from_root)
@as_of
def command(spec_dir: str, base: str, out: str, modules: str, today: dt.date) -> int:
    """Print the stacks whose compiled content changed between REF and the work tree, as JSON.

    A stack counts when its root module or a module it calls differs, or when it was added or
    removed (a removed stack has `"change": "removed"`: plan its destroy from REF). The
    all-zero revision, which GitHub gives as the commit before a repository's first push, is
    the empty repository: every stack counts as added (the bootstrap apply).
    """
    validated = require_valid(spec_dir, today)
    assert validated.spec is not None  # require_valid returns only valid specs
    modules_rel = modules_relative_to(out, modules)
    try:
        head = compile_stacks(validated.spec, validated.environments, modules_rel)
        if NO_COMMIT.fullmatch(base):
            before: Compiled | None = Compiled(())
            why, changed_modules = "", set()
            click.echo(
                f"govkit affected: {base[:7]}... is no commit (a first push); "
                "every stack counts as added",
                err=True,
            )
        else:
            top, commit = resolve_revision(base, Path(spec_dir))
            changed = changed_files(commit, top)
            before, why = _compile_base(commit, top, spec_dir, modules_rel, today)
            changed_modules = {
                p.split("/", 1)[0] for p in spec_relative(changed, top, Path(modules))
            }
    except (CompileError, GitError) as exc:
        raise UserError(str(exc)) from None
    if before is None:
        click.echo(f"govkit affected: {why}; every stack counts as added", err=True)
    stacks = affected_stacks(head, before, changed_modules)
    click.echo(json.dumps(matrix(stacks, out), sort_keys=True))
    return ExitCode.CLEAN
