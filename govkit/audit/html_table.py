"""The HTML report's tables: every value escaped, each table with its filter box."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence


def escape(value: object) -> str:
    """A value as HTML text; None as nothing, a bool as yes or no."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return html.escape(str(value), quote=True)


class Tables:
    """Numbers the tables of one document, so that each filter box finds its table."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(
        self, headers: Sequence[str], rows: Iterable[Sequence[object]], label: str
    ) -> list[str]:
        body = []
        for row in rows:
            cells = "".join(
                f'<td class="num">{v}</td>'
                if isinstance(v, int | float) and not isinstance(v, bool)
                else f'<td class="{_sev(v, h)}">{escape(v)}</td>'
                if h == "severity"
                else f"<td>{escape(v)}</td>"
                for h, v in zip(headers, row, strict=True)
            )
            body.append(f"<tr>{cells}</tr>")
        if not body:
            return ["<p>None.</p>"]
        self.count += 1
        tid = f"t{self.count}"
        head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
        return [
            f'<input class="filter" type="search" data-table="{tid}" '
            f'placeholder="Filter {escape(label)}" aria-label="Filter {escape(label)}">',
            f'<div class="scroll"><table class="data" id="{tid}"><thead><tr>{head}</tr></thead>',
            "<tbody>",
            *body,
            "</tbody></table></div>",
        ]


def _sev(value: object, header: str) -> str:
    return f"sev-{value}" if header == "severity" else ""
