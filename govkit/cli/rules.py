"""`govkit rules`: the policy rules with codes, names and default severities; `explain CODE`."""

from __future__ import annotations

import click

from govkit.exitcodes import ExitCode


@click.group("rules", invoke_without_command=True)
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


@command.command("explain")
@click.argument("code")
def explain(code: str) -> int:
    """Print the documentation of one rule, e.g. `govkit rules explain GOV201`."""
    from govkit.cli.main import UserError
    from govkit.policy.engine import BY_CODE
    from govkit.spec.build import closest

    rule = BY_CODE.get(code.upper())
    if rule is None:
        hint = closest(code.upper(), sorted(BY_CODE)) or "`govkit rules` lists the codes"
        raise UserError(f"unknown rule {code!r}; {hint}")
    click.echo(
        f"{rule.code} {rule.name} (default: {rule.severity.value}, runs on: {rule.scope.value})\n"
    )
    click.echo(rule.documentation())
    return ExitCode.CLEAN
