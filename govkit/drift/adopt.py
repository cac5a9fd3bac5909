"""Check a drift patch before emitting it: apply its edits to the spec in memory and validate.

An edit that would make the spec fail `govkit validate` (an undeclared principal, a human group
holding MODIFY in a protected environment, ...) is refused with the diagnostic that says why.
Edits a reviewer must finish by hand (dropping privileges, choosing a new expiry date) are not
simulated.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from govkit.diagnostics import Diagnostic, Path, Severity
from govkit.drift.patch import Checker, Edit
from govkit.policy import check_policies
from govkit.resolve import resolve
from govkit.spec.build import build_spec
from govkit.spec.loader import Loaded

_SIMULATED = frozenset({"append", "set", "add", "remove"})


def _parent(data: Any, at: Path) -> Any:
    """The mapping or list holding `at[-1]`, creating empty mappings on the way."""
    node = data
    for step in at[:-1]:
        if isinstance(node, list):
            node = node[int(step)]
            continue
        if node.get(step) is None:
            node[step] = {}
        node = node[step]
    return node


def _apply(files: dict[str, dict[str, Any]], edit: Edit) -> Path:
    """Apply one edit; return the document path its own diagnostics would name."""
    data = files.get(edit.file)
    if data is None:
        return edit.at
    if edit.op == "remove" and not edit.at:
        del files[edit.file]
        return edit.at
    parent, last = _parent(data, edit.at), edit.at[-1]
    if edit.op == "append":
        parent[last] = [*(parent.get(last) or []), edit.value]
        return (*edit.at, len(parent[last]) - 1)
    if edit.op == "add":
        parent[last] = {**(parent.get(last) or {}), **edit.value}
        return (*edit.at, next(iter(edit.value)))
    if edit.op == "remove":
        del parent[last]
    else:
        parent[last] = edit.value
    return edit.at


def _errors(
    loaded: Loaded, root: str, edits: Sequence[Edit], today: dt.date
) -> list[tuple[Diagnostic, int]]:
    """Errors of the spec with `edits` applied, each with the edit it names (-1 for none)."""
    files = {f.path: copy.deepcopy(f.data) for f in loaded.files}
    targets = [(e.file, _apply(files, e)) for e in edits]
    patched = Loaded(
        files=[replace(f, data=files[f.path]) for f in loaded.files if f.path in files],
        diagnostics=list(loaded.diagnostics),
        sources=loaded.sources,
    )
    spec, diagnostics = build_spec(root, patched)
    if spec is not None:
        diagnostics = [*diagnostics, *check_policies(spec, resolve(spec, today), today)]
    out = []
    for d in diagnostics:
        if d.severity is not Severity.ERROR:
            continue
        blamed = [i for i, (file, at) in enumerate(targets)
                  if d.file == file and tuple(d.path[: len(at)]) == tuple(at)]  # fmt: skip
        out.append((d, blamed[-1] if blamed else -1))
    return out


def checker(loaded: Loaded, root: str, today: dt.date) -> Checker:
    """A Checker over the spec as `loaded` from `root`, with expiry evaluated as of `today`."""

    def check(edits: Sequence[Edit]) -> dict[int, str]:
        candidates = [i for i, e in enumerate(edits) if e.op in _SIMULATED]
        refused: dict[int, str] = {}
        for _ in range(len(candidates) + 1):
            active = [i for i in candidates if i not in refused]
            errors = _errors(loaded, root, [edits[i] for i in active], today)
            if not errors:
                return refused
            named: dict[int, list[Diagnostic]] = {}
            for d, k in errors:
                if k >= 0:
                    named.setdefault(active[k], []).append(d)
            if not named:  # no edit is named: refuse the ones that fail on their own
                for a in active:
                    alone = [edits[b] for b in (*edits[a].after, a)]
                    if errs := _errors(loaded, root, alone, today):
                        named[a] = [d for d, _ in errs]
            if not named:
                return {**refused, **{a: _why([d for d, _ in errors]) for a in active}}
            blamed = {a: _why(ds) for a, ds in named.items()}
            refused.update(blamed)
        return refused

    return check


def _why(diagnostics: list[Diagnostic]) -> str:
    """Every distinct reason, in code order: `GOV206 ...; GOV212 ...`."""
    reasons = sorted({f"{d.code} {d.message}" for d in diagnostics})
    return "the spec would not validate: " + "; ".join(reasons)
