"""The domain files of a plan: schemas and tables for the mapped databases, the translated
grants on them (scoped to the environment of the workspace they came from), the owners."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping as AbcMapping
from dataclasses import dataclass, field
from typing import Any

from govkit.diagnostics import Diagnostic, Path
from govkit.identity.document import Identities
from govkit.migrate.document import HiveAssessment, HiveGrant, HiveWorkspace
from govkit.migrate.grants import CATALOG, SCHEMA, Principals, members_index, translated
from govkit.migrate.mapping import Mapping, diagnostic, workspaces_of
from govkit.migrate.targets import Target, Targets

# (domain, spec path of the securable) -> principal -> environment -> privileges
Acc = dict[tuple[str, Path], dict[str, dict[str, set[str]]]]


@dataclass
class Built:
    domains: dict[str, dict[str, Any]] = field(default_factory=dict)
    users: set[str] = field(default_factory=set)
    untranslated: int = 0
    diagnostics: list[Diagnostic] = field(default_factory=list)


def _where(target: Target, table: str | None, kind: str) -> Path:
    if kind == CATALOG:
        return ()
    if kind == SCHEMA or table is None:
        return ("schemas", target.schema)
    return ("schemas", target.schema, "tables", table)


def _objects(w: HiveWorkspace, grant: HiveGrant, of: Targets) -> list[tuple[Target, str | None]]:
    """The moved objects a grant is on: the database's or table's target, or for the Hive
    catalog every database of the workspace that moves."""
    kind = grant.object_type.upper()
    if kind == "CATALOG":
        first: dict[str, Target] = {}
        for d in w.databases:
            found = of.of.get((w.workspace_id, d.name))
            if found is not None:
                first.setdefault(found.domain, found)
        return [(t, None) for _, t in sorted(first.items())]
    # A key may come back-quoted (`db`.`table`): the names are what counts.
    database, _, table = grant.object_key.replace("`", "").partition(".")
    target = of.of.get((w.workspace_id, database))
    return [] if target is None else [(target, table or None)]


def _grants_of(
    w: HiveWorkspace, env: str, of: Targets, principals: Principals, acc: Acc,
    owners: dict[tuple[str, Path], dict[str, str]], out: Built, mapping_file: str,
) -> None:  # fmt: skip
    unmapped: dict[str, Target | None] = {}
    for grant in w.grants:
        pairs = translated(grant)
        objects = _objects(w, grant, of)
        if pairs is None:
            out.untranslated += 1
            continue
        who = principals.resolve(grant.principal)
        if who.name is None:
            if objects:
                unmapped.setdefault(grant.principal, objects[0][0])
            continue
        if who.user:
            out.users.add(who.name)
        for target, table in objects:
            if not pairs and not who.user:  # OWN
                owners[(target.domain, _where(target, table, "table"))][env] = who.name
            for kind, privilege in pairs:
                key = (target.domain, _where(target, table, kind))
                acc[key].setdefault(who.name, {}).setdefault(env, set()).add(privilege)
    for group, on in sorted(unmapped.items(), key=lambda kv: kv[0]):
        several = principals.candidates.get(group)
        why = (
            "which is no group of the workspace" if several is None
            else f"whose members are those of several Entra ID groups ({', '.join(several)})"
            if several else "whose members are those of no Entra ID group"
        )  # fmt: skip
        out.diagnostics.append(diagnostic(
            "GOV805", f"workspace {w.workspace_id}: Hive grants to {group!r}, {why}",
            mapping_file, on.entry if on else (),
            "map it under `groups` in the mapping file, or revoke its Hive grants",
        ))  # fmt: skip


def _emit(by_principal: dict[str, dict[str, set[str]]], envs: list[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for principal in sorted(by_principal):
        groups: dict[frozenset[str], list[str]] = {}
        for env in envs:
            if env in by_principal[principal]:
                groups.setdefault(frozenset(by_principal[principal][env]), []).append(env)
        for privileges, in_envs in groups.items():
            grant: dict[str, Any] = {"principal": principal, "privileges": sorted(privileges)}
            if in_envs != envs:
                grant["environments"] = in_envs
            out.append(grant)
    return out


def _skeleton(doc: HiveAssessment, of: Targets, mapping: Mapping, order: list[str]) -> Built:
    out = Built()
    tables: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    envs: dict[str, set[str]] = defaultdict(set)
    for w in doc.workspaces:
        for d in w.databases:
            t = of.of.get((w.workspace_id, d.name))
            if t is not None:
                tables[t.domain][t.schema].update(x.name for x in d.tables)
                envs[t.domain].add(of.environment.get(w.workspace_id, ""))
    for domain in sorted(tables):
        body: dict[str, Any] = {"domain": domain, "owner": mapping.domains[domain].owner}
        body["environments"] = [e for e in order if e in envs[domain]]
        body["schemas"] = {
            s: {"tables": {t: {} for t in sorted(names)}}
            for s, names in sorted(tables[domain].items())
        }
        out.domains[domain] = body
    return out


# The order of a domain file's keys, and of a schema's and a table's.
_ORDER: tuple[str, ...] = ("domain", "principal", "privileges", "owner", "comment")
_ORDER += ("environments", "grants", "schemas", "tables")


def _ordered(node: Any) -> Any:
    if not isinstance(node, dict):
        return [_ordered(v) for v in node] if isinstance(node, list) else node
    first = [k for k in _ORDER if k in node]
    keys = first + [k for k in node if k not in first] if first else list(node)
    return {k: _ordered(node[k]) for k in keys}


def _find(body: dict[str, Any], path: Path) -> dict[str, Any] | None:
    """The node at `path`, or None where the skeleton has none (a table nobody listed)."""
    node: Any = body
    for step in path:
        if not isinstance(node, dict) or step not in node:
            return None
        node = node[step]
    return node if isinstance(node, dict) else None


def build(
    doc: HiveAssessment, of: Targets, mapping: Mapping, mapping_file: str,
    identities: Identities, organisation: AbcMapping[str, Any],
) -> Built:  # fmt: skip
    envs_cfg = organisation.get("environments") or {}
    order = list(envs_cfg)
    out = _skeleton(doc, of, mapping, order)
    index = members_index(identities)
    acc: Acc = defaultdict(dict)
    owners: dict[tuple[str, Path], dict[str, str]] = defaultdict(dict)
    for i, g in enumerate(mapping.groups):
        if identities.group(g.entra) is None:
            out.diagnostics.append(diagnostic(
                "GOV807", f"{g.entra!r} is no Entra ID group of the identities document",
                mapping_file, ("groups", i, "entra"), "name a group the identities document holds",
            ))  # fmt: skip
    for w in doc.workspaces:
        overrides = {
            g.group: g.entra for g in mapping.groups if w.workspace_id in workspaces_of(g.workspace)
        }
        principals = Principals(w, index, overrides)
        env = of.environment.get(w.workspace_id, "")
        _grants_of(w, env, of, principals, acc, owners, out, mapping_file)
    for (domain, path), by_env in sorted(owners.items()):
        node = _find(out.domains.get(domain, {}), path)
        if node is not None:  # the owner of the last environment that has one
            node["owner"] = next(by_env[e] for e in reversed(order) if e in by_env)
    for (domain, path), by_principal in sorted(acc.items()):
        body = out.domains.get(domain, {})
        node = _find(body, path)
        if node is not None:
            node["grants"] = _emit(by_principal, body["environments"])
    out.domains = {d: _ordered(body) for d, body in out.domains.items()}
    return out
