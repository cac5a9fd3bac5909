"""A deliberately narrow SQL engine: enough SELECT to answer the statements govkit sends.

Grammar (case-insensitive keywords):

    SELECT item [, item]* FROM table [WHERE cond] [GROUP BY col [, col]*]
        [ORDER BY col [ASC|DESC] [, ...]*] [LIMIT n]
    item  := col [AS alias] | fn(col) [AS alias] | array_sort(collect_set(col)) [AS alias]
             | count(*) [AS alias]            (fn: collect_set, count, min, max, to_json)
    col   := name[.field | ['key']]*          (struct fields and map keys)
    cond  := cond OR cond | cond AND cond | NOT cond | (cond) | col op value
             | col IS [NOT] NULL | col [NOT] IN (value, ...)
    value := 'text' | :parameter | number

Anything else is a SQL error, which the statement API reports as state FAILED.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any


class SqlError(Exception):
    """A statement the engine cannot run: answered as FAILED with `[CODE] message`."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"[{code}] {message}")
        self.code = code


_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<param>:[A-Za-z_]\w*)|(?P<num>\d+(?:\.\d+)?)"
    r"|(?P<ident>[A-Za-z_][\w]*|`[^`]+`)|(?P<op><>|!=|<=|>=|[=<>(),.*\[\]]))"
)
_KEYWORDS = {"select", "from", "where", "group", "by", "order", "limit", "and", "or", "not"}
_KEYWORDS |= {"is", "null", "in", "as", "asc", "desc"}
AGGREGATES = {"collect_set", "count", "min", "max"}


@dataclass(frozen=True)
class Column:
    path: tuple[str, ...]  # name, then struct fields or map keys


@dataclass(frozen=True)
class Item:
    expr: Column | None  # None for count(*)
    funcs: tuple[str, ...]  # outermost first, e.g. ("array_sort", "collect_set")
    alias: str


@dataclass(frozen=True)
class Query:
    items: tuple[Item, ...]
    table: str
    where: Callable[[Mapping[str, Any]], bool]
    group_by: tuple[Column, ...]
    order_by: tuple[tuple[str, bool], ...]  # (output column, descending)
    limit: int | None


