"""`govkit rules`: the policy rules with codes, names and default severities; `explain CODE`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from govkit.cli.main import HelpGroup
from govkit.exitcodes import ExitCode

if TYPE_CHECKING:
    from govkit.policy.base import Rule


@click.group("rules", cls=HelpGroup, invoke_without_command=True)
@click.option("--markdown", is_flag=True, help="Print the rules page (docs/rules.md).")
@click.pass_context
def command(ctx: click.Context, markdown: bool) -> int:
    """List the policy rules: code, default severity, name and summary."""
    if ctx.invoked_subcommand is not None:
        return ExitCode.CLEAN
    from govkit.policy.docs import render_markdown
    from govkit.policy.engine import RULES

    if markdown:
        click.echo(render_markdown(), nl=False)
        return ExitCode.CLEAN
    width = max(len(r.name) for r in RULES)
    for r in RULES:
        click.echo(f"{r.code}  {r.severity.value:<7}  {r.name:<{width}}  {r.summary()}")
    return ExitCode.CLEAN


@command.command("explain", short_help="Print the documentation of one rule (code or name).")
@click.argument("rule", metavar="CODE|NAME")
def explain(rule: str) -> int:
    """Print the documentation of one rule, by code or by name.

    For example `govkit rules explain GOV201` or `govkit rules explain grants.expired`.
    """
    from govkit.cli.main import UserError
    from govkit.policy.engine import BY_CODE, RULES
    from govkit.spec.build import closest

    by_name = {r.name: r for r in RULES}
    found = BY_CODE.get(rule.upper()) or by_name.get(rule.lower())
    if found is None:
        known = sorted(by_name) if "." in rule else sorted(BY_CODE)
        hint = closest(rule, known) or "`govkit rules` lists the codes and names"
        raise UserError(f"unknown rule {rule!r}; {hint}")
    return _explain(found)


def _explain(rule: type[Rule]) -> int:
    click.echo(
        f"{rule.code} {rule.name} (default: {rule.severity.value}, runs on: {rule.scope.value})\n"
    )
    click.echo(rule.documentation())
    return ExitCode.CLEAN
