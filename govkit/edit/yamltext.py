"""YAML text for new spec files: block style, one flow line per grant, comments where wanted.

Written by hand rather than by a YAML library: PyYAML emits no comments and ruamel.yaml is too
slow for an estate of 100k securables. Every string is either a plain scalar that the spec
loader reads back as that same string, or a double-quoted scalar with every character that
could change its meaning escaped, so that names with unicode, quotes or YAML look-alikes
(`yes`, `1e3`, `null`, `- x`) load back identical.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from govkit.diagnostics import Path
from govkit.spec.construct import plain_reads_as_string

# Plain only when made of these and read back as a string by the resolver (`yes`, `12`, `~`
# and `1e3` are not); anything else is double-quoted.
_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.@/+-]*\Z")
# What a double-quoted YAML scalar may hold verbatim (YAML 1.1 printable, minus the line
# breaks NEL, LS, PS and the byte-order mark, which readers treat specially).
_VERBATIM = re.compile(
    r"[\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\x00": "\\0"}
# A YAML implicit key must fit in 1024 characters; longer ones are written as `? key`.
_MAX_IMPLICIT_KEY = 1000

Comments = Mapping[Path, Sequence[str]]
# The indentation written here (mapping, sequence, dash offset): import edits only files in it.
STYLE = (2, 4, 2)


def is_plain(text: str) -> bool:
    return bool(_PLAIN.match(text)) and plain_reads_as_string(text)


def _escape(char: str) -> str:
    if char in _ESCAPES:
        return _ESCAPES[char]
    if _VERBATIM.match(char):
        return char
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def quoted(text: str) -> str:
    """`text` as a double-quoted scalar: one line, every special character escaped."""
    return '"' + "".join(_escape(c) for c in text) + '"'


def scalar(value: Any) -> str:
    """One scalar: strings plain or quoted, booleans, integers and dates as YAML writes them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None:
        return "null"
    text = str(value)
    found = _SCALARS.get(text)
    if found is None:
        # Names and privileges repeat across thousands of grants: decide each once.
        found = text if is_plain(text) else quoted(text)
        if len(_SCALARS) < 100_000:
            _SCALARS[text] = found
    return found


_SCALARS: dict[str, str] = {}


def comment_text(text: str) -> str:
    """A comment line's text: one line, no control characters, whatever names it quotes."""
    return "".join(c if c.isprintable() else quoted(c)[1:-1] for c in text)


def _flat_key(value: Mapping[Any, Any]) -> tuple[Any, ...] | None:
    """A hashable key for a grant-like mapping of strings and lists of strings, else None."""
    key: list[tuple[Any, Any]] = []
    for k, v in value.items():
        if type(v) is str:
            key.append((k, v))
        elif type(v) is list and all(type(x) is str for x in v):
            key.append((k, tuple(v)))
        else:
            return None
    return tuple(key)


_FLOWS: dict[tuple[Any, ...], str] = {}


def _flow(value: Any) -> str:
    if isinstance(value, Mapping):
        # The same grant (principal and privileges) repeats on thousands of tables.
        key = _flat_key(value)
        if key is not None:
            found = _FLOWS.get(key)
            if found is None:
                found = "{" + ", ".join(f"{scalar(k)}: {_flow(v)}" for k, v in value.items()) + "}"
                if len(_FLOWS) < 100_000:
                    _FLOWS[key] = found
            return found
        return "{" + ", ".join(f"{scalar(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return scalar(value)


def _is_flat(value: Any) -> bool:
    """A grant or a waiver: written on one line as a flow mapping."""
    return isinstance(value, Mapping) and all(
        not isinstance(v, Mapping) or not v for v in value.values()
    )


Positions = dict[Path, tuple[int, int]]


class _Writer:
    def __init__(self, comments: Comments) -> None:
        self.comments = comments
        self.lines: list[str] = []
        # Where each key and list item starts (1-based line, column), for diagnostics.
        self.positions: Positions = {}

    def comment(self, path: Path, indent: str) -> None:
        for line in self.comments.get(path, ()):
            self.lines.append(f"{indent}# {comment_text(line)}".rstrip())

    def mapping(self, value: Mapping[Any, Any], path: Path, indent: str) -> None:
        for key, item in value.items():
            here = (*path, key)
            self.comment(here, indent)
            name = scalar(key)
            self.positions[here] = (len(self.lines) + 1, len(indent) + 1)
            if len(name) > _MAX_IMPLICIT_KEY:
                self.lines.append(f"{indent}? {name}")
                name = ""
            self.entry(f"{indent}{name}:", item, here, indent)

    def entry(self, head: str, item: Any, path: Path, indent: str) -> None:
        inner = indent + "  "
        if isinstance(item, Mapping) and item:
            self.lines.append(head)
            self.mapping(item, path, inner)
        elif (
            isinstance(item, list | tuple)
            and item
            and not all(not isinstance(v, Mapping | list | tuple) for v in item)
        ):
            self.lines.append(head)
            for i, element in enumerate(item):
                at: Path = (*path, i)
                self.comment(at, inner)
                self.positions[at] = (len(self.lines) + 1, len(inner) + 3)
                if _is_flat(element):
                    self.lines.append(f"{inner}- {_flow(element)}")
                else:
                    self.lines.append(f"{inner}-")
                    self.mapping(element, at, inner + "  ")
        else:
            self.lines.append(f"{head} {_flow(item)}")


def render_with_positions(
    document: Mapping[str, Any], comments: Comments | None = None
) -> tuple[str, Positions]:
    """A spec file's text, and where each key and list item of it starts."""
    writer = _Writer(comments or {})
    writer.comment((), "")
    writer.mapping(document, (), "")
    return "\n".join(writer.lines) + "\n", writer.positions


def render(document: Mapping[str, Any], comments: Comments | None = None) -> str:
    """A spec file's text: comments at `()` head the file, the others sit above their key."""
    return render_with_positions(document, comments)[0]


class RenderedIndex:
    """Positions in files this module wrote (no parsing); other files through `fallback`."""

    def __init__(self, positions: Mapping[str, Positions], fallback: Any) -> None:
        self.positions = positions
        self.fallback = fallback

    def position(self, file: str, path: Path, at_key: bool = False) -> tuple[int, int]:
        found = self.positions.get(file)
        if found is None:
            result: tuple[int, int] = self.fallback.position(file, path, at_key)
            return result
        for end in range(len(path), 0, -1):
            if path[:end] in found:
                return found[path[:end]]
        return (1, 1)
