"""Entry point: dispatch to one small function per command, behind one error boundary.

Commands are imported lazily so that `govkit validate` never pays for the Databricks SDK.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from govkit import __version__
from govkit.exitcodes import ExitCode

# command name -> module under govkit.cli that defines `command`
COMMANDS: dict[str, str] = {
    "validate": "validate",
    "show": "show",
    "schema": "schema",
    "snapshot": "snapshot",
    "rules": "rules",
    "drift": "drift",
    "compile": "compile",
    "affected": "affected",
    "access": "access",
    "import": "import_",
    "request": "request",
    "revoke": "revoke",
    "expire": "expire",
    "codeowners": "codeowners",
    "onboard": "onboard",
    "init": "init",
    "identities": "identities",
    "audit": "audit",
    "diff": "diff",
    "plan-check": "plan_check",
    "migrate": "migrate",
}


class UserError(click.ClickException):
    """A problem the user can fix: printed as one line, exit 1, no traceback."""

    exit_code = ExitCode.ERROR


class HelpGroup(click.Group):
    """A group whose command list shows each command's first sentence whole, wrapped, never
    cut at the terminal's width with `...`."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(limit=10_000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


class _LazyGroup(HelpGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMANDS.get(cmd_name)
        if module is None:
            return None
        command: click.Command = importlib.import_module(f"govkit.cli.{module}").command
        return command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="govkit")
@click.option("--no-color", "no_color", is_flag=True, help="No colour (also: NO_COLOR=1).")
@click.pass_context
def cli(ctx: click.Context, no_color: bool) -> None:
    """Unity Catalog governance as code."""
    import os

    from govkit.cli.colour import no_colour_wanted

    if no_colour_wanted(no_color, dict(os.environ)):
        ctx.color = False  # inherited by every command's context; click.echo then strips styles


def _log_bug(argv: list[str] | None) -> str:
    """Write the current traceback where a bug report can pick it up; return its path."""
    import os
    import traceback

    folder = os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
        "govkit",
    )
    path = os.path.join(folder, "govkit.log")
    try:
        os.makedirs(folder, exist_ok=True)
        with open(path, "a", encoding="utf-8") as log:
            log.write(f"govkit {__version__} {sys.argv[0]} {argv or sys.argv[1:]}\n")
            log.write(traceback.format_exc() + "\n")
    except OSError:
        return "(unwritable log; run with python -X dev for the traceback)"
    return path


def _input_problems(exc: Exception) -> list[str]:
    """The lines of an input error raised below the commands (all of them read it), else []."""
    # Imported here: only a failing command pays for it.
    from govkit.live.resilience import ClientConfigError
    from govkit.live.settings import SettingsError

    if isinstance(exc, ClientConfigError):  # e.g. a host that no request reached, from a reader
        return [str(exc)]
    return str(exc).splitlines() if isinstance(exc, SettingsError) else []


def main(argv: list[str] | None = None) -> int:
    try:
        result: Any = cli.main(args=argv, prog_name="govkit", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return ExitCode.ERROR
    except click.ClickException as exc:
        exc.show()
        # click's usage errors exit 2; govkit keeps 2 for "changes present".
        return ExitCode.ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return ExitCode.ERROR
    except Exception as exc:  # the one boundary: anything else is a bug, logged with its traceback
        problems = _input_problems(exc)
        if problems:
            for line in problems:
                click.echo(f"Error: {line}", err=True)
            return ExitCode.ERROR
        log = _log_bug(argv)
        click.echo(
            f"govkit: internal error (a bug, not your input): {type(exc).__name__}: {exc}\n"
            f"govkit: the traceback is in {log}; please attach it to a bug report",
            err=True,
        )
        return ExitCode.ERROR
    return int(result) if isinstance(result, int) else ExitCode.CLEAN