def tokenize(sql: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos, text = 0, sql.strip().rstrip(";")
    while pos < len(text):
        found = _TOKEN.match(text, pos)
        if not found or found.end() == pos:
            raise SqlError(
                "PARSE_SYNTAX_ERROR", f"Syntax error at or near {text[pos : pos + 20]!r}"
            )
        kind = found.lastgroup or ""
        value = found.group(kind)
        if kind == "ident" and value.lower() in _KEYWORDS:
            kind, value = "kw", value.lower()
        elif kind == "ident":
            value = value.strip("`")
        tokens.append((kind, value))
        pos = found.end()
    return tokens


class _Parser:
    def __init__(self, sql: str, params: Mapping[str, str | None]) -> None:
        self.tokens = tokenize(sql)
        self.i = 0
        self.params = params

    def peek(self, value: str) -> bool:
        return self.i < len(self.tokens) and self.tokens[self.i][1] == value

    def take(self, value: str | None = None, kind: str | None = None) -> str:
        if self.i >= len(self.tokens):
            raise SqlError("PARSE_SYNTAX_ERROR", "Syntax error at end of input")
        k, v = self.tokens[self.i]
        if (value is not None and v != value) or (kind is not None and k != kind):
            raise SqlError("PARSE_SYNTAX_ERROR", f"Syntax error at or near '{v}'")
        self.i += 1
        return v

    def accept(self, value: str) -> bool:
        if self.peek(value):
            self.i += 1
            return True
        return False

    def query(self) -> Query:
        self.take("select")
        items = [self.item()]
        while self.accept(","):
            items.append(self.item())
        self.take("from")
        table = self.take(kind="ident")
        while self.accept("."):
            table += "." + self.take(kind="ident")
        where: Callable[[Mapping[str, Any]], bool] = lambda row: True  # noqa: E731 (a default)
        if self.accept("where"):
            where = self.disjunction()
        group: list[Column] = []
        if self.accept("group"):
            self.take("by")
            group = [self.column()]
            while self.accept(","):
                group.append(self.column())
        order: list[tuple[str, bool]] = []
        if self.accept("order"):
            self.take("by")
            order = [self.order_key()]
            while self.accept(","):
                order.append(self.order_key())
        limit = int(self.take(kind="num")) if self.accept("limit") else None
        if self.i != len(self.tokens):
            raise SqlError(
                "PARSE_SYNTAX_ERROR", f"Syntax error at or near '{self.tokens[self.i][1]}'"
            )
        return Query(tuple(items), table.lower(), where, tuple(group), tuple(order), limit)

    def order_key(self) -> tuple[str, bool]:
        name = ".".join(self.column().path)
        desc = self.accept("desc")
        if not desc:
            self.accept("asc")
        return name, desc

    def item(self) -> Item:
        funcs: list[str] = []
        expr: Column | None
        while self.i + 1 < len(self.tokens) and self.tokens[self.i + 1][1] == "(":
            funcs.append(self.take(kind="ident").lower())
            self.take("(")
        expr = None if funcs and funcs[-1] == "count" and self.accept("*") else self.column()
        for _ in funcs:
            self.take(")")
        alias = self.take(kind="ident") if self.accept("as") else None
        default = expr.path[-1] if expr is not None else "count"
        return Item(expr, tuple(funcs), alias or default)

    def column(self) -> Column:
        path = [self.take(kind="ident")]
        while True:
            if self.accept("."):
                path.append(self.take(kind="ident"))
            elif self.accept("["):
                path.append(_unquote(self.take(kind="str")))
                self.take("]")
            else:
                return Column(tuple(path))

    def disjunction(self) -> Callable[[Mapping[str, Any]], bool]:
        parts = [self.conjunction()]
        while self.accept("or"):
            parts.append(self.conjunction())
        return lambda row: any(p(row) for p in parts)

    def conjunction(self) -> Callable[[Mapping[str, Any]], bool]:
        parts = [self.atom()]
        while self.accept("and"):
            parts.append(self.atom())
        return lambda row: all(p(row) for p in parts)

    def atom(self) -> Callable[[Mapping[str, Any]], bool]:
        if self.accept("not"):
            inner = self.atom()
            return lambda row: not inner(row)
        if self.accept("("):
            inner = self.disjunction()
            self.take(")")
            return inner
        col = self.column()
        if self.accept("is"):
            negate = self.accept("not")
            self.take("null")
            return lambda row: (value_of(row, col) is None) != negate
        negate = self.accept("not")
        if self.accept("in"):
            self.take("(")
            values = [self.value()]
            while self.accept(","):
                values.append(self.value())
            self.take(")")
            wanted = {v for v in values if v is not None}
            return lambda row: (_text(value_of(row, col)) in wanted) != negate
        op = self.take(kind="op")
        return _compare(col, op, self.value())

    def value(self) -> str | None:
        kind, raw = self.tokens[self.i] if self.i < len(self.tokens) else ("", "")
        self.i += 1
        if kind == "str":
            return _unquote(raw)
        if kind == "num":
            return raw
        if kind == "param":
            if raw[1:] not in self.params:
                raise SqlError("UNBOUND_SQL_PARAMETER", f"Found the unbound parameter: {raw[1:]}")
            return self.params[raw[1:]]
        raise SqlError("PARSE_SYNTAX_ERROR", f"Syntax error at or near '{raw}'")


def _unquote(raw: str) -> str:
    return raw[1:-1].replace("''", "'")


def _compare(col: Column, op: str, value: str | None) -> Callable[[Mapping[str, Any]], bool]:
    ops: dict[str, Callable[[str, str], bool]] = {
        "=": lambda a, b: a == b,
        "<>": lambda a, b: a != b,
        "!=": lambda a, b: a != b,
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
    }
    if op not in ops:
        raise SqlError("PARSE_SYNTAX_ERROR", f"Syntax error at or near '{op}'")
    test = ops[op]

    def check(row: Mapping[str, Any]) -> bool:
        # SQL three-valued logic: a comparison with NULL is never true.
        left = _text(value_of(row, col))
        return left is not None and value is not None and test(left, value)

    return check


def value_of(row: Mapping[str, Any], col: Column) -> Any:
    value: Any = row
    for step in col.path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(step)
    return value


def _text(value: Any) -> str | None:
    """The string form of a value, as JSON_ARRAY results carry it."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), sort_keys=True)
    return str(value)


def parse(sql: str, params: Mapping[str, str | None]) -> Query:
    return _Parser(sql, params).query()


def run(query: Query, rows: Iterable[Mapping[str, Any]]) -> list[list[str | None]]:
    """Filter, group and order `rows`; every value as a string or None."""
    kept = [r for r in rows if query.where(r)]
    has_aggregate = any(set(i.funcs) & AGGREGATES for i in query.items)
    if query.group_by or has_aggregate:
        out = _grouped(query, kept)
    else:
        out = [[_plain(i, r) for i in query.items] for r in kept]
    names = [i.alias for i in query.items]
    for name, desc in reversed(query.order_by):
        if name not in names:
            raise SqlError("UNRESOLVED_COLUMN", f"A column named '{name}' cannot be resolved.")
        at = names.index(name)
        out.sort(key=lambda r: (r[at] is None, r[at] or ""), reverse=desc)
    return out[: query.limit] if query.limit is not None else out


def _plain(item: Item, row: Mapping[str, Any]) -> str | None:
    if item.expr is None:
        raise SqlError("MISSING_GROUP_BY", "count(*) needs an aggregate query")
    value = value_of(row, item.expr)
    if "to_json" in item.funcs:
        return None if value is None else json.dumps(value, separators=(",", ":"))
    return _text(value)


def _grouped(query: Query, rows: list[Mapping[str, Any]]) -> list[list[str | None]]:
    groups: dict[tuple[str | None, ...], list[Mapping[str, Any]]] = {}
    for r in rows:
        groups.setdefault(tuple(_text(value_of(r, c)) for c in query.group_by), []).append(r)
    return [[_aggregate(i, members) for i in query.items] for members in groups.values()]


def _aggregate(item: Item, members: list[Mapping[str, Any]]) -> str | None:
    if not item.funcs:
        return _plain(item, members[0])
    if item.expr is None:
        return str(len(members))
    values = [_text(value_of(m, item.expr)) for m in members]
    present = [v for v in values if v is not None]
    inner = item.funcs[-1]
    if inner == "count":
        return str(len(present))
    if inner in ("min", "max"):
        return (min if inner == "min" else max)(present) if present else None
    if inner == "collect_set":
        unique = list(dict.fromkeys(present))
        if "array_sort" in item.funcs:
            unique.sort()
        return json.dumps(unique, separators=(",", ":"))
    raise SqlError("UNRESOLVED_ROUTINE", f"Cannot resolve function `{inner}`")
