"""Which catalogs of a snapshot belong to the environment being imported.

One metastore serves every environment, so a live read sees the catalogs of all of them. The
import keeps the catalogs named with `--catalog`, else those bound to one of `--workspaces`
(an OPEN catalog is reachable from every workspace), and never those the spec already gives to
another environment.
"""

from __future__ import annotations

from collections.abc import Collection

from govkit.adopt.report import reported
from govkit.diagnostics import Diagnostic
from govkit.privileges import SecurableType
from govkit.state import Securable, State, make_state

# Catalogs that Databricks maintains in every metastore: nobody governs them in a spec.
MAINTAINED = frozenset({"system", "hive_metastore", "samples", "__databricks_internal"})


def _in_scope(catalog: Securable, names: Collection[str], workspaces: Collection[int]) -> bool:
    if names:
        return catalog.name in names
    if workspaces and catalog.isolation_mode == "ISOLATED":
        return bool(set(catalog.workspace_ids or ()) & set(workspaces))
    return True


def scope(
    state: State,
    env: str,
    names: Collection[str] = (),
    workspaces: Collection[int] = (),
    elsewhere: dict[str, str] | None = None,
) -> tuple[State, list[Diagnostic]]:
    """`state` with only the catalogs in scope (and their schemas, tables and others).

    `elsewhere` maps the catalogs the spec declares for other environments to that environment.
    """
    elsewhere = elsewhere or {}
    kept: set[str] = set()
    notes: list[Diagnostic] = []
    for s in state.securables:
        if s.type is not SecurableType.CATALOG:
            continue
        if s.name in MAINTAINED:
            notes.append(
                reported("GOV711", s.name, f"catalog {s.name} is maintained by Databricks")
            )
        elif s.name in elsewhere:
            notes.append(
                reported(
                    "GOV711",
                    s.name,
                    f"catalog {s.name} is not imported into {env}: the spec "
                    f"declares it for {elsewhere[s.name]}",
                )
            )
        elif _in_scope(s, names, workspaces):
            kept.add(s.name)
    missing = sorted(set(names) - kept - set(elsewhere))
    notes.extend(
        reported("GOV711", n, f"catalog {n} was asked for but is not in the snapshot")
        for n in missing
    )
    if len(kept) == sum(s.type is SecurableType.CATALOG for s in state.securables):
        return state, notes
    securables = [s for s in state.securables if s.name.split(".", 1)[0] in kept]
    errors = [e for e in state.errors if e.securable.split(".", 1)[0] in kept | {"metastore"}]
    return (
        make_state(
            state.source,
            securables,
            environment=state.environment,
            taken_at=state.taken_at,
            errors=errors,
            complete=state.complete or (bool(state.errors) and not errors),
        ),
        notes,
    )
