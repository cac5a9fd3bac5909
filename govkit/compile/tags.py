"""Governed tags and tag assignments, through the hand-written `uc-tags` module.

A governed tag (a tag policy) is account-wide: one stack, `_account/_tags`, creates every one,
as two states creating one account object would fight over it. Tag assignments live in the
domain stack of their catalog, after the catalog and schemas that stack creates, and after
the tags stack: Unity Catalog refuses a governed tag's key before its policy exists.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from govkit.compile.domain import DEPTH
from govkit.compile.model import ACCOUNT, TAGS, Stack
from govkit.compile.root import module_source, root_document
from govkit.privileges import SecurableType
from govkit.resolve import DesiredPolicy
from govkit.spec.build import Spec
from govkit.state import Securable

TAGS_STACK = f"{ACCOUNT}/{TAGS}"
MODULE = "uc-tags"

# The entity types of the tag-assignment API for the securables that carry tags.
_ENTITY_TYPES = {
    SecurableType.CATALOG: "catalogs",
    SecurableType.SCHEMA: "schemas",
    SecurableType.TABLE: "tables",
}


def tags_stack(spec: Spec, modules_dir: str) -> Stack | None:
    """The stack of the organisation's governed tags, or None when it declares none."""
    org = spec.organisation
    if not org.tags:
        return None
    policies = [
        {"tag_key": key, "description": org.tags[key].description,
         "values": list(org.tags[key].values)}
        for key in sorted(org.tags)
    ]  # fmt: skip
    call = {"source": module_source(modules_dir, DEPTH, MODULE), "tag_policies": policies}
    root = spec.root.rstrip("/") + "/"
    return Stack(
        id=TAGS_STACK,
        environment=ACCOUNT,
        domain=None,
        kind="tags",
        depends_on=(spec.organisation_file.removeprefix(root),),
        needs=(),
        document=root_document(
            org.terraform, TAGS_STACK, DEPTH, "the organisation file", {"tags": call}
        ),
        resources=len(policies),
    )


def assignments(securables: Iterable[Securable]) -> list[dict[str, str]]:
    """One assignment per (entity, tag key), in entity then key order."""
    out = []
    for s in securables:
        if not s.tags and not s.column_tags:
            continue  # most securables: checked first, it is the cheap test
        entity_type = _ENTITY_TYPES.get(s.type)
        if entity_type is None:
            continue
        for key, value in s.tags.items():
            out.append(_assignment(entity_type, s.name, key, value))
        for column, tags in s.column_tags.items():
            for key, value in tags.items():
                out.append(_assignment("columns", f"{s.name}.{column}", key, value))
    return sorted(out, key=lambda a: (a["entity_type"], a["entity_name"], a["tag_key"]))


def _assignment(entity_type: str, name: str, key: str, value: str) -> dict[str, str]:
    return {"entity_type": entity_type, "entity_name": name, "tag_key": key, "tag_value": value}


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def policy_call(p: DesiredPolicy) -> dict[str, Any]:
    """One ABAC policy as the module takes it; the matched column is bound as `col`."""
    condition = (
        f"hasTag({_quoted(p.tag)})"
        if p.value is None
        else f"hasTagValue({_quoted(p.tag)}, {_quoted(p.value)})"
    )
    return {
        "name": p.name,
        "policy_type": p.policy_type,
        "on_securable_type": p.on_type.value.upper(),
        "on_securable_fullname": p.on_name,
        "function_name": p.function,
        "match_condition": condition,
        "to_principals": list(p.to_principals),
        "except_principals": list(p.except_principals),
        "when_condition": p.when_condition or "",
        "comment": p.comment,
    }


def with_assignments(
    stack: Stack,
    securables: Iterable[Securable],
    policies: Iterable[DesiredPolicy],
    modules_dir: str,
    tags: Stack | None,
) -> Stack:
    """A domain's primary stack with its tag assignments and ABAC policies; unchanged when it
    has neither."""
    found = assignments(securables)
    calls = sorted(
        (policy_call(p) for p in policies),
        key=lambda c: (c["on_securable_type"], c["on_securable_fullname"], c["name"]),
    )
    if not found and not calls:
        return stack
    call: dict[str, Any] = {
        "source": module_source(modules_dir, DEPTH, MODULE),
        "assignments": found,
        "policies": calls,
        # The catalog and schemas come first: a tag on them needs them to exist.
        "depends_on": ["module.domain"],
    }
    document = dict(stack.document)
    document["module"] = {**document["module"], "tags": call}
    needs = tuple(sorted({*stack.needs, *([tags.id] if tags is not None else [])}))
    added = len(found) + len(calls)
    return replace(stack, document=document, needs=needs, resources=stack.resources + added)
