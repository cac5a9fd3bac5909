"""New nodes in a round-trip document, and list items taken out of one without their neighbours'
comments.

New strings are written by one of two rules. Plain Python strings go through the document's
representer (`document.py`), which quotes only what the spec loader (YAML 1.1) would read as
another value: request and revoke write so. `text` and the nodes built from it quote by the rule
of new files (`yamltext`), so that what import adds to a file reads like the files it writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarstring import DoubleQuotedScalarString
from ruamel.yaml.tokens import CommentToken

from govkit.edit.yamltext import comment_text, is_plain


def text(value: str) -> str:
    """A new string, double-quoted unless `yamltext` would write it plain."""
    return value if is_plain(value) else DoubleQuotedScalarString(value)


def node(value: Any, flow: bool = False) -> Any:
    """A round-trip node for a new value; `flow` writes mappings and lists on one line."""
    if isinstance(value, Mapping):
        out = CommentedMap((text(str(k)), node(v, True)) for k, v in value.items())
        if flow or not value:
            out.fa.set_flow_style()
        return out
    if isinstance(value, list | tuple):
        seq = CommentedSeq(node(v, True) for v in value)
        if all(not isinstance(v, Mapping | list | tuple) for v in value):
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, str):
        return text(value)
    return value


def block(value: Mapping[str, Any]) -> CommentedMap:
    """A mapping written in block style whose values are flow nodes (a schema, a principal)."""
    out = CommentedMap()
    for k, v in value.items():
        out[text(k)] = block(v) if isinstance(v, Mapping) and v and k != "waivers" else node(v)
    if not value:
        out.fa.set_flow_style()
    return out


def flow_list(values: list[Any]) -> CommentedSeq:
    """A list written on one line, its strings as they are (the representer quotes them)."""
    seq = CommentedSeq(values)
    seq.fa.set_flow_style()
    return seq


def comment_above(mapping: CommentedMap, key: str, line: str, indent: int) -> None:
    """A comment line above `key` of `mapping`, at column `indent`."""
    mapping.yaml_set_comment_before_after_key(key, before=comment_text(line), indent=indent)


def _last_comment(value: Any) -> tuple[Any, Any] | None:
    """(holder, key) whose comment slot holds the lines after a block node: its last key's.

    The slot is `holder.ca.items[key][_AFTER[type(holder)]]`.
    """
    while isinstance(value, CommentedMap | CommentedSeq) and value and not value.fa.flow_style():
        key = next(reversed(value)) if isinstance(value, CommentedMap) else len(value) - 1
        inner = value[key]
        if isinstance(inner, CommentedMap | CommentedSeq) and inner and not inner.fa.flow_style():
            value = inner
            continue
        return value, key
    return None


_AFTER = {CommentedMap: 2, CommentedSeq: 0}


def _after(holder: Any, key: Any) -> tuple[list[Any], int]:
    slot = holder.ca.items.setdefault(key, [None, None, None, None])
    return slot, _AFTER[CommentedMap if isinstance(holder, CommentedMap) else CommentedSeq]


def delete_item(seq: CommentedSeq, index: int) -> None:
    """Delete `seq[index]` with the comments above it, keeping those above the item after it.

    ruamel.yaml keeps the lines between a block mapping and the next list item (blank lines,
    the next item's comment) in the comment slot of the mapping's last key, so a plain `del`
    takes them along. They are cut off that slot and put back: above the next item, or, when
    the last item goes, after the one that is last now.
    """
    found = _last_comment(seq[index])
    token = None
    if found is not None and found[1] in found[0].ca.items:
        slot, at = _after(*found)
        token = slot[at]
    carried = token.value.partition("\n")[2] if isinstance(token, CommentToken) else ""
    del seq[index]
    if not carried:
        return
    if index < len(seq):
        before = seq.ca.items.setdefault(index, [None, [], None, None])
        before[1] = [CommentToken(carried, CommentMark(0), None), *(before[1] or [])]
        return
    after = _last_comment(seq[index - 1]) if index > 0 else None
    if after is None:
        return  # the list is empty now, and goes with its key
    slot, at = _after(*after)
    own = slot[at].value if isinstance(slot[at], CommentToken) else "\n"
    slot[at] = CommentToken(own + carried, CommentMark(0), None)
