"""Resolve the spec into the desired estate of each environment.

A domain becomes one catalog per environment. Owners are inherited downward; in a protected
environment the deployer service principal owns everything. Access levels expand to the
privileges valid on each securable type. Expired grants are left out and kept aside for reports.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, NamedTuple

from govkit.diagnostics import Path
from govkit.privileges import SecurableType, expand_level
from govkit.spec import model
from govkit.spec.build import Spec
from govkit.spec.references import access_levels
from govkit.spec.tags import tag_value
from govkit.state import (
    Securable,
    State,
    Storage,
    make_securable,
    make_state,
    normalise_column_tags,
    normalise_tags,
)

Authority = Literal["authoritative", "additive"]

# The anchor of an authoritative securable that declares no grant: a direct grant of the least
# privilege valid on its type, to its Unity Catalog owner. The provider's `databricks_grants`
# refuses an empty `grant` set and reads an empty privilege list back as a deleted resource, so
# such a securable would get no resource, and a grant made there by hand would never be revoked.
# The anchor gives it one; it changes nobody's access, because an owner already holds every
# privilege on what it owns. Only where nothing is declared: elsewhere the declared grants hold
# the resource, and an imported estate that holds grants plans no change.
ANCHOR: dict[SecurableType, str] = {
    SecurableType.CATALOG: "BROWSE",
    SecurableType.SCHEMA: "USE_SCHEMA",
    SecurableType.TABLE: "SELECT",
    SecurableType.VOLUME: "READ_VOLUME",
    SecurableType.EXTERNAL_LOCATION: "BROWSE",
    SecurableType.STORAGE_CREDENTIAL: "CREATE_EXTERNAL_LOCATION",
}


def anchored(
    type: SecurableType, owner: str, grants: dict[str, tuple[str, ...]]
) -> dict[str, tuple[str, ...]]:
    """The grants of an authoritative securable owned by `owner` (its Unity Catalog name):
    the declared ones, or the anchor grant when none is declared."""
    return grants or {owner: (ANCHOR[type],)}


class Origin(NamedTuple):
    """Where in the spec something was declared."""

    file: str
    path: Path


class DesiredSecurable(NamedTuple):
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
    storage: Storage = Storage()


class DesiredGrant(NamedTuple):
    securable_type: SecurableType
    securable: str
    principal: str  # declared name
    privileges: tuple[str, ...]
    domain: str
    origin: Origin
    expires: dt.date | None
    reason: str
    waivers: tuple[model.Waiver, ...]


class DesiredPolicy(NamedTuple):
    """An ABAC policy in one environment, with Unity Catalog names throughout."""

    name: str
    policy_type: Literal["COLUMN_MASK", "ROW_FILTER"]
    on_type: SecurableType  # the catalog, schema or table it is attached to
    on_name: str
    function: str  # catalog.schema.function
    tag: str  # the governed tag of the columns it acts on
    value: str | None  # and that tag's value, or None for any
    to_principals: tuple[str, ...]
    except_principals: tuple[str, ...]
    when_condition: str | None
    comment: str
    domain: str
    origin: Origin


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
    # Storage credentials and external locations: metastore-wide, in no domain.
    storage: tuple[DesiredSecurable, ...] = ()
    storage_grants: tuple[DesiredGrant, ...] = ()
    # Workspace id -> host URL, from the organisation file: where the live readers reach the
    # catalogs isolated to workspaces other than their own.
    hosts: tuple[tuple[int, str], ...] = ()
    policies: tuple[DesiredPolicy, ...] = ()


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
        self.state: list[Securable] = []
        self.grants: list[DesiredGrant] = []
        self.expired: list[DesiredGrant] = []
        self.storage_securables: list[DesiredSecurable] = []
        self.storage_grants: list[DesiredGrant] = []
        self.policies: list[DesiredPolicy] = []
        self.workspaces = tuple(sorted(set(self.config.workspaces)))
        # Expansions repeat across thousands of grants: compute each once.
        self._expanded: dict[tuple[str, SecurableType], tuple[str, ...]] = {}
        self._listed: dict[tuple[str, ...], tuple[str, ...]] = {}
        self.uc_names = spec.uc_names

    def owner(self, accountable: str) -> str:
        if self.config.protected and self.config.deployer is not None:
            return self.config.deployer
        return accountable

    def privileges(self, grant: model.Grant, on: SecurableType) -> tuple[str, ...]:
        if grant.access is not None:
            key = (grant.access, on)
            found = self._expanded.get(key)
            if found is None:
                found = self._expanded[key] = expand_level(self.levels[grant.access], on)
            return found
        listed = grant.privileges or ()
        found = self._listed.get(listed)
        if found is None:
            found = self._listed[listed] = tuple(sorted(set(listed)))
        return found

    def add_grants(
        self,
        grants: tuple[model.Grant, ...],
        on: SecurableType,
        name: str,
        domain: str,
        origin: Origin,
    ) -> dict[str, tuple[str, ...]]:
        """Record the grants that apply here; return them by Unity Catalog principal name."""
        by_principal: dict[str, tuple[str, ...]] = {}
        for i, grant in enumerate(grants):
            if grant.environments is not None and self.env not in grant.environments:
                continue
            privileges = self.privileges(grant, on)
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
            if grant.expires is not None and grant.expires < self.today:
                self.expired.append(desired)
                continue
            self.grants.append(desired)
            uc_name = self.uc_names.get(grant.principal, grant.principal)
            known = by_principal.get(uc_name)
            by_principal[uc_name] = (
                privileges if known is None else tuple(sorted({*known, *privileges}))
            )
        return {p: by_principal[p] for p in sorted(by_principal) if by_principal[p]}

    def add(
        self,
        type: SecurableType,
        name: str,
        domain: model.Domain,
        accountable: str,
        comment: str,
        origin: Origin,
        grants: tuple[model.Grant, ...],
        storage: Storage | None = None,
        tags: dict[str, str] | None = None,
        column_tags: dict[str, dict[str, str]] | None = None,
    ) -> None:
        catalog = type is SecurableType.CATALOG
        owner = self.owner(accountable)
        isolation: Literal["ISOLATED"] | None = "ISOLATED" if catalog else None
        workspaces = self.workspaces if catalog else None
        self.securables.append(
            DesiredSecurable(
                type,
                name,
                domain.domain,
                owner,
                accountable,
                comment,
                domain.authority,
                origin,
                isolation,
                workspaces,
                storage or Storage(),
            )
        )
        by_principal = self.add_grants(grants, type, name, domain.domain, origin)
        uc_owner = self.uc_names.get(owner, owner)
        if domain.authority == "authoritative":
            by_principal = anchored(type, uc_owner, by_principal)
        # Grants come out of add_grants sorted and de-duplicated, as make_securable would make them.
        self.state.append(
            Securable(
                type,
                name,
                uc_owner,
                isolation,
                workspaces,
                by_principal,
                storage.storage_root if storage else None,
                storage.url if storage else None,
                tags=normalise_tags(tags or {}),
                column_tags=normalise_column_tags(column_tags or {}),
            )
        )

    def tags(self, tags: model.Tags) -> dict[str, str]:
        """The tags assigned in this environment."""
        if not tags:
            return {}
        out = {k: tag_value(v, self.env) for k, v in tags.items()}
        return {k: v for k, v in out.items() if v is not None}

    def add_policies(
        self,
        policies: dict[str, model.AbacPolicy],
        on: tuple[SecurableType, str],
        catalog: str,
        domain: str,
        origin: Origin,
    ) -> None:
        for name, p in policies.items():
            if p.environments is not None and self.env not in p.environments:
                continue
            function = p.function if p.function.count(".") == 2 else f"{catalog}.{p.function}"
            self.policies.append(
                DesiredPolicy(
                    name, "COLUMN_MASK" if p.type == "column_mask" else "ROW_FILTER", *on,
                    function, p.match.tag, p.match.value,
                    tuple(self.uc_names.get(x, x) for x in p.to_principals),
                    tuple(self.uc_names.get(x, x) for x in p.except_principals),
                    p.when_condition, p.comment, domain,
                    Origin(origin.file, (*origin.path, "policies", name)),
                )
            )  # fmt: skip

    def domain(self, file: str, d: model.Domain) -> None:
        catalog = d.catalog or catalog_name(self.spec, d.domain, self.env)
        root = Storage(storage_root=d.storage_root.get(self.env))
        origin = Origin(file, ())
        self.add(
            SecurableType.CATALOG, catalog, d, d.owner, d.comment, origin, d.grants, root,
            self.tags(d.tags),
        )  # fmt: skip
        self.add_policies(d.policies, (SecurableType.CATALOG, catalog), catalog, d.domain, origin)
        for s_name, schema in d.schemas.items():
            s_owner = schema.owner or d.owner
            s_full = f"{catalog}.{s_name}"
            s_origin = Origin(file, ("schemas", s_name))
            self.add(
                SecurableType.SCHEMA, s_full, d, s_owner, schema.comment, s_origin, schema.grants,
                tags=self.tags(schema.tags),
            )  # fmt: skip
            on_schema = (SecurableType.SCHEMA, s_full)
            self.add_policies(schema.policies, on_schema, catalog, d.domain, s_origin)
            for t_name, table in schema.tables.items():
                t_origin = Origin(file, (*s_origin.path, "tables", t_name))
                on_table = (SecurableType.TABLE, f"{s_full}.{t_name}")
                self.add_policies(table.policies, on_table, catalog, d.domain, t_origin)
                self.add(
                    SecurableType.TABLE,
                    f"{s_full}.{t_name}",
                    d,
                    table.owner or s_owner,
                    table.comment,
                    t_origin,
                    table.grants,
                    tags=self.tags(table.tags),
                    column_tags={c: self.tags(col.tags) for c, col in table.columns.items()}
                    if table.columns
                    else None,
                )
            for v_name, volume in schema.volumes.items():
                self.add(
                    SecurableType.VOLUME, f"{s_full}.{v_name}", d, volume.owner or s_owner,
                    volume.comment, Origin(file, (*s_origin.path, "volumes", v_name)),
                    volume.grants, Storage(url=volume.storage_location.get(self.env)),
                )  # fmt: skip

    def storage(self) -> None:
        """The environment's storage credentials and external locations, owned and granted."""
        org, file = self.spec.organisation, self.spec.organisation_file
        items: list[tuple[SecurableType, str, model.StorageCredential | model.ExternalLocation]] = [
            *((SecurableType.STORAGE_CREDENTIAL, n, c) for n, c in org.storage_credentials.items()),
            *((SecurableType.EXTERNAL_LOCATION, n, x) for n, x in org.external_locations.items()),
        ]
        for type, name, item in items:
            if item.environment != self.env:
                continue
            if isinstance(item, model.ExternalLocation):
                where = Storage(url=item.url, credential=item.credential, read_only=item.read_only)
                section = "external_locations"
            else:
                where = Storage(read_only=item.read_only)
                section = "storage_credentials"
            origin = Origin(file, (section, name))
            owner = self.owner(item.owner)
            self.storage_securables.append(
                DesiredSecurable(
                    type, name, "", owner, item.owner, item.comment, "authoritative", origin,
                    storage=where,
                )
            )  # fmt: skip
            before = len(self.grants)
            by_principal = self.add_grants(item.grants, type, name, "", origin)
            # Storage grants belong to no domain: kept apart from the domains' grants.
            self.storage_grants.extend(self.grants[before:])
            del self.grants[before:]
            uc_owner = self.uc_names.get(owner, owner)
            by_principal = anchored(type, uc_owner, by_principal)  # storage is authoritative
            self.state.append(make_securable(type, name, uc_owner, by_principal, storage=where))

    def result(self) -> DesiredEnvironment:
        return DesiredEnvironment(
            name=self.env,
            protected=self.config.protected,
            deployer=self.config.deployer,
            workspaces=self.workspaces,
            securables=tuple(self.securables),
            grants=tuple(self.grants),
            expired=tuple(self.expired),
            state=make_state("spec", self.state, environment=self.env),
            storage=tuple(self.storage_securables),
            storage_grants=tuple(self.storage_grants),
            hosts=tuple(sorted(self.config.hosts.items())),
            policies=tuple(self.policies),
        )


def resolve_environment(spec: Spec, env: str, today: dt.date) -> DesiredEnvironment:
    resolver = _Resolver(spec, env, today)
    for doc in spec.domains:
        if env in domain_environments(spec, doc.domain):
            resolver.domain(doc.file, doc.domain)
    resolver.storage()
    return resolver.result()


def resolve(spec: Spec, today: dt.date) -> tuple[DesiredEnvironment, ...]:
    """The desired estate of every environment, in the organisation file's order."""
    return tuple(resolve_environment(spec, env, today) for env in spec.organisation.environments)
