"""`govkit access`: who reads and writes a securable, or what a principal reads and writes."""

from __future__ import annotations

import datetime as dt
import difflib
import re

import click

from govkit.access import AccessIndex, UnknownSecurable, effective_access
from govkit.access.render import (
    dumps,
    principal_document,
    principal_text,
    securable_document,
    securable_text,
)
from govkit.cli.drift import LIVE_SOURCES, _read_live_file, reading_ahead
from govkit.cli.inputs import (
    check_state,
    incomplete,
    labeller,
    read_identities,
    read_state,
    recorded,
)
from govkit.cli.main import UserError
from govkit.cli.options import as_of, spec_dir
from govkit.cli.shared import require_valid, select_environments
from govkit.exitcodes import ExitCode
from govkit.identity.document import Identities
from govkit.spec.build import Spec, closest
from govkit.state import State


def _identities(spec_dir: str, source: str | None) -> Identities | None:
    source = source or recorded(spec_dir, "identities.json")
    if source is None:
        click.echo(
            "govkit: no identities document: groups are named, not expanded to people "
            "(--identities FILE)",
            err=True,
        )
        return None
    identities = read_identities(source)
    if not identities.complete:
        detail = incomplete([f"{e.item}: {e.message}" for e in identities.errors])
        raise UserError(f"{source}: identities document is incomplete ({detail})")
    return identities


# A domain file says so at the top level; the other files (organisation, principals) are small.
_DOMAIN_FILE = re.compile(rb"^domain\s*:", re.MULTILINE)


def _principals_only(spec_dir: str) -> Spec | None:
    """The spec's organisation and principals, without its domains: enough to answer for a live
    State (which environments exist, what each principal is declared as), and fast on a large
    estate. None when those files have an error (the full validation then names it)."""
    from govkit.diagnostics import Diagnostic
    from govkit.spec.build import build_spec
    from govkit.spec.loader import Loaded, parse_file, read_spec_file, spec_paths

    loaded = Loaded()
    for display, path in spec_paths(spec_dir):
        raw = read_spec_file(display, path)
        if isinstance(raw, Diagnostic):
            return None
        if _DOMAIN_FILE.search(raw):
            continue
        spec_file, error = parse_file(display, raw)
        if error is not None:
            return None
        if spec_file is not None:
            loaded.files.append(spec_file)
    spec, _ = build_spec(spec_dir, loaded)
    return spec


def _principal(name: str, spec: Spec, index: AccessIndex) -> str:
    """A Unity Catalog name from a declared name, a service principal's display name, or itself."""
    uc_name = spec.uc_names.get(name, name)
    ids = index.identities
    if index.is_known(uc_name) or uc_name in spec.declared_names or _holds_any(uc_name, index):
        return uc_name
    for sp in ids.service_principals if ids is not None else ():
        if sp.display_name == name:
            return sp.application_id
    known = [*spec.uc_names, *(_people(ids) if ids is not None else ())]
    hint = closest(name, known) or "name a declared principal, a user's e-mail or an application id"
    where = "not declared in the spec, " + ("not in the identities document, " if ids else "")
    raise UserError(
        f"unknown principal {name!r} in {index.state.environment}: {where}and holding nothing "
        f"(hint: {hint})"
    )


def _holds_any(name: str, index: AccessIndex) -> bool:
    """Whether a principal the spec does not declare holds or owns something in the State."""
    return any(name in s.grants or s.owner == name for s in index.state.securables)


def _people(ids: Identities) -> list[str]:
    return [
        *(g.display_name for g in ids.groups),
        *(u.name for u in ids.users),
        *(sp.display_name for sp in ids.service_principals if sp.display_name),
    ]


def _securable_name(name: str, index: AccessIndex) -> str:
    try:
        return index.securable(name).name
    except UnknownSecurable:
        close = difflib.get_close_matches(name, [s.name for s in index.state.securables], 3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise UserError(f"unknown securable {name!r} in this environment{hint}") from None


def _answering_state(
    spec_dir: str, env: str, live: str | None, warehouse_id: str | None, today: dt.date
) -> tuple[Spec, State]:
    """The spec and the State to answer for: a live State file needs only the spec's
    organisation and principals; anything else, the validated spec."""
    light = _principals_only(spec_dir) if live is not None and live not in LIVE_SOURCES else None
    if light is not None and live is not None:
        if env not in light.organisation.environments:
            known = ", ".join(light.organisation.environments)
            raise UserError(f"unknown environment {env!r}; known: {known}")
        state = _read_live_file(live)
        check_state(state, env, live)
        return light, state
    with reading_ahead(live, env, warehouse_id, spec_dir=spec_dir) as ahead:
        validated = require_valid(spec_dir, today)
        assert validated.spec is not None  # require_valid raised otherwise
        (environment,) = select_environments(validated.environments, env)
        if live is None:
            return validated.spec, environment.state
        state = read_state(live, environment, warehouse_id, ahead)
    check_state(state, env, live)
    return validated.spec, state


@click.command("access")
@spec_dir
@click.option("--env", "env", required=True, help="The environment to answer for.")
@click.option("--on", "on", default=None, metavar="SECURABLE", help="Full name of a securable.")
@click.option(
    "--principal",
    default=None,
    metavar="NAME",
    help="A user's e-mail, a service principal's application id or declared name.",
)
@click.option(
    "--live",
    default=None,
    metavar="workspace|warehouse|FILE.json",
    help="Answer for the live State instead of the spec's desired one.",
)
@click.option(
    "--identities",
    default=None,
    metavar="FILE.json",
    help="The identities document (default: SPEC_DIR/recorded/identities.json when present).",
)
@click.option("--warehouse-id", envvar="DATABRICKS_WAREHOUSE_ID", default=None)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@as_of
def command(
    spec_dir: str,
    env: str,
    on: str | None,
    principal: str | None,
    live: str | None,
    identities: str | None,
    warehouse_id: str | None,
    fmt: str,
    today: dt.date,
) -> int:
    """Effective access, down to people, with the path that gives it."""
    if (on is None) == (principal is None):
        raise UserError("name exactly one of --on SECURABLE or --principal NAME")
    spec, state = _answering_state(spec_dir, env, live, warehouse_id, today)
    index = effective_access(state, _identities(spec_dir, identities))
    label = labeller(spec)
    if on is not None:
        answer = index.on(_securable_name(on, index))
        text = (
            dumps(securable_document(answer, env))
            if fmt == "json"
            else securable_text(answer, env, label)
        )
    else:
        assert principal is not None
        found = index.of(_principal(principal, spec, index))
        text = (
            dumps(principal_document(found, env))
            if fmt == "json"
            else principal_text(found, env, label)
        )
    click.echo(text, nl=False)
    return ExitCode.CLEAN
