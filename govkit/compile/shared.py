"""Shared stacks: account-level service principals, assigned to their environments' workspaces.

A service principal of exactly one environment lives in `<env>/_shared`, so a change to prod's
principals never plans in dev. One that serves several environments is created once, in
`_account/_shared`: two states creating one account object would fight over it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from govkit.compile.domain import DEPTH
from govkit.compile.model import ACCOUNT, SHARED, CompileError, Stack
from govkit.compile.root import module_source, root_document
from govkit.resolve import DesiredEnvironment
from govkit.spec.build import Spec
from govkit.spec.model import ServicePrincipal


def module_name(principal: str) -> str:
    """A Terraform block name for a declared service principal, stable across runs."""
    name = re.sub(r"[^A-Za-z0-9_-]", "_", principal)
    return name if re.match(r"[A-Za-z_]", name) else f"sp_{name}"


def _call(name: str, sp: ServicePrincipal, workspaces: list[int], modules_dir: str) -> Any:
    federation = None
    if sp.federation is not None:
        federation = {
            "issuer": sp.federation.issuer,
            "subject": sp.federation.subject,
            "audiences": list(sp.federation.audiences),
        }
    return {
        "source": module_source(modules_dir, DEPTH, "service-principal"),
        "application_id": sp.application_id,
        "display_name": name,
        "workspace_ids": workspaces,
        "federation": federation,
    }


def _stack(
    spec: Spec, stack_env: str, members: list[tuple[str, ServicePrincipal, list[int]]], mdir: str
) -> Stack:
    modules: dict[str, Any] = {}
    problems = []
    for name, sp, workspaces in sorted(members, key=lambda m: m[0]):
        block = module_name(name)
        if block in modules:
            problems.append(f"service principal {name!r} and another both become module {block!r}")
        modules[block] = _call(name, sp, workspaces, mdir)
    if problems:
        raise CompileError(problems)
    stack_id = f"{stack_env}/{SHARED}"
    root = spec.root.rstrip("/") + "/"
    settings = spec.organisation.terraform
    document = root_document(settings, stack_id, DEPTH, "the principal files", modules)
    return Stack(
        id=stack_id,
        environment=stack_env,
        domain=None,
        kind="shared",
        depends_on=tuple(sorted(f.removeprefix(root) for f in spec.shared_files)),
        needs=(),
        document=document,
        resources=sum(1 + len(w) + (sp.federation is not None) for _, sp, w in members),
    )


Placed = dict[str, list[tuple[str, ServicePrincipal, list[int]]]]


def _placements(spec: Spec, environments: tuple[DesiredEnvironment, ...]) -> Placed:
    """Service principals by the environment of the stack that creates them."""
    workspaces = {e.name: e.workspaces for e in environments}
    placed: Placed = defaultdict(list)
    for name, sp in spec.service_principals.items():
        envs = [e for e in workspaces if sp.environments is None or e in sp.environments]
        if not envs:
            continue
        home = envs[0] if len(envs) == 1 else ACCOUNT
        ids = sorted({w for e in envs for w in workspaces[e]})
        placed[home].append((name, sp, ids))
    return placed


def principal_stacks(spec: Spec, environments: tuple[DesiredEnvironment, ...]) -> dict[str, str]:
    """Unity Catalog name (application id) of each created service principal -> its stack id."""
    return {
        sp.application_id: f"{home}/{SHARED}"
        for home, members in _placements(spec, environments).items()
        for _, sp, _ in members
    }


def shared_stacks(
    spec: Spec, environments: tuple[DesiredEnvironment, ...], modules_dir: str
) -> list[Stack]:
    """One shared stack per environment that has service principals of its own, and one
    account stack for those that serve several environments."""
    placed = _placements(spec, environments)
    return [_stack(spec, home, placed[home], modules_dir) for home in sorted(placed)]
