"""The order of an apply: environments in the organisation's order, stacks after their `needs`.

`python -m govkit.repository.order SPEC_DIR < MATRIX_JSON` reads the matrix of `govkit affected`
and prints `{"environments": [...], "<env>": [entry, ...], ...}`. Within an environment, removed
stacks are destroyed first, dependants before what they need; then added and changed stacks are
applied, each after the stacks it needs (a split domain's parts after its primary stack). A stack
that needs one of a later environment, or a cycle, is an error: CI must not guess.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from typing import Any

ACCOUNT = "_account"


class OrderError(Exception):
    """The stacks cannot be applied in any order that honours their `needs`."""


def _environment(stack_id: str) -> str:
    return stack_id.split("/", 1)[0]


def apply_order(
    environments: Sequence[str], affected: Sequence[Mapping[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """Affected entries per environment (account-level first), in an order that honours needs."""
    rank = {env: i for i, env in enumerate([ACCOUNT, *environments])}
    needs = {str(e["id"]): [str(n) for n in e.get("needs") or ()] for e in affected}
    by_env: dict[str, list[dict[str, Any]]] = {}
    for entry in affected:
        env = str(entry["environment"])
        for need in needs[str(entry["id"])]:
            if rank.get(_environment(need), 0) > rank.get(env, 0):
                raise OrderError(f"{entry['id']} needs {need}, which is applied after it")
        by_env.setdefault(env, []).append(dict(entry))
    out = {}
    for env in sorted(by_env, key=lambda e: (rank.get(e, len(rank)), e)):
        entries = by_env[env]
        removed = [e for e in entries if e.get("change") == "removed"]
        kept = [e for e in entries if e.get("change") != "removed"]
        out[env] = [*reversed(_sorted(removed, needs)), *_sorted(kept, needs)]
    return out


def _sorted(entries: list[dict[str, Any]], needs: Mapping[str, list[str]]) -> list[dict[str, Any]]:
    """Depth-first topological order, ties by id: deterministic."""
    by_id = {str(e["id"]): e for e in entries}
    done: list[dict[str, Any]] = []
    state: dict[str, str] = {}

    def visit(stack: str) -> None:
        if state.get(stack) == "done":
            return
        if state.get(stack) == "visiting":
            raise OrderError(f"the stacks' needs form a cycle through {stack}")
        state[stack] = "visiting"
        for need in sorted(needs.get(stack, [])):
            if need in by_id:
                visit(need)
        state[stack] = "done"
        done.append(by_id[stack])

    for stack in sorted(by_id):
        visit(stack)
    return done


def main(argv: list[str]) -> int:
    from govkit.edit.document import EditRefused
    from govkit.edit.locate import map_spec

    try:
        environments = map_spec(argv[0]).environments()
        order = apply_order(environments, json.load(sys.stdin)["include"])
    except (EditRefused, OrderError) as exc:
        print(f"govkit: {exc}", file=sys.stderr)
        return 1
    print(json.dumps({"environments": list(order), **order}, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
