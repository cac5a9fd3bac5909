"""The mass-revoke guard's option and its step in the commands that write or plan access."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import click

from govkit.cli.main import UserError
from govkit.exitcodes import ExitCode
from govkit.guard import Finding, render_findings
from govkit.spec.model import Organisation


def _reason(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise click.BadParameter("give the reason, e.g. --allow-destructive 'FIN-12 retire'")
    return value.strip() if value else None


# A line git writes into a file it could not merge.
_CONFLICT = re.compile(rb"^(<<<<<<<|>>>>>>>) ", re.MULTILINE)

allow_destructive = click.option(
    "--allow-destructive",
    "reason",
    metavar="REASON",
    callback=_reason,
    help="Go ahead with a destructive change in a protected environment (mass revoke, "
    "catalog removed, catalog owner changed); the output records REASON.",
)


class Refused(click.ClickException):
    """The guard refused: its lines are already printed; exit 1."""

    exit_code = ExitCode.ERROR

    def show(self, file: object = None) -> None:
        pass


def report(findings: list[Finding], reason: str | None) -> None:
    """Print the findings; raise Refused unless a reason allows them."""
    for line in render_findings(findings, reason):
        click.echo(line, err=True)
    if findings and not reason:
        raise Refused("refused by the mass-revoke guard")


def _unreadable_output(out_dir: Path, previous: Mapping[str, bytes], problem: str) -> str:
    """Why the guard cannot compare with the output it would replace, and how to fix it."""
    conflicted = sorted(rel for rel, data in previous.items() if _CONFLICT.search(data) is not None)
    why = problem
    if conflicted:
        why = f"{conflicted[0]} holds git conflict markers (a merge or rebase in progress)"
    return (
        f"{out_dir}: the previous output cannot be read: {why}; the mass-revoke guard has "
        "nothing to compare the new output with, so nothing is written (hint: restore the "
        f"output of the last commit, `git checkout HEAD -- {out_dir}`, then compile again)"
    )


def guard_compile(
    out_dir: Path, files: Mapping[str, bytes], organisation: Organisation, reason: str | None
) -> dict[str, bytes]:
    """The files to write: `files`, plus the record of an allowed destructive change."""
    from govkit.guard.compiled import check_compiled, previous_output, record
    from govkit.guard.terraform import UnreadableInput

    previous = previous_output(out_dir)
    try:
        findings = check_compiled(previous, files, organisation)
    except UnreadableInput as exc:
        raise UserError(_unreadable_output(out_dir, previous, str(exc))) from None
    report(findings, reason)
    return {**files, **record(findings, reason)} if findings and reason else dict(files)
