"""The compiler's last check: one owner per securable, in one stack, with one kind of resource.

Two `databricks_grants` on one securable, or a mix of `databricks_grants` and
`databricks_grant`, flip-flop on every apply (provider issues #2216, #2704): refuse them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from govkit.compile.model import CompileError, Stack


def check_stacks(stacks: Iterable[Stack]) -> None:
    """Raise CompileError listing every securable that more than one resource would manage."""
    grants: dict[tuple[str, str], list[tuple[str, str, str | None]]] = defaultdict(list)
    created: dict[tuple[str, str], list[str]] = defaultdict(list)
    for stack in stacks:
        for kind, securable, principal in stack.grants.resources() if stack.grants else ():
            grants[securable].append((stack.id, kind, principal))
        for securable in stack.creates:
            created[securable].append(stack.id)
    problems: list[str] = []
    for (type_, name), holders in sorted(created.items()):
        if len(holders) > 1:
            problems.append(f"{type_} {name} would be created by {len(holders)} stacks: {holders}")
    for (type_, name), resources in sorted(grants.items()):
        problem = _grant_problem(resources)
        if problem:
            problems.append(f"{type_} {name}: {problem}")
    if problems:
        raise CompileError(problems)


def _grant_problem(resources: list[tuple[str, str, str | None]]) -> str:
    kinds = {kind for _, kind, _ in resources}
    stacks = sorted({stack for stack, _, _ in resources})
    if len(kinds) > 1:
        return f"mixes databricks_grants and databricks_grant (stacks {stacks})"
    if "databricks_grants" in kinds and len(resources) > 1:
        return f"{len(resources)} authoritative databricks_grants resources (stacks {stacks})"
    counts = Counter(p for _, _, p in resources if p is not None)
    repeated = sorted(p for p, n in counts.items() if n > 1)
    if repeated:
        return f"more than one databricks_grant for {repeated} (stacks {stacks})"
    return ""
