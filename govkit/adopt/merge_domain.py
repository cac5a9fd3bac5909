"""One existing domain file taking a further environment: entries kept, narrowed or added."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any, Protocol

from govkit.adopt.documents import Draft, Options
from govkit.adopt.estate import Catalog
from govkit.adopt.grants import Levels, collapse
from govkit.adopt.principals import Principal
from govkit.adopt.report import reported
from govkit.diagnostics import Diagnostic
from govkit.edit.grants import narrow
from govkit.edit.nodes import block, node, text
from govkit.privileges import SecurableType, expand_level, normalise
from govkit.spec import model
from govkit.spec.validated import Spec
from govkit.state import Securable

_T = SecurableType


class Merging(Protocol):
    """What a domain merge reads from the whole merge and adds to it (merge.py's `_Merger`)."""

    @property
    def spec(self) -> Spec: ...
    @property
    def options(self) -> Options: ...
    @property
    def levels(self) -> Mapping[str, tuple[str, ...]]: ...
    @property
    def principals(self) -> Mapping[str, Principal]: ...
    @property
    def deployer(self) -> Principal | None: ...
    @property
    def diagnostics(self) -> list[Diagnostic]: ...
    @property
    def draft(self) -> Draft: ...


class DomainMerge:
    def __init__(
        self,
        merger: Merging,
        domain: model.Domain,
        raw: Any,
        prev: tuple[str, ...],
        catalog: Catalog,
    ) -> None:
        self.m = merger
        self.env = merger.options.env
        self.domain = domain
        self.raw = raw
        self.prev = prev
        self.catalog = catalog
        self.levels = Levels(merger.levels)
        self.unmanaged = False
        deployer = merger.deployer
        self.protected_owner = deployer.uc_name if deployer is not None else None

    def run(self) -> None:
        raw, domain, catalog = self.raw, self.domain, self.catalog
        if "environments" in raw:
            raw["environments"].append(text(self.env))
        self.owner(catalog.securable, domain.owner)
        self.grants(raw, domain.grants, catalog.securable, _T.CATALOG, catalog.name)
        for short, live in catalog.schemas.items():
            declared = domain.schemas.get(short)
            if declared is None:
                self.new_schema(short, live)
                continue
            schema_owner = declared.owner or domain.owner
            self.owner(live, schema_owner)
            schema_raw = raw["schemas"][short]
            self.grants(schema_raw, declared.grants, live, _T.SCHEMA, live.name)
            self.tables(short, declared, schema_raw, schema_owner)
        for short, declared in domain.schemas.items():
            if short not in catalog.schemas:
                self.absent_schema(short, declared)
        if (catalog.unread or self.unmanaged) and domain.authority == "authoritative":
            raw["authority"] = "additive"
            why = "the snapshot missed some reads" if catalog.unread else "grants left unmanaged"
            self.m.diagnostics.append(
                reported(
                    "GOV704" if catalog.unread else "GOV702",
                    catalog.name,
                    f"domain {domain.domain} becomes additive in every environment: {why} in "
                    f"{self.env}",
                    "its grants become one databricks_grant per principal: plan before apply",
                )
            )

    def tables(self, short: str, declared: model.Schema, schema_raw: Any, owner: str) -> None:
        live_tables = self.catalog.tables.get(short, {})
        for t_short, live in live_tables.items():
            table = declared.tables.get(t_short)
            if table is None:
                if schema_raw.get("tables") is None:
                    schema_raw["tables"] = block({})
                    schema_raw["tables"].fa.set_block_style()
                schema_raw["tables"][text(t_short)] = block(self.new_table(live, owner))
                continue
            self.owner(live, table.owner or owner)
            t_raw = schema_raw["tables"][t_short]
            self.grants(t_raw, table.grants, live, _T.TABLE, live.name)
        for t_short, table in declared.tables.items():
            if t_short not in live_tables:
                name = f"{self.catalog.name}.{short}.{t_short}"
                self.grants(schema_raw["tables"][t_short], table.grants, None, _T.TABLE, name)

    def owner(self, live: Securable, declared: str) -> None:
        expected = self.protected_owner or self.m.spec.uc_name(declared)
        if live.owner is not None and live.owner != expected:
            self.m.diagnostics.append(
                reported(
                    "GOV705",
                    live.name,
                    f"{live.type.value} {live.name} is owned by {live.owner} in {self.env}; the "
                    f"spec's owner there is {expected} (one owner for every environment)",
                    "the first apply changes the owner; or declare a separate domain",
                )
            )

    def expand(self, grant: model.Grant, on: SecurableType) -> set[str]:
        if grant.access is not None:
            return set(expand_level(self.m.levels[grant.access], on))
        return set(grant.privileges or ())

    def grants(
        self,
        holder: Any,
        declared: tuple[model.Grant, ...],
        live: Securable | None,
        on: SecurableType,
        name: str,
    ) -> None:
        """Keep, narrow or add entries so that the new environment resolves to `live`."""
        held = {p: {normalise(x) for x in v} for p, v in (live.grants if live else {}).items()}
        covered: dict[str, set[str]] = defaultdict(set)
        for i, grant in enumerate(declared):
            if grant.environments is not None and self.env not in grant.environments:
                continue
            if grant.expires is not None and grant.expires < self.m.options.today:
                continue
            uc_name = self.m.spec.uc_name(grant.principal)
            privileges = self.expand(grant, on)
            if privileges and privileges <= held.get(uc_name, set()):
                covered[uc_name] |= privileges
                self.m.draft.used.add(uc_name)
                continue
            earlier = [e for e in (grant.environments or self.prev) if e != self.env]
            narrow(holder["grants"][i], [text(e) for e in earlier], last=True)
        rest = {p: tuple(sorted(v - covered[p])) for p, v in held.items() if v - covered[p]}
        found = collapse(on, rest, self.m.principals, self.levels)
        for u in found.unmanaged:
            self.unmanaged = True
            self.m.diagnostics.append(
                reported(
                    "GOV702",
                    name,
                    f"grants of {u.principal} on {name} ({', '.join(u.privileges)}) in "
                    f"{self.env} are left unmanaged: {u.why}",
                    "regrant them with privileges of today and declare them",
                )
            )
        unmanaged = {u.principal for u in found.unmanaged}
        self.m.draft.used.update(p for p in rest if p not in unmanaged)
        entries = [{**e, "environments": [self.env]} for e in found.entries]
        if not entries:
            return
        if holder.get("grants"):
            for entry in entries:
                holder["grants"].append(node(entry, True))
        else:
            holder["grants"] = node(entries)

    def entries(self, live: Securable) -> list[dict[str, Any]]:
        found = collapse(live.type, live.grants, self.m.principals, self.levels)
        if found.unmanaged:
            self.unmanaged = True
            for u in found.unmanaged:
                self.m.diagnostics.append(
                    reported(
                        "GOV702",
                        live.name,
                        f"grants of {u.principal} on {live.name} are left unmanaged: {u.why}",
                        "regrant them with privileges of today and declare them",
                    )
                )
        unmanaged = {u.principal for u in found.unmanaged}
        self.m.draft.used.update(p for p in live.grants if p not in unmanaged)
        return [{**e, "environments": [self.env]} for e in found.entries]

    def own(self, live: Securable, inherited: str, value: dict[str, Any]) -> str:
        """Set a new securable's `owner:` where it differs; return its declared owner."""
        if self.protected_owner is not None or live.owner is None:
            self.owner(live, inherited)
            return inherited
        if live.owner == self.m.spec.uc_name(inherited):
            return inherited
        self.m.draft.used.add(live.owner)
        value["owner"] = key = self.m.principals[live.owner].key
        return key

    def new_table(self, live: Securable, owner: str) -> dict[str, Any]:
        value: dict[str, Any] = {}
        self.own(live, owner, value)
        entries = self.entries(live)
        if entries:
            value["grants"] = entries
        self.m.diagnostics.append(
            reported(
                "GOV709",
                live.name,
                f"table {live.name} exists in {self.env} only; it is declared for every "
                f"environment of domain {self.domain.domain}",
                "drift in the other environments reports it missing until pipelines create it",
            )
        )
        return value

    def new_schema(self, short: str, live: Securable) -> None:
        value: dict[str, Any] = {}
        owner = self.own(live, self.domain.owner, value)
        entries = self.entries(live)
        if entries:
            value["grants"] = entries
        tables = {
            t: self.new_table(s, owner) for t, s in self.catalog.tables.get(short, {}).items()
        }
        if tables:
            value["tables"] = tables
        if self.raw.get("schemas") is None:
            self.raw["schemas"] = block({})
            self.raw["schemas"].fa.set_block_style()
        self.raw["schemas"][text(short)] = block(value)
        self.m.diagnostics.append(
            reported(
                "GOV709",
                live.name,
                f"schema {live.name} exists in {self.env} only; declared for every environment "
                f"of domain {self.domain.domain}, the next plan of {', '.join(self.prev)} "
                "creates it",
                "create it there too, or keep it out of the spec",
            )
        )

    def absent_schema(self, short: str, declared: model.Schema) -> None:
        name = f"{self.catalog.name}.{short}"
        schema_raw = self.raw["schemas"][short]
        self.grants(schema_raw, declared.grants, None, _T.SCHEMA, name)
        for t_short, table in declared.tables.items():
            t_raw = schema_raw["tables"][t_short]
            self.grants(t_raw, table.grants, None, _T.TABLE, f"{name}.{t_short}")
        self.m.diagnostics.append(
            reported(
                "GOV709",
                name,
                f"schema {name} does not exist in {self.env}; declared for every environment of "
                f"domain {self.domain.domain}, the first apply in {self.env} creates it",
                "create it, or accept that the apply does",
            )
        )
