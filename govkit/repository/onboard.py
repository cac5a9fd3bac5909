"""A new team's domain file and principal entries, validated with the whole spec before writing.

The principal file and the organisation file are edited in place (round trip, as `request`
does); the domain file is new. Nothing is written unless the whole spec validates with them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from govkit.diagnostics import Diagnostic, Severity
from govkit.edit.document import Document, EditRefused, parse
from govkit.edit.locate import map_spec
from govkit.pipeline import validate
from govkit.spec.loader import PRINCIPAL_KEYS, spec_paths


@dataclass(frozen=True)
class Team:
    """Who a new domain belongs to and what it runs with."""

    domain: str
    owner: str
    environments: tuple[str, ...] | None = None  # None: every environment
    etl_principal: str | None = None
    application_id: str | None = None
    github_team: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Onboarding:
    changes: Mapping[str, tuple[str, str]]  # display path -> (before, after); before "" is new
    errors: tuple[Diagnostic, ...]


def _flow(values: list[Any]) -> CommentedSeq:
    seq = CommentedSeq(values)
    seq.fa.set_flow_style()
    return seq


def domain_text(
    team: Team, etl_envs: list[str], deployers: Mapping[str, str] | None = None
) -> str:
    """The new domain file: owner, environments, the ETL principal's write grant, and MANAGE
    for the deployer of each unprotected environment (`deployers`: environment -> deployer),
    where the owner group owns the catalog and the deployer would otherwise lose the right to
    apply it (GOV213)."""
    lines = [
        f"# {team.domain}: {team.description or 'onboarded with `govkit onboard`'}.",
        "# Add schemas and tables below; `govkit request` adds a grant, `govkit validate` checks.",
        f"domain: {team.domain}",
        f"owner: {team.owner}",
    ]
    if team.environments is not None:
        lines.append(f"environments: [{', '.join(team.environments)}]")
    lines.append("authority: authoritative")
    grants = [
        f"  - {{principal: {deployer}, privileges: [MANAGE], environments: [{env}], "
        f"reason: the deployer applies {env}}}"
        for env, deployer in sorted((deployers or {}).items())
    ]
    if team.etl_principal:
        grants.append(
            f"  - {{principal: {team.etl_principal}, access: write, "
            f"environments: [{', '.join(etl_envs)}], reason: {team.domain} pipelines}}"
        )
    if grants:
        lines += ["grants:", *grants]
    lines.append("schemas: {}")
    return "\n".join(lines) + "\n"


def _section(doc: Document, key: str) -> CommentedMap:
    value = doc.data.get(key)
    if value is None:
        value = doc.data[key] = CommentedMap()
    if not isinstance(value, CommentedMap):
        raise EditRefused(doc.file, f"`{key}:` is not a mapping")
    doc.check_editable([doc.data, value], f"`{key}:`")
    return value


def _principal_file(spec_dir: str) -> tuple[str, str]:
    for display, full in spec_paths(spec_dir):
        text = full.read_text("utf-8")
        if any(line.split(":")[0] in PRINCIPAL_KEYS for line in text.splitlines()):
            return display, text
    raise EditRefused(spec_dir, "no principal file", "add principals.yaml with `groups:`")


def plan_onboarding(spec_dir: str, team: Team, today: dt.date) -> Onboarding:
    """The files that onboard `team`; errors of the whole spec with them, if any."""
    spec = map_spec(spec_dir)
    if team.domain in spec.domains:
        raise EditRefused(spec.domains[team.domain][0], f"domain {team.domain} exists already")
    envs = list(team.environments or spec.environments())
    unknown = [e for e in envs if e not in spec.organisation.environments]
    if unknown:
        raise EditRefused(
            spec.organisation_file,
            f"unknown environment {', '.join(unknown)}",
            f"known: {', '.join(spec.environments())}",
        )
    protected = [e for e in envs if spec.organisation.environments[e].protected]
    etl_envs = (protected or envs)[-1:]  # the ETL principal of production, as its name says
    principals_file, principals_text = _principal_file(spec_dir)
    principals = parse(principals_file, principals_text)
    groups = _section(principals, "groups")
    if team.owner not in groups:
        groups[team.owner] = CommentedMap(description=f"{team.domain} data owners")
    if team.etl_principal:
        if not team.application_id:
            raise EditRefused(team.etl_principal, "an ETL principal needs --application-id")
        sps = _section(principals, "service_principals")
        sps[team.etl_principal] = CommentedMap(
            application_id=team.application_id, environments=_flow(etl_envs)
        )
    changes = {principals_file: (principals.original, principals.text())}
    if team.github_team:
        org = parse(spec.organisation_file, Path(spec.organisation_file).read_text("utf-8"))
        codeowners = _section(org, "codeowners")
        teams = codeowners.get("teams")
        if not isinstance(teams, CommentedMap):
            teams = codeowners["teams"] = CommentedMap()
        quoted = any(isinstance(v, DoubleQuotedScalarString) for v in teams.values())
        teams[team.owner] = (
            DoubleQuotedScalarString(team.github_team) if quoted else team.github_team
        )
        changes[org.file] = (org.original, org.text())
    folder = "domains/" if Path(spec_dir, "domains").is_dir() else ""
    domain_file = f"{spec_dir.rstrip('/')}/{folder}{team.domain}.yaml"
    deployers = {
        e: d
        for e in envs
        if not spec.organisation.environments[e].protected
        and (d := spec.organisation.environments[e].deployer)
    }
    changes[domain_file] = ("", domain_text(team, etl_envs, deployers))
    result = validate(
        spec_dir, today, {f: after.encode("utf-8") for f, (_, after) in changes.items()}
    )
    errors = tuple(d for d in result.diagnostics if d.severity is Severity.ERROR)
    return Onboarding({} if errors else changes, errors)
