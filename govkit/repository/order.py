"""The order of an apply: environments in the organisation's order, stacks after their `needs`.

`python -m govkit.repository.order SPEC_DIR STACKS_JSON < MATRIX_JSON` reads the matrix of
`govkit affected` and prints `{"environments": [...], "<env>": [entry, ...], ...}`: each
environment's affected stacks in an order where every stack comes after the stacks it needs
(a split domain's parts after its primary stack). A stack that needs one in a later
environment, or a cycle, is an error: CI must not guess.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from typing import Any

ACCOUNT = "_account"


class OrderError(Exception):
    """The stacks cannot be applied in any order that honours their `needs`."""


def apply_order(
    environments: Sequence[str],
    stacks: Sequence[Mapping[str, Any]],
    affected: Sequence[Mapping[str, Any]],
) -> dict[str, list[dict[str, Any]]]:
    """Affected entries per environment (account-level first), each after what it needs."""
    needs = {str(s["id"]): [str(n) for n in s.get("needs", ())] for s in stacks}
    env_of = {str(s["id"]): str(s["environment"]) for s in stacks}
    rank = {env: i for i, env in enumerate([ACCOUNT, *environments])}
    order: dict[str, list[dict[str, Any]]] = {}
    for entry in affected:
        env = str(entry["environment"])
        for need in needs.get(str(entry["id"]), []):
            if rank.get(env_of.get(need, env), 0) > rank.get(env, 0):
                raise OrderError(f"{entry['id']} needs {need}, which is applied after it")
        order.setdefault(env, []).append(dict(entry))
    return {env: _sorted(entries, needs) for env, entries in _by_rank(order, rank)}


def _by_rank(
    order: dict[str, list[dict[str, Any]]], rank: Mapping[str, int]
) -> list[tuple[str, list[dict[str, Any]]]]:
    return sorted(order.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0]))


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
    from govkit.edit.locate import map_spec

    spec_dir, stacks_file = argv
    environments = map_spec(spec_dir).environments()
    with open(stacks_file, encoding="utf-8") as handle:
        stacks = json.load(handle)["stacks"]
    affected = json.load(sys.stdin)["include"]
    try:
        order = apply_order(environments, stacks, affected)
    except OrderError as exc:
        print(f"govkit: {exc}", file=sys.stderr)
        return 1
    print(json.dumps({"environments": list(order), **order}, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
