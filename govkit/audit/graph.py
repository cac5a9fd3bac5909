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
_NODE_W, _NODE_H, _GAP_X, _GAP_Y, _PAD = 250, 26, 70, 12, 16


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


def svg(picture: Picture) -> str:
    """An inline SVG of the picture: columns by layer, crossing edges in colour, with a legend."""
    layer = _layers(picture)
    columns: dict[int, list[str]] = {}
    for n in picture.nodes:
        columns.setdefault(layer[n], []).append(n)
    pos: dict[str, tuple[int, int]] = {}
    for col, names in sorted(columns.items()):
        for row, n in enumerate(names):
            pos[n] = (_PAD + col * (_NODE_W + _GAP_X), _PAD + 24 + row * (_NODE_H + _GAP_Y))
    width = _PAD * 2 + max(len(columns), 1) * (_NODE_W + _GAP_X) - _GAP_X
    rows = max((len(v) for v in columns.values()), default=0)
    height = _PAD * 2 + 24 + rows * (_NODE_H + _GAP_Y)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="lineage" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'aria-label="lineage graph">',
        "<defs>",
        *(
            f'<marker id="arrow-{k}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
            f'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" class="edge-{k}-head"/>'
            "</marker>"
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
            d = f"M{x1 + _NODE_W - 20},{y1} c30,-30 50,10 20,{_NODE_H}"
        else:
            sx, sy, tx, ty = x1 + _NODE_W, y1 + _NODE_H // 2, x2, y2 + _NODE_H // 2
            if tx <= sx:  # same or earlier column: go around below
                tx, ty = x2 + _NODE_W // 2, y2 + _NODE_H
            mid = (sx + tx) // 2
            d = f"M{sx},{sy} C{mid},{sy} {mid},{ty} {tx},{ty}"
        parts.append(
            f'<path d="{d}" class="edge edge-{kind}" marker-end="url(#arrow-{kind})">'
            f"<title>{title}</title></path>"
        )
    for n in picture.nodes:
        x, y = pos[n]
        label = n if len(n) <= 38 else n[:36] + "…"
        parts.append(
            f'<g class="node"><rect x="{x}" y="{y}" width="{_NODE_W}" height="{_NODE_H}" rx="4"/>'
            f'<text x="{x + 8}" y="{y + 17}">{html.escape(label)}</text>'
            f"<title>{html.escape(n)}</title></g>"
        )
    parts.append("</svg>")
    return "\n".join(parts)
