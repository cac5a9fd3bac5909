"""The lineage picture: which edges to draw, a layered layout, Mermaid text and an SVG.

A picture of a million edges shows nothing, so the picture holds at most `MAX_EDGES`: the edges
that cross an environment or a domain first, then the rest in name order; the report says how
many it leaves out (every edge is in the tables, the JSON and the CSV).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from govkit.audit.model import EdgeRow

MAX_EDGES = 60
_NODE_H, _GAP_X, _GAP_Y, _PAD = 26, 60, 12, 16
_CHAR_W = 6.8  # px per character of the 11px monospace labels


@dataclass(frozen=True)
class Picture:
    edges: tuple[EdgeRow, ...]
    nodes: tuple[str, ...]  # sorted
    total: int

    @property
    def left_out(self) -> int:
        return self.total - len(self.edges)


def choose(edges: tuple[EdgeRow, ...]) -> Picture:
    flagged = [e for e in edges if e.cross_environment or e.cross_domain]
    rest = [e for e in edges if not (e.cross_environment or e.cross_domain)]
    shown = tuple((flagged + rest)[:MAX_EDGES])
    nodes = tuple(sorted({n for e in shown for n in (e.source, e.target)}))
    return Picture(shown, nodes, len(edges))


def _layers(picture: Picture) -> dict[str, int]:
    """Longest path from a source, bounded by the node count so that cycles terminate."""
    layer = dict.fromkeys(picture.nodes, 0)
    for _ in range(len(picture.nodes)):
        changed = False
        for e in picture.edges:
            if e.source != e.target and layer[e.target] < layer[e.source] + 1:
                layer[e.target] = min(layer[e.source] + 1, len(picture.nodes))
                changed = True
        if not changed:
            break
    return layer


def _style(edge: EdgeRow) -> str:
    if edge.cross_environment:
        return "env"
    return "domain" if edge.cross_domain else "plain"


def mermaid(picture: Picture) -> str:
    """A Mermaid flowchart; labels escaped with Mermaid's entity codes."""
    ids = {n: f"n{i}" for i, n in enumerate(picture.nodes)}
    lines = ["flowchart LR"]
    lines += [f'  {ids[n]}["{_mermaid_text(n)}"]' for n in picture.nodes]
    styles: dict[str, list[int]] = {"env": [], "domain": []}
    for i, e in enumerate(picture.edges):
        lines.append(f"  {ids[e.source]} --> {ids[e.target]}")
        kind = _style(e)
        if kind in styles:
            styles[kind].append(i)
    colours = {"env": "#c0392b", "domain": "#d68910"}
    for kind, numbers in styles.items():
        if numbers:
            listed = ",".join(str(n) for n in numbers)
            lines.append(f"  linkStyle {listed} stroke:{colours[kind]},stroke-width:3px")
    return "\n".join(lines) + "\n"


def _mermaid_text(text: str) -> str:
    out = []
    for ch in text:
        if ch in '"#<>&`' or ch in "\n\r":
            out.append(f"#{ord(ch)};" if ch not in "\n\r" else " ")
        else:
            out.append(ch)
    return "".join(out)


def _columns(picture: Picture) -> list[list[str]]:
    """Nodes by layer; within a layer, ordered by where their sources sit (fewer crossings)."""
    layer = _layers(picture)
    columns: list[list[str]] = [[] for _ in range(max(layer.values(), default=0) + 1)]
    for n in picture.nodes:
        columns[layer[n]].append(n)
    sources: dict[str, list[str]] = {}
    for e in picture.edges:
        sources.setdefault(e.target, []).append(e.source)
    row: dict[str, int] = {n: i for i, n in enumerate(columns[0])}
    for column in columns[1:]:

        def centre(n: str) -> tuple[float, str]:
            placed = [row[s] for s in sources.get(n, ()) if s in row]
            return (sum(placed) / len(placed) if placed else float("inf"), n)

        column.sort(key=centre)
        row.update({n: i for i, n in enumerate(column)})
    return columns


def svg(picture: Picture) -> str:
    """An inline SVG of the picture: columns by layer, crossing edges in colour, with a legend."""
    columns = _columns(picture)
    node_w = int(16 + _CHAR_W * max((len(n) for n in picture.nodes), default=10))
    pos: dict[str, tuple[int, int]] = {}
    for col, names in enumerate(columns):
        for row, n in enumerate(names):
            pos[n] = (_PAD + col * (node_w + _GAP_X), _PAD + 24 + row * (_NODE_H + _GAP_Y))
    width = _PAD * 2 + max(len(columns), 1) * (node_w + _GAP_X) - _GAP_X
    rows = max((len(v) for v in columns), default=0)
    height = _PAD * 2 + 24 + rows * (_NODE_H + _GAP_Y)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="lineage" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'aria-label="lineage graph">',
        "<defs>",
        *(
            f'<marker id="arrow-{k}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" '
            'markerHeight="9" markerUnits="userSpaceOnUse" orient="auto">'
            f'<path d="M0,0 L10,5 L0,10 z" class="edge-{k}-head"/></marker>'
            for k in ("plain", "env", "domain")
        ),
        "</defs>",
        f'<text x="{_PAD}" y="{_PAD + 8}" class="legend">'
        '<tspan class="legend-env">&#9632; crosses environments</tspan>'
        '<tspan dx="18" class="legend-domain">&#9632; crosses domains</tspan>'
        '<tspan dx="18" class="legend-plain">&#9632; within a domain</tspan></text>',
    ]
    for e in picture.edges:
        (x1, y1), (x2, y2) = pos[e.source], pos[e.target]
        kind = _style(e)
        title = html.escape(f"{e.source} -> {e.target} ({e.events} events)", quote=True)
        if e.source == e.target:
            d = f"M{x1 + node_w - 20},{y1} c30,-30 50,10 20,{_NODE_H}"
        else:
            sx, sy, tx, ty = x1 + node_w, y1 + _NODE_H // 2, x2, y2 + _NODE_H // 2
            if tx <= sx:  # same or earlier column: go around below
                tx, ty = x2 + node_w // 2, y2 + _NODE_H
            mid = (sx + tx) // 2
            d = f"M{sx},{sy} C{mid},{sy} {mid},{ty} {tx},{ty}"
        parts.append(
            f'<path d="{d}" class="edge edge-{kind}" marker-end="url(#arrow-{kind})">'
            f"<title>{title}</title></path>"
        )
    for n in picture.nodes:
        x, y = pos[n]
        parts.append(
            f'<g class="node"><rect x="{x}" y="{y}" width="{node_w}" height="{_NODE_H}" rx="4"/>'
            f'<text x="{x + 8}" y="{y + 17}">{html.escape(n)}</text>'
            f"<title>{html.escape(n)}</title></g>"
        )
    parts.append("</svg>")
    return "\n".join(parts)
