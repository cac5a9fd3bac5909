"""`govkit migrate status`: how far one environment's migration has come, per domain.

What must move is what the plan moves (the assessment and the mapping); what has moved is what
a State document of the environment shows: a table is moved when its Unity Catalog name exists,
a grant is in place when the State holds that privilege for that principal on that securable.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping as AbcMapping
from dataclasses import dataclass
from typing import Any

from govkit.identity.document import Identities
from govkit.migrate.build import build
from govkit.migrate.document import HiveAssessment
from govkit.migrate.mapping import Mapping
from govkit.migrate.targets import Targets, catalog_name, targets
from govkit.state import State


@dataclass(frozen=True, slots=True)
class DomainStatus:
    domain: str
    tables: int
    tables_moved: int
    grants: int
    grants_in_place: int

    @property
    def done(self) -> bool:
        return self.tables == self.tables_moved and self.grants == self.grants_in_place


def _grants(body: dict[str, Any], catalog: str, env: str) -> Iterator[tuple[str, str, str]]:
    """(securable, principal, privilege) of every planned grant that holds in `env`."""
    nodes: list[tuple[str, dict[str, Any]]] = [(catalog, body)]
    for schema, s in body.get("schemas", {}).items():
        nodes.append((f"{catalog}.{schema}", s))
        nodes += [(f"{catalog}.{schema}.{t}", tb) for t, tb in s.get("tables", {}).items()]
    for name, node in nodes:
        for grant in node.get("grants", ()):
            if env in grant.get("environments", (env,)):
                for privilege in grant["privileges"]:
                    yield name, grant["principal"], privilege


def _tables(doc: HiveAssessment, of: Targets, env: str) -> Iterator[tuple[str, str, str]]:
    """(domain, schema, table) of every table and view that moves in `env`."""
    for w in doc.workspaces:
        if of.environment.get(w.workspace_id) != env:
            continue
        for d in w.databases:
            target = of.of.get((w.workspace_id, d.name))
            if target is not None:
                yield from ((target.domain, target.schema, t.name) for t in d.tables)


def status(
    doc: HiveAssessment, mapping: Mapping, mapping_file: str, identities: Identities,
    organisation: AbcMapping[str, Any], state: State, assessment_file: str = "assessment",
) -> tuple[list[DomainStatus], Targets]:  # fmt: skip
    """Per domain of the environment of `state`: tables moved, grants in place. The Targets
    carry the diagnostics of the mapping, which the caller reports."""
    env = state.environment or ""
    of = targets(doc, assessment_file, mapping, mapping_file, organisation)
    built = build(doc, of, mapping, mapping_file, identities, organisation)
    of.diagnostics += built.diagnostics
    live = {s.name: s for s in state.securables}
    counts: dict[str, list[int]] = {}
    for domain, schema, table in _tables(doc, of, env):
        row = counts.setdefault(domain, [0, 0, 0, 0])
        row[0] += 1
        row[1] += f"{catalog_name(organisation, domain, env)}.{schema}.{table}" in live
    for domain, body in sorted(built.domains.items()):
        if domain not in counts:
            continue
        for name, principal, privilege in _grants(
            body, catalog_name(organisation, domain, env), env
        ):
            counts[domain][2] += 1
            found = live.get(name)
            counts[domain][3] += found is not None and privilege in found.grants.get(principal, ())
    return [DomainStatus(d, *row) for d, row in sorted(counts.items())], of
