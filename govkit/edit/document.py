"""One spec file as a ruamel.yaml round-trip document: comments, key order, quoting, blank lines.

A file is edited only when ruamel.yaml reproduces it byte for byte before any change (with the
file's own indentation, found by trying the usual styles); otherwise the edit is refused with the
reason, never made with a reformatted file. Nodes that YAML anchors share are refused too:
editing one would silently edit every alias of it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.representer import RoundTripRepresenter

from govkit.spec.construct import plain_reads_as_string

# (mapping indent, sequence indent, dash offset): `- ` under its key, indented or not.
_STYLES = ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4), (4, 4, 0), (3, 5, 3))
_WIDTH = 1 << 16  # never re-wrap a long line


class EditRefused(Exception):
    """An edit govkit will not make; the message names the file and says why."""

    def __init__(self, file: str, message: str, hint: str = "") -> None:
        super().__init__(f"{file}: {message}" + (f" (hint: {hint})" if hint else ""))
        self.file = file


class _Representer(RoundTripRepresenter):  # type: ignore[misc]  # untyped base
    """ruamel.yaml's, except that a new string the spec loader (YAML 1.1) would read as another
    value is quoted: ruamel.yaml writes YAML 1.2, where `yes`, `on` and `off` need no quotes."""

    def represent_str(self, data: str) -> Any:
        if plain_reads_as_string(data):
            return super().represent_str(data)
        return self.represent_scalar("tag:yaml.org,2002:str", data, style="'")


_Representer.add_representer(str, _Representer.represent_str)


def round_trip(style: tuple[int, int, int], aliases: bool = True) -> YAML:
    """ruamel.yaml as every spec edit uses it: quotes kept, no line re-wrapped, in `style`.

    Without `aliases`, a value that several new nodes share (one expiry date on many waivers)
    is written out at each, never as a YAML anchor and aliases.
    """
    y = YAML(typ="rt")
    y.Representer = _Representer
    y.preserve_quotes = True
    y.width = _WIDTH
    y.indent(mapping=style[0], sequence=style[1], offset=style[2])
    if not aliases:
        y.representer.ignore_aliases = lambda data: True
    return y


def to_text(y: YAML, data: Any) -> str:
    """`data` as `y` writes it."""
    out = io.StringIO()
    y.dump(data, out)
    return out.getvalue()


@dataclass
class Document:
    """A parsed spec file that dumps back to exactly its text until it is changed."""

    file: str
    original: str
    data: CommentedMap
    _yaml: YAML

    def text(self) -> str:
        """The document as text now (the original text when nothing changed)."""
        return to_text(self._yaml, self.data)

    @property
    def faithful(self) -> bool:
        """Whether the document, as loaded, writes back as exactly its original text."""
        return self.text() == self.original

    def shared_nodes(self) -> set[int]:
        """Ids of mappings and sequences reachable more than once (YAML aliases)."""
        seen: set[int] = set()
        shared: set[int] = set()
        stack: list[Any] = [self.data]
        while stack:
            node = stack.pop()
            if not isinstance(node, CommentedMap | CommentedSeq):
                continue
            if id(node) in seen:  # an alias: counted, not walked again (cycles end here)
                shared.add(id(node))
                continue
            seen.add(id(node))
            stack.extend(node.values() if isinstance(node, CommentedMap) else node)
        return shared

    def check_editable(self, chain: list[Any], what: str) -> None:
        """Refuse to change the last node of `chain` (root first) when an anchor shares it."""
        shared = self.shared_nodes()
        for node in chain:
            anchor = getattr(node, "anchor", None)
            named = anchor is not None and anchor.value is not None
            if id(node) in shared or named:
                raise EditRefused(
                    self.file,
                    f"{what} is inside a YAML anchor or alias; editing it would change every "
                    "place that refers to it",
                    "write that part out without `&anchor`/`*alias`, then run the command again",
                )


def load(file: str, text: str, style: tuple[int, int, int], aliases: bool = True) -> Document:
    """`text` as a document in `style`, faithful or not: the caller asks `faithful` before it
    writes the document back (import reads every file, and refuses to edit an unfaithful one)."""
    y = round_trip(style, aliases)
    return Document(file, text, y.load(text), y)


def parse(file: str, text: str, prefer: tuple[int, int, int] | None = None) -> Document:
    """Parse `text` for editing, or refuse when it would not come back byte for byte.

    Styles are tried in order: `prefer` (the whole file's, for a part of it), the one `text`
    itself suggests, then the usual ones; the first that reproduces `text` is the one new
    content is written in.
    """
    problem = ""
    guess = _guess_style(text)
    order = [prefer] if prefer is not None else []
    order += [guess, *_STYLES]
    for style in dict.fromkeys(order):
        y = round_trip(style)
        try:
            data = y.load(text)
        except YAMLError as exc:
            raise EditRefused(file, f"not valid YAML: {exc}".splitlines()[0]) from None
        if not isinstance(data, CommentedMap):
            raise EditRefused(file, "the top level is not a mapping")
        try:
            again = to_text(y, data)
        except YAMLError as exc:  # ruamel cannot write back what it read
            problem = str(exc).splitlines()[0]
            continue
        if again == text:
            return Document(file, text, data, y)
        problem = _first_difference(text, again)
    raise EditRefused(
        file,
        f"ruamel.yaml cannot write this file back unchanged ({problem}); govkit does not "
        "reformat a file to edit it",
        "use one indentation style throughout (2 spaces, `- ` under its key or indented by 2), "
        "or make this change by hand",
    )


def _guess_style(text: str) -> tuple[int, int, int]:
    """The style of the first nested block mapping and block sequence, so one try is enough."""
    mapping, offset = 2, None
    previous: tuple[int, str] | None = None
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(stripped)
        if previous is not None and previous[1].endswith(":") and indent > previous[0]:
            if stripped.startswith("- ") and offset is None:
                offset = indent - previous[0]
            elif not stripped.startswith("- ") and mapping == 2:
                mapping = indent - previous[0]
        previous = (indent, stripped.split(" #")[0].rstrip())
    offset = 0 if offset is None else offset
    return (mapping, offset + 2, offset)


def empty(file: str, style: tuple[int, int, int]) -> Document:
    """A new, empty document written in `style` (mapping indent, sequence indent, offset)."""
    return Document(file, "", CommentedMap(), round_trip(style))


def style_of(text: str) -> tuple[int, int, int]:
    """The indentation style a file appears to use (see `_guess_style`)."""
    return _guess_style(text)


def _first_difference(before: str, after: str) -> str:
    pairs = zip(before.splitlines(), after.splitlines(), strict=False)
    for number, (a, b) in enumerate(pairs, start=1):
        if a != b:
            return f"line {number} would become {b.strip()!r}"
    return "the end of the file would change"
