"""The lineage document (`govkit.lineage/v1`): table-level lineage as distinct edges.

Aggregated where the events live (the warehouse), never raw events: one edge per
(source, target) with the time it was last seen and how many events gave it. Edges sorted by
(source, target); `source` and `target` are full three-part names.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Strict, TypeAdapter

from govkit.documents import parse_json, published_schema, require_format, validate
from govkit.gc_pause import paused_gc

FORMAT: Literal["govkit.lineage/v1"] = "govkit.lineage/v1"

LineageSource = Literal["warehouse", "rest", "file"]
_SOURCES = frozenset({"warehouse", "rest", "file"})
_KEYS = frozenset({"format", "source", "taken_at", "complete", "errors", "edges"})
_EDGE_KEYS = frozenset({"source", "target", "last_seen", "events"})


@dataclass(frozen=True, slots=True)
class Edge:
    """Data flowed from `source` into `target`; `events` lineage events, the last at `last_seen`."""

    __pydantic_config__ = ConfigDict(extra="forbid")

    source: str
    target: str
    last_seen: str | None = None
    events: Annotated[int, Strict()] = 1


@dataclass(frozen=True, slots=True)
class LineageError:
    """Something a read could not read."""

    __pydantic_config__ = ConfigDict(extra="forbid")

    item: str
    message: str


@dataclass(frozen=True, slots=True)
class Lineage:
    """A lineage document. Build it with `make_lineage` so that it is sorted and merged."""

    __pydantic_config__ = ConfigDict(extra="forbid", title="govkit lineage document")

    source: LineageSource
    format: Literal["govkit.lineage/v1"] = FORMAT
    taken_at: str | None = None
    complete: bool = True
    errors: tuple[LineageError, ...] = ()
    edges: tuple[Edge, ...] = ()


class LineageFormatError(ValueError):
    """A file that is not a lineage document."""


def _later(a: str | None, b: str | None) -> str | None:
    if a is None or b is None:
        return a or b
    return max(a, b)


def _in_order(edges: list[Edge]) -> bool:
    """Already sorted by (source, target) with no pair twice, as `dumps` writes them."""
    last: tuple[str, str] | None = None
    for e in edges:
        key = (e.source, e.target)
        if last is not None and not last < key:
            return False
        last = key
    return True


def make_lineage(
    source: LineageSource,
    edges: Iterable[Edge],
    taken_at: str | None = None,
    errors: Iterable[LineageError] = (),
    complete: bool = True,
) -> Lineage:
    """Edges sorted by (source, target), repeated pairs merged; any error makes it incomplete."""
    errs = tuple(sorted(set(errors), key=lambda e: (e.item, e.message)))
    given = list(edges)
    if _in_order(given):
        return Lineage(
            source=source,
            taken_at=taken_at,
            complete=complete and not errs,
            errors=errs,
            edges=tuple(given),
        )
    merged: dict[tuple[str, str], Edge] = {}
    for edge in given:
        key = (edge.source, edge.target)
        known = merged.get(key)
        if known is not None:
            edge = Edge(
                edge.source,
                edge.target,
                _later(known.last_seen, edge.last_seen),
                known.events + edge.events,
            )
        merged[key] = edge
    return Lineage(
        source=source,
        taken_at=taken_at,
        complete=complete and not errs,
        errors=errs,
        edges=tuple(merged[k] for k in sorted(merged)),
    )


def lineage_to_dict(doc: Lineage) -> dict[str, Any]:
    out: dict[str, Any] = {"format": doc.format, "source": doc.source}
    if doc.taken_at is not None:
        out["taken_at"] = doc.taken_at
    out["complete"] = doc.complete
    out["errors"] = [{"item": e.item, "message": e.message} for e in doc.errors]
    out["edges"] = [
        {"source": e.source, "target": e.target, "last_seen": e.last_seen, "events": e.events}
        for e in doc.edges
    ]
    return out


def dumps(doc: Lineage) -> str:
    """The canonical JSON text, one edge a line: same value, same bytes."""
    head = lineage_to_dict(doc)
    edges = head.pop("edges")
    text = json.dumps(head, indent=2, ensure_ascii=False)
    lines = [json.dumps(e, ensure_ascii=False) for e in edges]
    body = "[\n    " + ",\n    ".join(lines) + "\n  ]" if lines else "[]"
    return text[:-2] + f',\n  "edges": {body}\n}}\n'


@functools.cache
def _adapter() -> TypeAdapter[Lineage]:
    return TypeAdapter(Lineage)


def _three_parts(name: Any) -> bool:
    return type(name) is str and name.count(".") == 2 and all(name.split("."))


def _plain(raw: dict[str, Any]) -> tuple[list[Edge], list[LineageError]] | None:
    """The fast path for what `dumps` writes (a million edges); None sends it to the validator."""
    source = raw.get("source")
    # A list or an object cannot be looked up in a set (found by govkit.fuzz).
    if not raw.keys() <= _KEYS or type(source) is not str or source not in _SOURCES:
        return None
    taken_at, complete, errors = raw.get("taken_at"), raw.get("complete", True), raw.get("errors")
    if (taken_at is not None and type(taken_at) is not str) or type(complete) is not bool:
        return None
    if errors is not None and type(errors) is not list:
        return None
    errs: list[LineageError] = []
    for e in errors or []:
        if type(e) is not dict or e.keys() != {"item", "message"}:
            return None
        if type(e["item"]) is not str or type(e["message"]) is not str:
            return None
        errs.append(LineageError(e["item"], e["message"]))
    edges = raw.get("edges", [])
    if type(edges) is not list:
        return None
    built = []
    # A million edges name a few thousand tables and a few days: one string each, not one per
    # edge (memory, and the dictionary lookups downstream find the same object).
    seen: dict[str, str] = {}
    for e in edges:
        if type(e) is not dict or not e.keys() <= _EDGE_KEYS:
            return None
        source, target = e.get("source"), e.get("target")
        last_seen, events = e.get("last_seen"), e.get("events", 1)
        if type(source) is not str or type(target) is not str or type(events) is not int:
            return None
        if last_seen is not None and type(last_seen) is not str:
            return None
        source, target = seen.setdefault(source, source), seen.setdefault(target, target)
        if last_seen is not None:
            last_seen = seen.setdefault(last_seen, last_seen)
        built.append(Edge(source, target, last_seen, events))
    return built, errs


def _check_edges(edges: list[Edge]) -> None:
    good: set[str] = set()  # a million edges name a few thousand tables: check each once
    for i, edge in enumerate(edges):
        if edge.source in good and edge.target in good and edge.events >= 1:
            continue
        for end in ("source", "target"):
            name = getattr(edge, end)
            if _three_parts(name):
                good.add(name)
            else:
                raise LineageFormatError(
                    f"invalid lineage document at edges.{i}.{end}: {name!r} is not a full "
                    "three-part name (catalog.schema.table)"
                )
        if edge.events < 1:
            raise LineageFormatError(
                f"invalid lineage document at edges.{i}.events: must be at least 1"
            )


def _parse(text: str | bytes) -> Any:
    import orjson  # only commands that read lineage pay for it

    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        # orjson is fast but terse; the standard parser names the line and column.
        return parse_json(text, LineageFormatError)


def loads(text: str | bytes) -> Lineage:
    """Parse one lineage document, check its names, and put it in canonical order."""
    raw = _parse(text)
    require_format(raw, FORMAT, "a lineage document", LineageFormatError)
    with paused_gc():
        plain = _plain(raw)
        if plain is None:
            valid = validate(_adapter(), raw, "lineage document", LineageFormatError)
            plain = (list(valid.edges), list(valid.errors))
        edges, errors = plain
        _check_edges(edges)
        return make_lineage(
            raw["source"], edges, raw.get("taken_at"), errors, raw.get("complete", True)
        )


def json_schema() -> dict[str, Any]:
    """The published JSON Schema of the lineage document."""
    return published_schema(_adapter(), "lineage")
