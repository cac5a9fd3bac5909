"""A domain file without the parts that failed validation, so that its references are checked.

Shape errors and reference errors are reported in one pass: a domain file with shape errors is
validated again without the unknown keys and the bad items (up to three rounds), and the
reference checks run on that copy. Paths are mapped back to the file (a list that lost an item
keeps its original positions), and a finding at or above a part taken out is left out, since
the pruning may have caused it.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import ValidationError

from govkit.diagnostics import Diagnostic, Path
from govkit.spec import model


@dataclass
class Pruned:
    """A domain file with the parts that failed validation taken out, to check its references.

    `alive` maps each list (by its path in the file) to the original indices still in it, so
    that a path in the pruned copy names the same item in the file; `cut` are the paths taken
    out, in the file's terms.
    """

    data: Any
    alive: dict[Path, list[int]] = field(default_factory=dict)
    cut: list[Path] = field(default_factory=list)

    def original(self, path: Path) -> Path:
        out: list[str | int] = []
        for step in path:
            prefix = tuple(out)
            if isinstance(step, int) and prefix in self.alive:
                alive = self.alive[prefix]
                out.append(alive[step] if step < len(alive) else step)
            else:
                out.append(step)
        return tuple(out)

    def remove(self, loc: Path) -> bool:
        """Take `loc` (a path in the pruned copy) out; False when there is nothing there."""
        node = self.data
        for step in loc[:-1]:
            if not _holds(node, step):
                return False
            node = node[step]
        last = loc[-1]
        original = self.original(loc)
        if isinstance(node, dict) and last in node:
            del node[last]
        elif isinstance(node, list) and isinstance(last, int) and 0 <= last < len(node):
            where = self.original(loc[:-1])
            self.alive.setdefault(where, list(range(len(node)))).pop(last)
            del node[last]
        else:
            return False
        self.cut.append(original)
        return True

    def covers(self, path: Path) -> bool:
        """Whether a finding at `path` may come from what was taken out (at or above it)."""
        return any(cut[: len(path)] == path for cut in self.cut)


def _holds(node: Any, step: str | int) -> bool:
    if isinstance(node, dict):
        return step in node
    return isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node)


def _prune_target(err: Any) -> Path:
    """What to take out for one validation error: the unknown key, else the bad item or key."""
    loc: Path = tuple(p for p in err["loc"] if isinstance(p, str | int))
    if err["type"] == "extra_forbidden" or not loc:
        return loc
    if err["type"] == "missing":
        loc = loc[:-1]
    last_index = max((i for i, step in enumerate(loc) if isinstance(step, int)), default=-1)
    return loc[: last_index + 1] if last_index >= 0 else loc


def pruned_domain(data: dict[str, Any], exc: ValidationError) -> tuple[Any, Pruned] | None:
    """The domain without what failed validation, or None when that cannot be made valid."""
    pruned = Pruned(copy.deepcopy(data))
    for _ in range(3):
        targets = sorted({_prune_target(e) for e in exc.errors(include_url=False)}, reverse=True)
        if not all(t and pruned.remove(t) for t in targets):
            return None
        try:
            return model.Domain.model_validate(pruned.data), pruned
        except ValidationError as again:
            exc = again
    return None


def in_file_terms(
    found: list[Diagnostic], partial: Mapping[str, tuple[Any, Pruned]]
) -> list[Diagnostic]:
    """Reference findings on pruned domain files placed in the files, minus what the pruning
    itself may have caused (a finding at or above a part taken out)."""
    out = []
    for d in found:
        pruned = partial[d.file][1] if d.file in partial else None
        if pruned is None:
            out.append(d)
        elif not pruned.covers(d.path):
            out.append(replace(d, path=pruned.original(d.path)))
    return out
