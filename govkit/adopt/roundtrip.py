"""Round-trip edits of existing spec files (ruamel.yaml): comments, order and quoting kept.

Small on purpose: load a file, build new nodes that the spec loader (PyYAML, YAML 1.1) reads
back as written, put a comment above a key, dump. New strings are quoted by the same rule as
new files (`yamltext`), because ruamel.yaml writes YAML 1.2, where `yes` needs no quotes.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from govkit.adopt.yamltext import comment_text, is_plain
from govkit.edit.document import round_trip, to_text

# The indentation `yamltext` writes: a file in any other is refused, never reformatted.
STYLE = (2, 4, 2)


def _yaml() -> YAML:
    yaml = round_trip(STYLE)
    # One expiry date shared by many new waivers must not become a YAML anchor and aliases.
    yaml.representer.ignore_aliases = lambda data: True
    return yaml


def load(path: Path) -> Any:
    """One spec file as ruamel.yaml's round-trip value."""
    return _yaml().load(path.read_bytes().decode("utf-8").lstrip("\ufeff"))


def dump(document: Any) -> str:
    return to_text(_yaml(), document)


def text(value: str) -> str:
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


def comment_above(mapping: CommentedMap, key: str, line: str, indent: int) -> None:
    mapping.yaml_set_comment_before_after_key(key, before=comment_text(line), indent=indent)
