"""Mutants of govkit's source: one small change of meaning each, found and made on the syntax tree.

A mutation point is an operator or a constant whose change a test should notice: a comparison
(`<` and `<=`, `==` and `!=`, `in` and `not in`, `is` and `is not`), `and` and `or`, `+` and `-`,
`*` and `/`, a number (n to n + 1), `True` and `False`, and a `not` left out. Annotations,
decorators, f-strings and `if TYPE_CHECKING:` blocks are left alone: what changes there is not
behaviour a test could see (or, for decorators, mostly not: `frozen=True`).
Points are numbered in a fixed walk of the tree, so a mutant is (file, number) and can be made
again. `mutate_run.py` runs the tests against each.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

_COMPARE: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
_BINARY: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
}
_SYMBOL = {
    ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=",
    ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not",
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.And: "and", ast.Or: "or",
}  # fmt: skip
# Fields whose subtrees are types or decorators (`frozen=True`), not behaviour that tests see.
_SKIPPED = {"annotation", "returns", "type_comment", "decorator_list"}


@dataclass(frozen=True)
class Mutant:
    """One change at one point of one file (`file` relative to the repository)."""

    file: str
    index: int
    line: int
    col: int
    what: str

    def text(self) -> str:
        return f"{self.file}:{self.line}:{self.col + 1}: {self.what}"


@dataclass(frozen=True)
class _Point:
    node: ast.AST
    what: str
    apply: Callable[[], None]


def _is_type_checking(node: ast.AST) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    return isinstance(test, ast.Name) and test.id == "TYPE_CHECKING"


def _children(node: ast.AST) -> Iterator[tuple[str, int | None, ast.AST]]:
    """(field, position in a list field or None, child) in the order the fields are defined."""
    for name, value in ast.iter_fields(node):
        if name in _SKIPPED:
            continue
        if isinstance(value, ast.AST):
            yield name, None, value
        elif isinstance(value, list):
            yield from ((name, i, v) for i, v in enumerate(value) if isinstance(v, ast.AST))


def _replace(parent: ast.AST, field: str, position: int | None, new: ast.AST) -> None:
    if position is None:
        setattr(parent, field, new)
    else:
        getattr(parent, field)[position] = new


def _compare_points(node: ast.Compare) -> Iterator[_Point]:
    for i, op in enumerate(node.ops):
        other = _COMPARE.get(type(op))
        if other is not None:

            def swap(i: int = i, other: type[ast.cmpop] = other) -> None:
                node.ops[i] = other()

            yield _Point(node, f"`{_SYMBOL[type(op)]}` -> `{_SYMBOL[other]}`", swap)


def _own_points(node: ast.AST, parent: ast.AST, field: str, pos: int | None) -> Iterator[_Point]:
    """The points of `node` itself (its children are walked apart)."""
    if isinstance(node, ast.Compare):
        yield from _compare_points(node)
    elif isinstance(node, ast.BoolOp):
        new: type[ast.boolop] = ast.Or if isinstance(node.op, ast.And) else ast.And
        what = f"`{_SYMBOL[type(node.op)]}` -> `{_SYMBOL[new]}`"
        yield _Point(node, what, lambda: setattr(node, "op", new()))
    elif isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        other = _BINARY[type(node.op)]
        what = f"`{_SYMBOL[type(node.op)]}` -> `{_SYMBOL[other]}`"
        yield _Point(node, what, lambda: setattr(node, "op", other()))
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield _Point(node, "`not` left out", lambda: _replace(parent, field, pos, node.operand))
    elif isinstance(node, ast.Constant) and isinstance(node.value, bool):
        flipped = not node.value
        yield _Point(
            node, f"`{node.value}` -> `{flipped}`", lambda: setattr(node, "value", flipped)
        )
    elif isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        more = node.value + 1
        yield _Point(node, f"`{node.value!r}` -> `{more!r}`", lambda: setattr(node, "value", more))


def _points(tree: ast.AST) -> list[_Point]:
    out: list[_Point] = []

    def walk(node: ast.AST) -> None:
        for field, pos, child in _children(node):
            if isinstance(child, ast.JoinedStr) or _is_type_checking(child):
                continue
            out.extend(_own_points(child, node, field, pos))
            walk(child)

    walk(tree)
    return out


def mutants(root: Path, rel: str) -> list[Mutant]:
    """Every mutant of the file `rel` under `root`, in walk order."""
    tree = ast.parse((root / rel).read_text(encoding="utf-8"))
    return [
        Mutant(rel, i, getattr(p.node, "lineno", 0), getattr(p.node, "col_offset", 0), p.what)
        for i, p in enumerate(_points(tree))
    ]


def mutated_source(source: str, index: int) -> str:
    """`source` with its `index`-th point changed, as Python text (comments are not kept)."""
    tree = ast.parse(source)
    _points(tree)[index].apply()
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"
