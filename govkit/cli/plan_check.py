"""`govkit plan-check`: the mass-revoke guard over a saved Terraform plan.

A stack edited by hand never passes through `govkit compile`; its plan is what would be
applied, so the guard reads the plan itself (`terraform show -json`).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import click

from govkit.cli.guard import allow_destructive, report
from govkit.cli.main import UserError
from govkit.cli.options import as_of, spec_dir
from govkit.cli.shared import require_valid
from govkit.exitcodes import ExitCode

UNKNOWN = "(not in the spec)"


def _read_plan(plan: Path, chdir: Path | None) -> dict[str, Any]:
    """The plan as `terraform show -json` gives it: read as JSON, or shown through the CLI."""
    from govkit.compile.runner import Terraform, TerraformError

    try:
        data = plan.read_bytes()
    except OSError as exc:
        raise UserError(f"{plan}: cannot read: {exc.strerror}") from None
    if data.lstrip()[:1] == b"{":
        try:
            value = json.loads(data)
        except ValueError as exc:
            raise UserError(f"{plan}: not JSON: {exc}") from None
        if not isinstance(value, dict):
            raise UserError(f"{plan}: not a plan document")
        return value
    workdir = chdir or plan.resolve().parent
    try:
        return Terraform.from_environment(workdir).show_plan(str(plan.resolve()))
    except TerraformError as exc:
        raise UserError(f"{plan}: terraform show -json failed: {exc}") from None


@click.command("plan-check")
@click.argument("plan", type=click.Path(dir_okay=False, path_type=Path))
@spec_dir
@click.option("--env", "env", help="The environment the plan's stack belongs to.")
@click.option(
    "--chdir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The stack folder, for a binary plan (default: the plan's folder).",
)
@allow_destructive
@as_of
def command(
    plan: Path,
    spec_dir: str,
    env: str | None,
    chdir: Path | None,
    reason: str | None,
    today: dt.date,
) -> int:
    """Refuse a saved plan that revokes en masse, removes a catalog or changes its owner.

    PLAN is a saved plan file or its `terraform show -json` output. Without --env each catalog's
    environment comes from the spec; a catalog the spec does not know counts as protected.
    """
    from govkit.guard.check import check_footprints
    from govkit.guard.terraform import UnreadableInput, plan_footprints

    validated = require_valid(spec_dir, today)
    assert validated.spec is not None
    organisation = validated.spec.organisation
    if env is not None and env not in organisation.environments:
        raise UserError(
            f"unknown environment {env!r}; known: {', '.join(organisation.environments)}"
        )
    catalogs = {
        s.name: e.name
        for e in validated.environments
        for s in e.securables
        if s.type.value == "catalog"
    }
    document = _read_plan(plan, chdir)
    try:
        before, after = plan_footprints(document, lambda c: env or catalogs.get(c, UNKNOWN))
    except UnreadableInput as exc:
        raise UserError(f"{plan}: {exc}; nothing checked") from None
    envs = organisation.environments

    def protected(name: str) -> bool:
        return envs[name].protected if name in envs else True

    findings = check_footprints(before, after, protected, organisation.mass_revoke_percent)
    report(findings, reason)
    revoked = sum(
        len(before[e].grants - after[e].grants if e in after else before[e].grants) for e in before
    )
    verdict = "allowed" if findings else "passed"
    click.echo(
        f"{plan}: {verdict}: {len(findings)} destructive change(s), {revoked} grant(s) revoked"
    )
    if findings and reason:
        click.echo(f"{plan}: allowed by --allow-destructive: {reason}")
    return ExitCode.CLEAN
