"""What rules see: the spec, every resolved environment, today, and indexes built once.

Rules stay linear in the size of the spec by asking these indexes instead of scanning: grant
entries are grouped by where they are written (one finding per entry, naming every environment
it breaks a rule in), and each environment's USE_CATALOG / USE_SCHEMA holders are computed once.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from govkit.diagnostics import Path
from govkit.policy.waiverbook import Holder
from govkit.privileges import SecurableType
from govkit.resolve import DesiredEnvironment, DesiredGrant
from govkit.spec import model
from govkit.spec.build import Declared, Spec

if TYPE_CHECKING:
    from govkit.policy.waiverbook import WaiverBook

Declaration = model.Domain | model.Schema | model.Table | model.Volume


@dataclass(slots=True)
class GrantEntry:
    """One entry of a `grants:` list, with what it became in each environment."""

    file: str
    path: Path
    grant: model.Grant
    principal: str
    domain: str
    # Document path of the securable it sits on: () domain, (schemas, s), (schemas, s, tables, t).
    securable_path: Path
    active: list[tuple[DesiredEnvironment, DesiredGrant]] = field(default_factory=list)
    expired: list[tuple[DesiredEnvironment, DesiredGrant]] = field(default_factory=list)

    def key_path(self, key: str) -> Path:
        return (*self.path, key)


@dataclass(frozen=True)
class UsePaths:
    """Who can reach what in one environment: the prerequisites of SELECT and MODIFY."""

    use_catalog: frozenset[tuple[str, str]]  # (principal, catalog)
    use_schema: frozenset[tuple[str, str]]  # (principal, schema or catalog full name)
    owners: frozenset[tuple[str, str]]  # (principal, securable full name)
    everyone: frozenset[tuple[str, str]]  # (privilege, securable) held by `account users`


_UUID = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")
EVERYONE = frozenset({"account users"})
BUILT_IN_GROUPS = frozenset({"account users", "users"})


def securable_chain(path: Path) -> tuple[Path, ...]:
    """A securable's path and its ancestors': a table's schema and the domain hold waivers too."""
    chain: list[Path] = [path]
    while len(path) >= 2:
        path = path[:-2]
        chain.append(path)
    return tuple(chain)


