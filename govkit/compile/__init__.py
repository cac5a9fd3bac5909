"""Compile the resolved spec to Terraform: one root module per (environment, domain).

Pure: values in, values out. `govkit.compile.writer` puts the files on disk.
"""

from __future__ import annotations

from dataclasses import replace

from govkit.compile.domain import domain_inputs, domain_stacks
from govkit.compile.guard import check_stacks
from govkit.compile.model import ACCOUNT, SHARED, STORAGE, Compiled, CompileError, Stack
from govkit.compile.shared import principal_stacks, shared_stacks
from govkit.compile.storage import storage_stack
from govkit.compile.tags import tags_stack, with_assignments
from govkit.gc_pause import paused_gc
from govkit.resolve import DesiredEnvironment, DesiredPolicy
from govkit.spec.build import Spec

__all__ = ["CompileError", "Compiled", "Stack", "compile_stacks"]


def compile_stacks(
    spec: Spec, environments: tuple[DesiredEnvironment, ...], modules_dir: str
) -> Compiled:
    """Every stack of every environment; `modules_dir` is relative to the output folder.

    Raises CompileError when the result would be unsafe to apply (see `guard`).
    """
    with paused_gc():
        return _compile_stacks(spec, environments, modules_dir)


def _compile_stacks(
    spec: Spec, environments: tuple[DesiredEnvironment, ...], modules_dir: str
) -> Compiled:
    reserved = [
        *(
            f"domain {d.domain.domain!r}"
            for d in spec.domains
            if d.domain.domain in (SHARED, STORAGE)
        ),
        *(f"environment {e.name!r}" for e in environments if e.name == ACCOUNT),
    ]
    if reserved:
        raise CompileError([f"the {r} is a name reserved for shared stacks" for r in reserved])
    stacks: list[Stack] = shared_stacks(spec, environments, modules_dir)
    tags = tags_stack(spec, modules_dir)
    if tags is not None:
        stacks.append(tags)
    # A domain stack that names a service principal applies after the stack that creates it.
    creators = principal_stacks(spec, environments)
    for env in environments:
        storage = storage_stack(spec, env, modules_dir, creators)
        if storage is not None:
            stacks.append(storage)
        by_domain: dict[str, list[DesiredPolicy]] = {}
        for policy in env.policies:
            by_domain.setdefault(policy.domain, []).append(policy)
        for d in domain_inputs(env):
            made = domain_stacks(spec, env, d, modules_dir, creators)
            if storage is not None and d.catalog.storage.storage_root is not None:
                # A managed storage root lies under an external location: create that first.
                made[0] = replace(made[0], needs=tuple(sorted({*made[0].needs, storage.id})))
            policies = by_domain.get(d.domain, [])
            made[0] = with_assignments(made[0], d.state, policies, modules_dir, tags)
            stacks.extend(made)
    check_stacks(stacks)
    return Compiled(tuple(sorted(stacks, key=lambda s: s.id)))
