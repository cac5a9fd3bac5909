"""Steps that several commands take before their own work."""

from __future__ import annotations

import datetime as dt

import click

from govkit.cli import colour
from govkit.cli.main import UserError
from govkit.diagnostics import Severity
from govkit.diagnostics.formats import render_text, summary
from govkit.pipeline import Validated, validate
from govkit.resolve import DesiredEnvironment


class InvalidSpec(click.ClickException):
    exit_code = 1

    def show(self, file: object = None) -> None:
        click.echo(self.message, err=True, nl=False)


def require_valid(spec_dir: str, today: dt.date) -> Validated:
    """Validate, or stop with every error of `govkit validate` on stderr and exit 1."""
    validated = validate(spec_dir, today)
    if not validated.ok:
        errors = [d for d in validated.diagnostics if d.severity is Severity.ERROR]
        raise InvalidSpec(
            colour.diagnostics(render_text(errors))
            + f"{spec_dir}: {summary(validated.diagnostics)}; nothing done\n"
        )
    return validated


def check_environment_early(spec_dir: str, env: str) -> None:
    """Refuse an environment the organisation file does not declare, before any slow work.

    Reads the organisation file alone; when it cannot be read or is invalid, nothing is said
    here and the full validation reports it.
    """
    from pydantic import ValidationError

    from govkit.diagnostics import Diagnostic
    from govkit.spec.build import closest
    from govkit.spec.loader import FileKind, parse_file, read_spec_file, spec_paths
    from govkit.spec.model import Organisation

    for display, path in spec_paths(spec_dir):
        raw = read_spec_file(display, path)
        if isinstance(raw, Diagnostic) or b"version:" not in raw:
            continue
        parsed, _ = parse_file(display, raw)
        if parsed is None or parsed.kind is not FileKind.ORGANISATION:
            continue
        try:
            environments = list(Organisation.model_validate(parsed.data).environments)
        except ValidationError:
            return
        if env not in environments:
            hint = closest(env, environments)
            raise UserError(
                f"unknown environment {env!r}; known: {', '.join(environments)}"
                + (f" ({hint})" if hint else "")
            )
        return


def select_environments(
    environments: tuple[DesiredEnvironment, ...], env: str | None
) -> tuple[DesiredEnvironment, ...]:
    """All environments, or the one named; an unknown name lists the known ones."""
    if env is None:
        return environments
    chosen = tuple(e for e in environments if e.name == env)
    if not chosen:
        known = ", ".join(e.name for e in environments)
        raise UserError(f"unknown environment {env!r}; known: {known}")
    return chosen
