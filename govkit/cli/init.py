"""`govkit init`: a whole governance repository that validates and compiles at once."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

import click

from govkit.cli.files import write_atomically
from govkit.cli.main import UserError
from govkit.cli.options import as_of
from govkit.compile import compile_stacks
from govkit.compile.writer import write_files
from govkit.diagnostics.formats import render_text
from govkit.edit.document import EditRefused
from govkit.edit.write import write_changes
from govkit.exitcodes import ExitCode
from govkit.pipeline import validate
from govkit.repository import scaffold
from govkit.repository.backend import BACKENDS
from govkit.repository.codeowners import Layout, render_codeowners
from govkit.repository.install import SOURCE, InstallError, installed_reference, requirement
from govkit.repository.onboard import Team, plan_onboarding


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        write_atomically(root / rel, text)


def _build(
    root: Path,
    organisation: str,
    envs: list[str],
    repository: str,
    source: str,
    backend: str,
    today: dt.date,
) -> None:
    github_org = repository.split("/", 1)[0]
    modules = scaffold.module_files()
    if not modules:
        raise UserError("govkit's Terraform modules are missing from its installation; reinstall")
    files = {
        "catalogs/govkit.yaml": scaffold.organisation_text(organisation, envs, github_org, backend),
        "catalogs/principals.yaml": scaffold.principals_text(organisation, envs, repository),
        ".pre-commit-config.yaml": scaffold.PRE_COMMIT,
        ".gitignore": scaffold.GITIGNORE,
        ".github/govkit-requirements.txt": scaffold.requirements_text(source),
        **{f".github/workflows/{n}": t for n, t in scaffold.workflow_files(envs).items()},
        **modules,
    }
    _write(root, files)
    (root / "catalogs" / "domains").mkdir()
    cwd = os.getcwd()
    os.chdir(root)  # spec paths relative to the new repository, as its users will see them
    try:
        example = Team(
            "example",
            "example-owners",
            etl_principal=f"sp-example-etl-{envs[-1]}",
            application_id=scaffold.placeholder_id(organisation, "sp-example-etl"),
            github_team=f"@{github_org}/example-data-owners",
            description="an example domain; copy it, or run `govkit onboard` for a new team",
        )
        onboarding = plan_onboarding("catalogs", example, today)
        if onboarding.errors:
            raise UserError(
                "the scaffold does not validate:\n" + render_text(list(onboarding.errors))
            )
        write_changes(onboarding.changes)
        validated = validate("catalogs", today)
        if validated.spec is None:
            raise UserError(
                "the scaffold does not validate:\n" + render_text(validated.diagnostics)
            )
        compiled = compile_stacks(validated.spec, validated.environments, "../modules")
        write_files(Path("terraform/generated"), compiled.files())
        layout = Layout("catalogs", "terraform/generated", scaffold.MODULES)
        _write(Path("."), {".github/CODEOWNERS": render_codeowners(validated.spec, layout)})
    except EditRefused as exc:
        raise UserError(str(exc)) from None
    finally:
        os.chdir(cwd)


@click.command("init")
@click.argument("directory")
@click.option("--organisation", required=True, help="The organisation's name.")
@click.option("--environments", default="dev,staging,prod", show_default=True)
@click.option("--github-org", default=None, help="GitHub organisation of the teams (CODEOWNERS).")
@click.option(
    "--govkit-source",
    "source",
    envvar="GOVKIT_SOURCE",
    metavar="git+URL@COMMIT",
    help="Where the workflows install govkit from: a commit of its git repository, or a "
    "wheel's URL (default: where this govkit was installed from).",
)
@click.option(
    "--backend",
    type=click.Choice(BACKENDS),
    default="azurerm",
    show_default=True,
    help="Where the stacks keep their Terraform state: the cloud's state store, signed in "
    "by OIDC (the names written are placeholders).",
)
@click.option(
    "--github-repo",
    default=None,
    metavar="NAME",
    help="The repository's name on GitHub, for the federation policies [default: DIRECTORY's].",
)
@as_of
def command(
    directory: str,
    organisation: str,
    environments: str,
    github_org: str | None,
    source: str | None,
    backend: str,
    github_repo: str | None,
    today: dt.date,
) -> int:
    """Scaffold a governance repository in DIRECTORY (new or empty)."""
    envs = [e.strip() for e in environments.split(",") if e.strip()]
    if not envs or len(set(envs)) != len(envs):
        raise UserError("--environments lists distinct names, e.g. dev,staging,prod")
    source = source or installed_reference()
    if source is None:
        raise UserError(
            "cannot tell which revision of govkit this is (not installed from git): pass "
            f"--govkit-source git+{SOURCE}@COMMIT"
        )
    try:
        requirement(source)
    except InstallError as exc:
        raise UserError(f"--govkit-source {exc}") from None
    target = Path(directory)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UserError(f"{directory} exists and is not empty; choose a new folder")
    slug = github_org or "".join(c if c.isalnum() else "-" for c in organisation.lower())
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        _build(
            staging,
            organisation,
            envs,
            f"{slug}/{github_repo or target.resolve().name}",
            source,
            backend,
            today,
        )
        if target.exists():
            target.rmdir()
        staging.rename(target)  # the whole repository appears at once, or nothing does
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    click.echo(f"{directory}: governance repository for {organisation} ({', '.join(envs)})")
    click.echo(f"the workflows install govkit from {source}")
    click.echo(
        "next: replace the placeholder workspace and application ids and the state store's "
        "names (catalogs/govkit.yaml), then `git init`"
    )
    click.echo(
        "then: apply the terraform/generated/*/_shared stacks once as an account admin (the "
        "workflows' principals and federation policies), then push: README, the first apply"
    )
    return ExitCode.CLEAN
