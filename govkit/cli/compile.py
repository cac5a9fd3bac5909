"""`govkit compile`: the resolved spec as Terraform root modules, one per environment and domain."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from govkit.cli.guard import allow_destructive, guard_compile
from govkit.cli.options import as_of, spec_dir
from govkit.cli.shared import require_valid
from govkit.compile import CompileError, compile_stacks
from govkit.compile.writer import OutputError, stale_files, write_files
from govkit.compile.writer import modules_relative_to as modules_relative_to
from govkit.exitcodes import ExitCode

DEFAULT_OUT = "terraform/generated"
DEFAULT_MODULES = "terraform/modules"


@click.command("compile")
@spec_dir
@click.option("--out", default=DEFAULT_OUT, show_default=True, help="Output folder (replaced).")
@click.option(
    "--modules",
    default=DEFAULT_MODULES,
    show_default=True,
    help="Folder of govkit's Terraform modules; stacks refer to it by relative path.",
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when --out is stale.")
@allow_destructive
@as_of
def command(
    spec_dir: str, out: str, modules: str, check: bool, reason: str | None, today: dt.date
) -> int:
    """Compile a spec folder to Terraform JSON stacks and a stacks.json index."""
    if not (Path(modules) / "uc-domain").is_dir():
        raise click.ClickException(f"no govkit Terraform modules in {modules}; pass --modules DIR")
    validated = require_valid(spec_dir, today)
    assert validated.spec is not None  # require_valid returns only valid specs
    try:
        compiled = compile_stacks(
            validated.spec, validated.environments, modules_relative_to(out, modules)
        )
    except CompileError as exc:
        for problem in exc.problems:
            click.echo(f"{spec_dir}: error: {problem}", err=True)
        click.echo(f"{spec_dir}: nothing compiled", err=True)
        return ExitCode.ERROR
    files = compiled.files()
    if check:
        stale = stale_files(Path(out), files)
        for line in stale:
            click.echo(f"{out}/{line}", err=True)
        if stale:
            click.echo(f"{out}: stale, run `govkit compile {spec_dir} --out {out}`", err=True)
            return ExitCode.ERROR
        click.echo(f"{out}: up to date ({len(compiled.stacks)} stacks)", err=True)
        return ExitCode.CLEAN
    files = guard_compile(Path(out), files, validated.spec.organisation, reason)
    try:
        write_files(Path(out), files)
    except OutputError as exc:
        raise click.ClickException(str(exc)) from None
    largest = max((s.resources for s in compiled.stacks), default=0)
    click.echo(
        f"{out}: {len(compiled.stacks)} stacks written, largest holds {largest} resources",
        err=True,
    )
    return ExitCode.CLEAN
