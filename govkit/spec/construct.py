"""A small YAML constructor over PyYAML's C-composed node tree.

PyYAML's generic constructor is most of the cost of loading a large spec. Spec files hold only
mappings, sequences and plain scalars, so a direct walk over the nodes builds the same values in
about half the time, and refuses duplicate keys and alias bombs on the way.
"""

from __future__ import annotations

from typing import Any

import yaml

STR = "tag:yaml.org,2002:str"
MAP = "tag:yaml.org,2002:map"
SEQ = "tag:yaml.org,2002:seq"
MERGE = "tag:yaml.org,2002:merge"
# Values an alias may expand to, in nodes; a "billion laughs" file stops here.
MAX_EXPANDED_NODES = 5_000_000


class DuplicateKey(yaml.MarkedYAMLError):
    pass


class Construct:
    """Builds Python values from one document's node tree."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader
        self.memo: dict[int, tuple[Any, int]] = {}
        self.expanded = 0

    def value(self, node: yaml.Node) -> Any:
        if type(node) is yaml.ScalarNode:
            self.expanded += 1
            if node.tag == STR:
                return node.value
            return self._scalar(node)
        found = self.memo.get(id(node))
        if found is not None:  # an alias: share the value, count its size
            self.expanded += found[1]
            if self.expanded > MAX_EXPANDED_NODES:
                raise yaml.constructor.ConstructorError(
                    None, None, "aliases expand to too many nodes", node.start_mark
                )
            return found[0]
        before = self.expanded
        result = self._mapping(node) if type(node) is yaml.MappingNode else self._sequence(node)
        self.memo[id(node)] = (result, self.expanded - before)
        return result

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        constructor = self.loader.yaml_constructors.get(node.tag)
        if constructor is None:
            raise yaml.constructor.ConstructorError(
                None, None, f"unsupported tag {node.tag!r}", node.start_mark
            )
        return constructor(self.loader, node)

    def _sequence(self, node: yaml.Node) -> list[Any]:
        if node.tag != SEQ:
            raise yaml.constructor.ConstructorError(
                None, None, f"unsupported tag {node.tag!r}", node.start_mark
            )
        self.expanded += 1
        self.memo[id(node)] = ([], 0)  # a recursive alias sees an empty list, never loops
        return [self.value(child) for child in node.value]

    def _mapping(self, node: yaml.Node) -> dict[Any, Any]:
        if node.tag != MAP:
            raise yaml.constructor.ConstructorError(
                None, None, f"unsupported tag {node.tag!r}", node.start_mark
            )
        self.expanded += 1
        if any(k.tag == MERGE for k, _ in node.value):
            self.loader.flatten_mapping(node)
        out: dict[Any, Any] = {}
        self.memo[id(node)] = (out, 0)
        for key_node, value_node in node.value:
            key = self.value(key_node)
            try:
                duplicate = key in out
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark
                ) from None
            if duplicate:
                raise DuplicateKey(
                    problem=f"duplicate key {key!r}", problem_mark=key_node.start_mark
                )
            out[key] = self.value(value_node)
        return out


def load_document(text: str, loader_class: Any) -> Any:
    """Parse one YAML document with `loader_class` (C parser) and construct it."""
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        return None if node is None else Construct(loader).value(node)
    finally:
        loader.dispose()


_RESOLVER = yaml.resolver.Resolver()


def plain_reads_as_string(text: str) -> bool:
    """Whether `text`, written as a plain scalar, is read back as that string. YAML 1.1, which
    the spec loader reads, takes `yes`, `on`, `off`, `12`, `~` and `1e3` for other values; a
    YAML 1.2 writer (ruamel.yaml) leaves most of them unquoted."""
    # PyYAML is untyped
    tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return bool(tag == STR)
