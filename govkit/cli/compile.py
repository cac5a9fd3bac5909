"""`govkit compile`: the resolved spec as Terraform root modules, one per environment and domain."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import click
from click.core import ParameterSource

from govkit.cli.files import write_atomically
from govkit.cli.guard import allow_destructive, guard_compile
from govkit.cli.main import UserError
from govkit.cli.options import as_of, spec_dir
from govkit.cli.root import from_root
from govkit.cli.shared import require_valid
from govkit.compile import CompileError, compile_stacks
from govkit.compile.writer import OutputError, stale_files, write_files
from govkit.compile.writer import modules_relative_to as modules_relative_to
from govkit.exitcodes import ExitCode
from govkit.spec.build import Spec
from govkit.spec.model import Backend

DEFAULT_OUT = "terraform/generated"
DEFAULT_MODULES = "terraform/modules"


def with_local_state(spec: Spec) -> Spec:
    """`spec` with every stack's state in a local file, its backend settings dropped."""
    terraform = spec.organisation.terraform.model_copy(update={"backend": Backend()})
    organisation = spec.organisation.model_copy(update={"terraform": terraform})
    return dataclasses.replace(spec, organisation=organisation)


def provide_modules(modules: str, *, check: bool = False) -> None:
    """govkit's Terraform modules in `modules`: there already, or, at the default place,
    written there from the installed package (as `govkit init` does), to be committed with
    the stacks that call them by relative path. `check` writes nothing: missing is stale."""
    if (Path(modules) / "uc-domain").is_dir():
        return
    if click.get_current_context().get_parameter_source("modules") is not ParameterSource.DEFAULT:
        raise UserError(f"no govkit Terraform modules in {modules}; pass --modules DIR")
    from govkit.repository.scaffold import MODULES, module_files

    shipped = module_files()
    if not shipped:
        raise UserError("govkit's Terraform modules are missing from its installation; reinstall")
    if check:
        raise UserError(f"{modules}: govkit's Terraform modules are missing; run `govkit compile`")
    for rel, text in shipped.items():
        write_atomically(Path(modules) / Path(rel).relative_to(MODULES), text)
    click.echo(
        f"{modules}: govkit's Terraform modules written; commit them with the stacks",
        err=True,
    )


@click.command("compile")
@spec_dir
@click.option(
    "--out",
    default=DEFAULT_OUT,
    show_default=True,
    callback=from_root,
    help="Output folder (replaced).",
)
@click.option(
    "--modules",
    default=DEFAULT_MODULES,
    show_default=True,
    callback=from_root,
    help="Folder of govkit's Terraform modules; stacks refer to it by relative path "
    "(written from the installed govkit when the default folder has none).",
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when --out is stale.")
@click.option(
    "--local-state",
    is_flag=True,
    help="Every stack with a local backend (state beside --out), whatever the organisation "
    "file says: to try the stacks against the local server; needs an --out of its own.",
)
@allow_destructive
@as_of
def command(
    spec_dir: str,
    out: str,
    modules: str,
    check: bool,
    local_state: bool,
    reason: str | None,
    today: dt.date,
) -> int:
    """Compile a spec folder to Terraform JSON stacks and a stacks.json index."""
    if local_state and click.get_current_context().get_parameter_source("out") is not (
        ParameterSource.COMMANDLINE
    ):
        raise UserError("--local-state writes stacks to try out: give them an --out of their own")
    validated = require_valid(spec_dir, today)
    assert validated.spec is not None  # require_valid returns only valid specs
    provide_modules(modules, check=check)
    spec = with_local_state(validated.spec) if local_state else validated.spec
    try:
        compiled = compile_stacks(spec, validated.environments, modules_relative_to(out, modules))
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
