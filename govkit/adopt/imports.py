"""Terraform `import {}` blocks: every resource a compiled stack manages that already exists.

With them the first `terraform plan` of an adopted estate adopts instead of creating, so it
shows no change. A block is written only for what the live State shows exists (a grants
resource only where the securable has grants: the provider reads an empty set as missing).
Resource addresses follow `terraform/modules/`; import ids follow the provider.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from govkit.adopt.principals import Principal
from govkit.adopt.report import reported
from govkit.compile.model import Compiled, Stack, render_terraform
from govkit.diagnostics import Diagnostic
from govkit.state import State

IMPORTS_FILE = "imports.tf.json"
GRANTS = "module.grants"


def _key(text: str) -> str:
    """An HCL string literal for an instance key (JSON escapes are HCL escapes here)."""
    return json.dumps(text, ensure_ascii=False)


class _Live:
    """What exists in the State, indexed for the questions the blocks ask."""

    def __init__(self, state: State) -> None:
        self.index = {(s.type.value, s.name): s for s in state.securables}

    def exists(self, type_: str, name: str) -> bool:
        return (type_, name) in self.index

    def grantees(self, type_: str, name: str) -> Mapping[str, tuple[str, ...]]:
        s = self.index.get((type_, name))
        return s.grants if s is not None else {}

    def bound(self, catalog: str) -> tuple[int, ...]:
        s = self.index.get(("catalog", catalog))
        return tuple(s.workspace_ids or ()) if s is not None else ()


def _grant_blocks(prefix: str, call: Mapping[str, Any], live: _Live) -> list[dict[str, str]]:
    blocks = []
    seen: set[str] = set()
    for g in call["grants"]:
        type_, name, principal = g["securable_type"], g["securable_name"], g["principal"]
        held = live.grantees(type_, name)
        if call["authority"] == "authoritative":
            key = f"{type_}/{name}"
            if held and key not in seen:
                seen.add(key)
                blocks.append({"to": f"{prefix}.databricks_grants.this[{_key(key)}]", "id": key})
        elif principal in held:
            key = f"{type_}/{name}/{principal}"
            blocks.append({"to": f"{prefix}.databricks_grant.this[{_key(key)}]", "id": key})
    return blocks


def _domain_blocks(call: Mapping[str, Any], live: _Live) -> list[dict[str, str]]:
    catalog = call["catalog_name"]
    if not live.exists("catalog", catalog):
        return []
    blocks = [{"to": "module.domain.databricks_catalog.this", "id": catalog}]
    bound = live.bound(catalog)
    for ws in call["workspace_ids"]:
        if ws in bound:
            blocks.append(
                {
                    "to": f"module.domain.databricks_workspace_binding.this[{_key(str(ws))}]",
                    "id": f"{ws}|catalog|{catalog}",
                }
            )
    for schema in call["schemas"]:
        full = f"{catalog}.{schema['name']}"
        if live.exists("schema", full):
            to = f"module.domain.databricks_schema.this[{_key(schema['name'])}]"
            blocks.append({"to": to, "id": full})
    return blocks + _grant_blocks(f"module.domain.{GRANTS}", call, live)


def _principal_blocks(
    stack: Stack, principals: Mapping[str, Principal], problems: list[Diagnostic]
) -> list[dict[str, str]]:
    by_app = {p.uc_name: p for p in principals.values() if p.kind == "service_principal"}
    blocks = []
    for block, call in stack.document["module"].items():
        p = by_app.get(call["application_id"])
        if p is None:
            continue
        if p.scim_id is None:
            problems.append(
                reported(
                    "GOV708",
                    p.uc_name,
                    f"service principal {p.key} has no import block: its SCIM id is unknown",
                    "import with --identities scim, or import it by hand with its SCIM id",
                )
            )
            continue
        blocks.append({"to": f"module.{block}.databricks_service_principal.this", "id": p.scim_id})
        if p.assigned is None:
            problems.append(
                reported(
                    "GOV708",
                    p.uc_name,
                    f"service principal {p.key}: its workspace assignments are not imported",
                    "import with --account-host to adopt them; otherwise the first apply "
                    "assigns it to the environment's workspaces",
                )
            )
            continue
        for ws in call["workspace_ids"]:
            if ws in p.assigned:
                to = f"module.{block}.databricks_mws_permission_assignment.this[{_key(str(ws))}]"
                blocks.append({"to": to, "id": f"{ws}|{p.scim_id}"})
    return blocks


def import_blocks(
    compiled: Compiled, env: str, state: State, principals: Mapping[str, Principal]
) -> tuple[dict[str, list[dict[str, str]]], list[Diagnostic]]:
    """Stack id -> its import blocks, for the stacks of `env` (and the account stack)."""
    live = _Live(state)
    out: dict[str, list[dict[str, str]]] = {}
    problems: list[Diagnostic] = []
    for stack in compiled.stacks:
        if stack.environment not in (env, "_account"):
            continue
        module = stack.document["module"]
        if stack.kind == "domain":
            blocks = _domain_blocks(module["domain"], live)
        elif stack.kind == "grants":
            blocks = _grant_blocks(GRANTS, module["grants"], live)
        else:
            blocks = _principal_blocks(stack, principals, problems)
        if blocks:
            out[stack.id] = blocks
    return out, problems


def import_files(blocks: Mapping[str, list[dict[str, str]]]) -> dict[str, bytes]:
    """`<stack>/imports.tf.json` for every stack with blocks, escaped as the stacks are."""
    return {
        f"{stack}/{IMPORTS_FILE}": render_terraform(
            {
                "//": "Written by govkit import: adopts what exists. Remove after the first apply.",
                "import": items,
            }
        )
        for stack, items in sorted(blocks.items())
    }
