"""Footprints from what Terraform is given: compiled stacks, and saved plans (`show -json`).

Both are read by shape, not by module address, so that a stack edited by hand, split in parts
or written with plain resources instead of govkit's modules is still seen whole.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from govkit.guard.check import Footprint, GrantKey, merge_footprints

STACKS_FILE = "stacks.json"
# The attributes of databricks_grants / databricks_grant that name the securable.
SECURABLE_ATTRIBUTES = (
    "catalog", "schema", "table", "volume", "function", "model", "metastore",
    "external_location", "storage_credential", "foreign_connection", "share", "credential",
)  # fmt: skip
_GRANT_KEYS = frozenset({"securable_type", "securable_name", "principal", "privileges"})


class UnreadableInput(ValueError):
    """A compiled output folder or a plan that cannot be read: the guard cannot check it."""


def _walk(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _document_footprint(document: Any) -> Footprint:
    """Grants and catalogs of one root module, by shape (module calls and plain resources)."""
    grants: set[GrantKey] = set()
    catalogs: dict[str, str | None] = {}
    for block in _walk(document):
        if block.keys() >= _GRANT_KEYS:
            type_, name = str(block["securable_type"]), str(block["securable_name"])
            principal = str(block["principal"])
            grants.update((type_, name, principal, p) for p in _strings(block["privileges"]))
        if isinstance(block.get("catalog_name"), str) and "owner" in block:
            catalogs[block["catalog_name"]] = _owner(block["owner"])
    resources = document.get("resource", {}) if isinstance(document, dict) else {}
    for kind, instances in resources.items() if isinstance(resources, dict) else ():
        for body in instances.values() if isinstance(instances, dict) else ():
            grants |= _resource_grants(kind, body)
            if kind == "databricks_catalog" and isinstance(body, dict) and "name" in body:
                catalogs[str(body["name"])] = _owner(body.get("owner"))
    return Footprint(frozenset(grants), catalogs)


def _owner(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _securable(body: Mapping[str, Any]) -> tuple[str, str] | None:
    for attribute in SECURABLE_ATTRIBUTES:
        name = body.get(attribute)
        if isinstance(name, str) and name:
            return attribute, name
    return None


def _resource_grants(kind: str, body: Any) -> set[GrantKey]:
    """The grants one databricks_grants or databricks_grant body holds."""
    if not isinstance(body, dict) or kind not in ("databricks_grants", "databricks_grant"):
        return set()
    securable = _securable(body)
    if securable is None:
        return set()
    type_, name = securable
    blocks = body.get("grant") if kind == "databricks_grants" else [body]
    if isinstance(blocks, dict):
        blocks = [blocks]
    out: set[GrantKey] = set()
    for block in blocks if isinstance(blocks, list) else ():
        if isinstance(block, dict) and isinstance(block.get("principal"), str):
            out.update(
                (type_, name, block["principal"], p) for p in _strings(block.get("privileges"))
            )
    return out


def compiled_footprints(files: Mapping[str, bytes]) -> dict[str, Footprint]:
    """Environment -> footprint of a compiled output folder ({POSIX path: bytes}).

    The stack index says which environment each stack folder belongs to. Empty when there is
    no index (nothing compiled yet); UnreadableInput when the output cannot be read.
    """
    if STACKS_FILE not in files:
        return {}
    try:
        index = json.loads(files[STACKS_FILE])
        stacks = {str(s["path"]): str(s["environment"]) for s in index["stacks"]}
    except (ValueError, KeyError, TypeError) as exc:
        raise UnreadableInput(f"{STACKS_FILE} is not a govkit stack index ({exc})") from None
    parts: dict[str, list[Footprint]] = defaultdict(list)
    for rel, data in files.items():
        folder, _, name = rel.rpartition("/")
        if not name.endswith(".tf.json") or name.startswith("."):
            continue
        env = stacks.get(folder)
        if env is None:
            raise UnreadableInput(f"{rel} belongs to no stack of {STACKS_FILE}")
        try:
            parts[env].append(_document_footprint(json.loads(data)))
        except ValueError as exc:
            raise UnreadableInput(f"{rel} is not JSON ({exc})") from None
    for env in set(stacks.values()):
        parts.setdefault(env, [])
    return {env: _merge(found) for env, found in parts.items()}


def _merge(parts: list[Footprint]) -> Footprint:
    return merge_footprints(parts)


def plan_footprints(
    plan: Mapping[str, Any], environment_of: Callable[[str], str]
) -> tuple[dict[str, Footprint], dict[str, Footprint]]:
    """(before, after) by environment of a saved plan's `resource_changes`.

    `environment_of` maps a catalog name to its environment. A catalog that is replaced is
    destroyed: it counts as removed. A value Terraform knows only after apply is absent.
    """
    changes = plan.get("resource_changes")
    if not isinstance(changes, list):
        raise UnreadableInput("no resource_changes: not a saved plan (`terraform show -json PLAN`)")
    sides: tuple[dict[str, list[Footprint]], dict[str, list[Footprint]]] = (
        defaultdict(list),
        defaultdict(list),
    )
    for rc in changes:
        if not isinstance(rc, dict) or rc.get("mode", "managed") != "managed":
            continue
        change = rc.get("change")
        if not isinstance(change, dict):
            raise UnreadableInput(f"{rc.get('address')}: a resource change without `change`")
        actions = change.get("actions") or []
        replaced = "delete" in actions and "create" in actions
        for side, body in zip(sides, (change.get("before"), change.get("after")), strict=True):
            if side is sides[1] and replaced and rc.get("type") == "databricks_catalog":
                continue
            found = _resource_footprint(str(rc.get("type")), body)
            for env, part in _by_environment(found, environment_of).items():
                side[env].append(part)
    before, after = ({env: _merge(p) for env, p in side.items()} for side in sides)
    return before, after


def _resource_footprint(kind: str, body: Any) -> Footprint:
    catalogs: dict[str, str | None] = {}
    if (
        kind == "databricks_catalog"
        and isinstance(body, dict)
        and isinstance(body.get("name"), str)
    ):
        catalogs[body["name"]] = _owner(body.get("owner"))
    return Footprint(frozenset(_resource_grants(kind, body)), catalogs)


def _by_environment(found: Footprint, environment_of: Callable[[str], str]) -> dict[str, Footprint]:
    grants: dict[str, set[GrantKey]] = defaultdict(set)
    catalogs: dict[str, dict[str, str | None]] = defaultdict(dict)
    for key in found.grants:
        grants[environment_of(key[1].split(".", 1)[0])].add(key)
    for name, owner in found.catalogs.items():
        catalogs[environment_of(name)][name] = owner
    return {
        env: Footprint(frozenset(grants.get(env, ())), catalogs.get(env, {}))
        for env in set(grants) | set(catalogs)
    }
