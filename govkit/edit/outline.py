"""Where things are in a domain file, from PyYAML's C composer: fast on a file of any size.

An edit of grants touches one `grants:` entry of one securable. Its lines are cut out, edited as
a small round-trip document and put back, so that a 500 kB domain file is never round-tripped
through ruamel.yaml as a whole. Values read here (`plain`) are scalars as text, for lookups only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from govkit.diagnostics import Path
from govkit.edit.document import EditRefused
from govkit.edit.grants import Target
from govkit.spec.loader import SpecLoader

_NULL = "tag:yaml.org,2002:null"


def plain(node: yaml.Node | None) -> Any:
    """A node as dicts, lists and strings (None for null): enough to read grants."""
    if node is None:
        return None
    if isinstance(node, yaml.MappingNode):
        return {str(plain(k)): plain(v) for k, v in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [plain(v) for v in node.value]
    return None if node.tag == _NULL else node.value


def _get(node: yaml.Node | None, key: str) -> tuple[yaml.Node | None, yaml.Node | None]:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return k, v
    return None, None


@dataclass(frozen=True)
class Span:
    """Lines [start, end) of the file that hold a securable's `grants:` (empty: insert there)."""

    start: int
    end: int
    column: int


class Outline:
    """A domain file's node tree with positions, composed once."""

    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.text = text
        try:
            root = yaml.compose(text, Loader=SpecLoader)
        except yaml.YAMLError as exc:
            raise EditRefused(file, f"not valid YAML: {str(exc).splitlines()[0]}") from None
        if not isinstance(root, yaml.MappingNode):
            raise EditRefused(file, "the top level is not a mapping")
        self.root: yaml.MappingNode = root

    def owner(self, target: Target) -> str | None:
        """The securable's declared `owner:`, or the nearest ancestor's (as it is inherited)."""
        for node in reversed(self.nodes(target)):
            value = plain(_get(node, "owner")[1])
            if isinstance(value, str):
                return value
        return None

    def nodes(self, target: Target) -> list[yaml.Node | None]:
        """The securable's node and its ancestors' nodes, catalog first."""
        out: list[yaml.Node | None] = [self.root]
        steps = (("schemas", target.schema, "schema"), ("tables", target.table, "table"))
        for key, name, what in steps:
            if name is None:
                break
            _, section = _get(out[-1], key)
            _, node = _get(section, name)
            if node is None:
                known = sorted(plain(section) or ()) if section is not None else []
                raise EditRefused(
                    self.file,
                    f"no {what} {name!r} in domain {target.domain}",
                    f"known {what}s: {', '.join(known) or 'none'}",
                )
            out.append(node)
        return out

    def grants(self, target: Target) -> list[list[Any]]:
        """The plain grant entries of the securable and each ancestor, catalog first."""
        return [plain(_get(n, "grants")[1]) or [] for n in self.nodes(target)]

    def span(self, target: Target) -> Span | None:
        """The lines of the securable's `grants:`; None when its mapping is not in block style."""
        node = self.nodes(target)[-1]
        if not isinstance(node, yaml.MappingNode) or node.flow_style or not node.value:
            return None
        column = node.value[0][0].start_mark.column
        keys = [k for k, _ in node.value]
        key, value = _get(node, "grants")
        if key is None:
            follows = "schemas" if target.schema is None else "tables"
            at, _ = _get(node, follows)
            line = at.start_mark.line if at is not None else self._after(node.value[-1][1])
            return Span(line, line, column)
        index = keys.index(key)
        end = keys[index + 1].start_mark.line if index + 1 < len(keys) else self._after(value)
        return Span(key.start_mark.line, self._trimmed(end, key), column)

    def removal_lines(self, grants_path: Path, indexes: list[int]) -> list[tuple[int, int]] | None:
        """Line ranges that remove entries `indexes` of the block list at `grants_path`.

        Removing whole lines keeps every other line exactly as written, whatever its style.
        When every entry goes, so does the `grants:` key. None when the list is in flow style.
        """
        owner: yaml.Node | None = self.root
        for step in grants_path[:-1]:
            owner = _get(owner, str(step))[1]
        key, seq = _get(owner, str(grants_path[-1]))
        if key is None or not isinstance(seq, yaml.SequenceNode) or seq.flow_style:
            return None
        ends = [*(item.start_mark.line for item in seq.value[1:]), self._after(seq)]
        ranges = [
            (seq.value[i].start_mark.line, self._trimmed(ends[i], seq.value[i])) for i in indexes
        ]
        if len(set(indexes)) == len(seq.value):
            return [(key.start_mark.line, max(end for _, end in ranges))]
        return ranges

    def _trimmed(self, end: int, item: yaml.Node) -> int:
        lines = self.text.splitlines(keepends=True)
        while end > item.start_mark.line + 1 and lines[end - 1].strip()[:1] in ("", "#"):
            end -= 1  # comments above the next entry stay with it
        return end

    def _after(self, node: yaml.Node | None) -> int:
        """The first line after `node`'s content."""
        if node is None:
            return 0
        mark = node.end_mark
        block = isinstance(node, yaml.CollectionNode) and not node.flow_style
        # A block collection ends where the next token starts: on a later line, never its own.
        return mark.line if block or mark.column == 0 else mark.line + 1


def without_lines(text: str, ranges: list[tuple[int, int]]) -> str:
    """`text` without the lines of `ranges` ([start, end) each, not overlapping)."""
    lines = text.splitlines(keepends=True)
    for start, end in sorted(ranges, reverse=True):
        del lines[start:end]
    return "".join(lines)


def cut(text: str, span: Span) -> str | None:
    """The span's lines without their indentation, or None when a line is less indented."""
    lines = text.splitlines(keepends=True)[span.start : span.end]
    out = []
    for line in lines:
        if not line.strip():
            out.append(line.lstrip(" \t") if line.strip(" \t") in ("\n", "") else line)
            continue
        if len(line) - len(line.lstrip(" ")) < span.column:
            return None
        out.append(line[span.column :])
    return "".join(out)


def paste(text: str, span: Span, fragment: str) -> str:
    """`text` with the span's lines replaced by `fragment`, indented back to the span's column."""
    lines = text.splitlines(keepends=True)
    pad = " " * span.column
    indented = [pad + line if line.strip() else line for line in fragment.splitlines(keepends=True)]
    return "".join([*lines[: span.start], *indented, *lines[span.end :]])
