"""Resolve the spec into the desired estate of each environment.

A domain becomes one catalog per environment. Owners are inherited downward; in a protected
environment the deployer service principal owns everything. Access levels expand to the
privileges valid on each securable type. Expired grants are left out and kept aside for reports.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from govkit.diagnostics import Path
from govkit.privileges import SecurableType, expand_level
from govkit.spec import model
from govkit.spec.build import Spec
from govkit.spec.references import access_levels
from govkit.state import Securable, State, make_securable, make_state

Authority = Literal["authoritative", "additive"]


@dataclass(frozen=True, slots=True)
class Origin:
    """Where in the spec something was declared."""

    file: str
    path: Path


@dataclass(frozen=True, slots=True)
class DesiredSecurable:
    type: SecurableType
    name: str
    domain: str
    owner: str  # declared name of the Unity Catalog owner
    accountable_owner: str  # declared name of the owner named in reports and CODEOWNERS
    comment: str
    authority: Authority
    origin: Origin
    isolation_mode: Literal["ISOLATED", "OPEN"] | None = None
    workspace_ids: tuple[int, ...] | None = None


@dataclass(frozen=True, slots=True)
class DesiredGrant:
    securable_type: SecurableType
    securable: str
    principal: str  # declared name
    privileges: tuple[str, ...]
    domain: str
    origin: Origin
    expires: dt.date | None
    reason: str
    waivers: tuple[model.Waiver, ...]


@dataclass(frozen=True)
class DesiredEnvironment:
    name: str
    protected: bool
    deployer: str | None
    workspaces: tuple[int, ...]
    securables: tuple[DesiredSecurable, ...]
    grants: tuple[DesiredGrant, ...]
    expired: tuple[DesiredGrant, ...]
    state: State


def catalog_name(spec: Spec, domain: str, env: str) -> str:
    return spec.organisation.catalog_name.format(domain=domain, env=env)


def domain_environments(spec: Spec, domain: model.Domain) -> tuple[str, ...]:
    """The environments a domain lives in, in the organisation file's order."""
    wanted = domain.environments
    return tuple(e for e in spec.organisation.environments if wanted is None or e in wanted)


class _Resolver:
    def __init__(self, spec: Spec, env: str, today: dt.date) -> None:
        self.spec = spec
        self.env = env
        self.config = spec.organisation.environments[env]
        self.today = today
        self.levels = access_levels(spec.organisation)
        self.securables: list[DesiredSecurable] = []
        self.grants: list[DesiredGrant] = []
        self.expired: list[DesiredGrant] = []

    def owner(self, accountable: str) -> str:
        if self.config.protected and self.config.deployer is not None:
            return self.config.deployer
        return accountable

    def add_grants(
        self,
        grants: tuple[model.Grant, ...],
        on: SecurableType,
        name: str,
        domain: str,
        origin: Origin,
    ) -> None:
        for i, grant in enumerate(grants):
            if grant.environments is not None and self.env not in grant.environments:
                continue
            if grant.access is not None:
                privileges = expand_level(self.levels[grant.access], on)
            else:
                privileges = tuple(sorted(set(grant.privileges or ())))
            desired = DesiredGrant(
                on,
                name,
                grant.principal,
                privileges,
                domain,
                Origin(origin.file, (*origin.path, "grants", i)),
                grant.expires,
                grant.reason,
                grant.waivers,
            )
            expired = grant.expires is not None and grant.expires < self.today
            (self.expired if expired else self.grants).append(desired)

    def add(
        self,
        type: SecurableType,
        name: str,
        domain: model.Domain,
        accountable: str,
        comment: str,
        origin: Origin,
        grants: tuple[model.Grant, ...],
    ) -> None:
        catalog = type is SecurableType.CATALOG
        self.securables.append(
            DesiredSecurable(
                type,
                name,
                domain.domain,
                self.owner(accountable),
                accountable,
                comment,
                domain.authority,
                origin,
                "ISOLATED" if catalog else None,
                tuple(sorted(set(self.config.workspaces))) if catalog else None,
            )
        )
        self.add_grants(grants, type, name, domain.domain, origin)

    def domain(self, file: str, d: model.Domain) -> None:
        catalog = catalog_name(self.spec, d.domain, self.env)
        self.add(SecurableType.CATALOG, catalog, d, d.owner, d.comment, Origin(file, ()), d.grants)
        for s_name, schema in d.schemas.items():
            s_owner = schema.owner or d.owner
            s_full = f"{catalog}.{s_name}"
            s_origin = Origin(file, ("schemas", s_name))
            self.add(
                SecurableType.SCHEMA, s_full, d, s_owner, schema.comment, s_origin, schema.grants
            )
            for t_name, table in schema.tables.items():
                self.add(
                    SecurableType.TABLE,
                    f"{s_full}.{t_name}",
                    d,
                    table.owner or s_owner,
                    table.comment,
                    Origin(file, (*s_origin.path, "tables", t_name)),
                    table.grants,
                )

    def result(self) -> DesiredEnvironment:
        return DesiredEnvironment(
            name=self.env,
            protected=self.config.protected,
            deployer=self.config.deployer,
            workspaces=tuple(sorted(set(self.config.workspaces))),
            securables=tuple(self.securables),
            grants=tuple(self.grants),
            expired=tuple(self.expired),
            state=desired_state(self.spec, self.env, self.securables, self.grants),
        )


def desired_state(
    spec: Spec,
    env: str,
    securables: list[DesiredSecurable],
    grants: list[DesiredGrant],
) -> State:
    """The State document of the desired side: names as Unity Catalog spells them."""
    by_securable: dict[tuple[SecurableType, str], dict[str, set[str]]] = defaultdict(
        lambda: defaultdict(set)
    )
    for g in grants:
        by_securable[(g.securable_type, g.securable)][spec.uc_name(g.principal)].update(
            g.privileges
        )
    return make_state("spec", _state_securables(spec, securables, by_securable), environment=env)


def _state_securables(
    spec: Spec,
    securables: list[DesiredSecurable],
    grants: dict[tuple[SecurableType, str], dict[str, set[str]]],
) -> Iterator[Securable]:
    for s in securables:
        yield make_securable(
            s.type,
            s.name,
            spec.uc_name(s.owner),
            grants.get((s.type, s.name), {}),
            s.isolation_mode,
            s.workspace_ids,
        )


def resolve_environment(spec: Spec, env: str, today: dt.date) -> DesiredEnvironment:
    resolver = _Resolver(spec, env, today)
    for doc in spec.domains:
        if env in domain_environments(spec, doc.domain):
            resolver.domain(doc.file, doc.domain)
    return resolver.result()


def resolve(spec: Spec, today: dt.date) -> tuple[DesiredEnvironment, ...]:
    """The desired estate of every environment, in the organisation file's order."""
    return tuple(resolve_environment(spec, env, today) for env in spec.organisation.environments)
