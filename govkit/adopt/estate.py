"""The live State of one environment arranged for import: catalogs with their schemas and tables,
who owns what, and which environment settings the securables imply."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from govkit.adopt.report import reported
from govkit.diagnostics import Diagnostic
from govkit.privileges import SecurableType
from govkit.state import Securable, State

MODELLED = (SecurableType.CATALOG, SecurableType.SCHEMA, SecurableType.TABLE)
SYSTEM_SCHEMAS = frozenset({"information_schema"})


@dataclass
class Catalog:
    securable: Securable
    schemas: dict[str, Securable] = field(default_factory=dict)  # short name -> schema
    tables: dict[str, dict[str, Securable]] = field(default_factory=dict)  # schema -> short ->
    unread: list[str] = field(default_factory=list)  # what the snapshot could not read

    @property
    def name(self) -> str:
        return self.securable.name

    def securables(self) -> Iterator[Securable]:
        yield self.securable
        for short, schema in self.schemas.items():
            yield schema
            yield from self.tables.get(short, {}).values()


@dataclass
class Estate:
    catalogs: dict[str, Catalog]
    diagnostics: list[Diagnostic]

    def securables(self) -> Iterator[Securable]:
        for catalog in self.catalogs.values():
            yield from catalog.securables()

    def principals(self) -> set[str]:
        names: set[str] = set()
        for s in self.securables():
            names.update(s.grants)
            if s.owner is not None:
                names.add(s.owner)
        return names

    def sole_owner(self) -> str | None:
        """The one owner of every securable, when there is exactly one."""
        owners = {s.owner for s in self.securables()}
        return next(iter(owners)) if len(owners) == 1 else None

    def workspaces(self) -> tuple[int, ...]:
        """Every workspace an isolated catalog is bound to."""
        return tuple(
            sorted(
                {
                    w
                    for c in self.catalogs.values()
                    if c.securable.isolation_mode == "ISOLATED"
                    for w in c.securable.workspace_ids or ()
                }
            )
        )


# Declared in govkit.yaml, but not yet written by `govkit import`.
_STORAGE = (SecurableType.STORAGE_CREDENTIAL, SecurableType.EXTERNAL_LOCATION)


def _unmodelled(s: Securable) -> Diagnostic:
    kind = s.type.value.replace("_", " ")
    if s.type in _STORAGE:
        return reported(
            "GOV701",
            s.name,
            f"{kind} {s.name} is not imported: `govkit import` does not write storage "
            "declarations yet",
            f"declare it under {s.type.value}s in govkit.yaml to manage it; until then its "
            "owner and grants stay as they are",
        )
    return reported(
        "GOV701",
        s.name,
        f"{kind} {s.name} is not imported: the spec does not model {kind}s yet",
        "its owner and grants stay as they are; no stack manages them",
    )


def arrange(state: State) -> Estate:
    """Catalogs with their schemas and tables; other securable types reported, not imported."""
    catalogs: dict[str, Catalog] = {}
    problems: list[Diagnostic] = []
    for s in state.securables:
        if s.type not in MODELLED:
            problems.append(_unmodelled(s))
            continue
        parts = s.name.split(".")
        if len(parts) > 1 and parts[1] in SYSTEM_SCHEMAS:
            continue  # Unity Catalog maintains it in every catalog
        if s.type is SecurableType.CATALOG:
            catalogs[s.name] = Catalog(s)
            continue
        parent = catalogs.get(parts[0])
        if parent is None:
            problems.append(
                reported(
                    "GOV704",
                    s.name,
                    f"{s.type.value} {s.name} is not imported: its catalog was not read",
                    "read the catalog again, then import",
                )
            )
        elif s.type is SecurableType.SCHEMA:
            parent.schemas[parts[1]] = s
        elif parts[1] in parent.schemas:
            parent.tables.setdefault(parts[1], {})[parts[2]] = s
        else:
            problems.append(
                reported(
                    "GOV704",
                    s.name,
                    f"table {s.name} is not imported: its schema was not read",
                    "read the schema again, then import",
                )
            )
    unread: dict[str, list[str]] = defaultdict(list)
    for e in state.errors:
        unread[e.securable.split(".")[0]].append(f"{e.securable}: {e.message}")
    for name, catalog in catalogs.items():
        catalog.unread = unread.get(name, []) + unread.get("metastore", [])
    return Estate(catalogs, problems)


def most_common_owner(catalog: Catalog) -> str | None:
    """The owner of most of a catalog's securables, for a catalog whose own owner is unknown."""
    counts = Counter(s.owner for s in catalog.securables() if s.owner is not None)
    return min(counts, key=lambda o: (-counts[o], o)) if counts else None