class Context:
    """The inputs of every rule. Indexes are computed on first use, once."""

    def __init__(
        self, spec: Spec, environments: tuple[DesiredEnvironment, ...], today: dt.date
    ) -> None:
        self.spec = spec
        self.environments = environments
        self.today = today
        self.by_env = {e.name: e for e in environments}
        self._kinds = {name: d.kind for name, d in spec.principals.items()}
        self._homes: dict[str, str | None] = {}
        # Set by the engine: the waiver rules read which waivers the other rules used.
        self.waivers: WaiverBook | None = None
        self.known_codes: frozenset[str] = frozenset()

    def declared(self, principal: str) -> Declared | None:
        return self.spec.principals.get(principal)

    def kind(self, principal: str) -> str:
        return self._kinds.get(principal, "unknown")

    def uc_kind(self, uc_name: str) -> str:
        """The kind of a principal as a State names it; undeclared ones by the name's form."""
        declared = self.spec.declared_names.get(uc_name)
        if declared is not None:
            return self.kind(declared)
        if "@" in uc_name:
            return "user"
        return "service_principal" if _UUID.match(uc_name) else "group"

    def label(self, uc_name: str) -> str:
        """A State's principal name with its declared name, where they differ."""
        declared = self.spec.declared_names.get(uc_name)
        return f"{declared} ({uc_name})" if declared and declared != uc_name else uc_name

    def principal_holder(self, principal: str) -> tuple[Holder, ...]:
        declared = self.declared(principal)
        return ((declared.file, declared.path),) if declared is not None else ()

    def entry_holders(self, entry: GrantEntry) -> tuple[Holder, ...]:
        """Waivers on the grant, on its securable and the securable's parents, on the principal."""
        own: tuple[Holder, ...] = ((entry.file, entry.path),)
        chain = tuple((entry.file, p) for p in securable_chain(entry.securable_path))
        return own + chain + self.principal_holder(entry.principal)

    @cached_property
    def declarations(self) -> dict[Holder, Declaration]:
        """Every domain, schema, table and volume by (file, document path)."""
        out: dict[Holder, Declaration] = {}
        for doc in self.spec.domains:
            out[(doc.file, ())] = doc.domain
            for s_name, schema in doc.domain.schemas.items():
                out[(doc.file, ("schemas", s_name))] = schema
                for t_name, table in schema.tables.items():
                    out[(doc.file, ("schemas", s_name, "tables", t_name))] = table
                for v_name, volume in schema.volumes.items():
                    out[(doc.file, ("schemas", s_name, "volumes", v_name))] = volume
        return out

    @cached_property
    def entries(self) -> list[GrantEntry]:
        """Every grant entry of the spec in file order, with its resolutions attached."""
        by_origin: dict[Holder, GrantEntry] = {}
        domains = {(doc.file, ()): doc.domain.domain for doc in self.spec.domains}
        for (file, path), declaration in self.declarations.items():
            for i, grant in enumerate(declaration.grants):
                entry_path: Path = (*path, "grants", i)
                domain = domains[(file, ())]
                by_origin[(file, entry_path)] = GrantEntry(
                    file, entry_path, grant, grant.principal, domain, path
                )
        for env in self.environments:
            for desired in env.grants:
                by_origin[(desired.origin.file, desired.origin.path)].active.append((env, desired))
            for desired in env.expired:
                by_origin[(desired.origin.file, desired.origin.path)].expired.append((env, desired))
        return list(by_origin.values())

    def owner_path(self, file: str, securable_path: Path) -> Path:
        """The `owner:` key that decides a securable's owner: its own, else its parents'."""
        for path in securable_chain(securable_path):
            declaration = self.declarations.get((file, path))
            if declaration is not None and declaration.owner is not None:
                return (*path, "owner")
        return ("owner",)

    @cached_property
    def domain_names(self) -> tuple[str, ...]:
        # Longest first, so that `sales-eu-analysts` belongs to `sales-eu`, not `sales`.
        names = {doc.domain.domain for doc in self.spec.domains}
        return tuple(sorted(names, key=lambda n: (-len(n), n)))

    def home_domain(self, principal: str) -> str | None:
        """The domain a principal's name says it belongs to: `finance-…`, `sp-finance-…`."""
        if principal not in self._homes:
            self._homes[principal] = self._home_domain(principal)
        return self._homes[principal]

    def _home_domain(self, principal: str) -> str | None:
        name = principal.lower()
        name = name[3:] if name.startswith("sp-") else name
        for domain in self.domain_names:
            d = domain.lower()
            if name == d or name.startswith((f"{d}-", f"{d}_")):
                return domain
        return None

    @cached_property
    def use_paths(self) -> dict[str, UsePaths]:
        """Per environment, who holds USE_CATALOG and USE_SCHEMA where, and who owns what."""
        return {env.name: _use_paths(env) for env in self.environments}


def _use_paths(env: DesiredEnvironment) -> UsePaths:
    use_catalog: set[tuple[str, str]] = set()
    use_schema: set[tuple[str, str]] = set()
    everyone: set[tuple[str, str]] = set()
    for grant in env.grants:
        privileges = set(grant.privileges)
        if "ALL_PRIVILEGES" in privileges:
            privileges |= {"USE_CATALOG", "USE_SCHEMA"}
        key = (grant.principal, grant.securable)
        if "USE_CATALOG" in privileges and grant.securable_type is SecurableType.CATALOG:
            use_catalog.add(key)
        if "USE_SCHEMA" in privileges:
            use_schema.add(key)
        if grant.principal.lower() in EVERYONE:
            everyone.update((p, grant.securable) for p in privileges)
    owners = {(s.owner, s.name) for s in env.securables}
    return UsePaths(
        frozenset(use_catalog), frozenset(use_schema), frozenset(owners), frozenset(everyone)
    )
