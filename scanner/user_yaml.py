"""The user's YAML files (policy, baseline) read as untrusted input.

PyYAML's safe loader still lets a small file do damage: aliases expand a 1 kB "billion laughs"
document into billions of nodes the moment anything walks it, deep nesting ends in a
RecursionError, a duplicate key silently keeps the last value (a second `expires:` renews an
expired acceptance), and implicit timestamps turn `2027-02-30` into a ValueError. This loader
bounds all of that and turns every defect into an InputError naming the file and the line:

- at most MAX_BYTES of UTF-8 text, MAX_DEPTH nested collections, and MAX_NODES nodes with every
  alias counted as the nodes it stands for (a recursive alias is refused);
- a key given twice in one mapping is an error (merge keys, `<<: *base`, may still be overridden);
- no implicit timestamps: `2027-06-30` is the string it looks like, and the caller parses the
  dates it needs; an out-of-range value (`!!int` of 5,000 digits) is an error at its line;
- scalars under a key of `text_keys` (the policy's `tags`) are kept as their source text, so a tag
  selector `true`, `1234` or `2027-02-30` matches the tag value with that text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.error import Mark, MarkedYAMLError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from scanner.errors import InputError, shown

MAX_BYTES = 1024 * 1024  # a policy of thousands of zones; PyYAML reads about 100 kB a second on a busy machine
MAX_DEPTH = 32
MAX_NODES = 200_000

_STR_TAG = "tag:yaml.org,2002:str"
_NULL_TAG = "tag:yaml.org,2002:null"
_MERGE_TAG = "tag:yaml.org,2002:merge"
# Not resolved implicitly: timestamps (see above) and YAML 1.1's `=` "value" key, which the safe
# constructor cannot build anyway.
_UNRESOLVED = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:value"}


class _Refused(MarkedYAMLError):
    """A document this loader refuses (a bound crossed, a duplicate key, an unreadable value)."""

    def __init__(self, problem: str, mark: Mark) -> None:
        super().__init__(problem=problem, problem_mark=mark)


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader with the bounds above. One instance reads one document."""

    yaml_implicit_resolvers = {
        first: [(tag, pattern) for tag, pattern in resolvers if tag not in _UNRESOLVED]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._expanded: dict[int, int] = {}  # id(node) -> nodes it stands for, once composed

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            node = super().compose_node(parent, index)
            if id(node) not in self._expanded:
                raise _Refused(f"recursive alias *{event.anchor}", event.start_mark)
            return node
        collection = isinstance(event, yaml.CollectionStartEvent)
        if collection and self._depth >= MAX_DEPTH:
            raise _Refused(f"nested deeper than {MAX_DEPTH} levels", event.start_mark)
        self._depth += collection
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= collection
        self._count(node)
        return node

    def _count(self, node: Node) -> None:
        children: list[Node] = []
        if isinstance(node, SequenceNode):
            children = node.value
        elif isinstance(node, MappingNode):
            children = [child for pair in node.value for child in pair]
        size = 1 + sum(self._expanded[id(child)] for child in children)
        if size > MAX_NODES:
            raise _Refused(f"more than {MAX_NODES:,} values once aliases are expanded", node.start_mark)
        self._expanded[id(node)] = size

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError, TypeError) as exc:  # int/float conversions of absurd values
            raise _Refused(f"cannot read this value ({exc})", node.start_mark) from None

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, MappingNode):
            _reject_duplicate_keys(self, node)
        return super().construct_mapping(node, deep)


def _reject_duplicate_keys(loader: _BoundedLoader, node: MappingNode) -> None:
    first_line: dict[Any, int] = {}
    for key_node, _ in node.value:
        if key_node.tag == _MERGE_TAG:
            continue  # `<<: *base`: explicit keys override merged ones, as YAML intends
        key = loader.construct_object(key_node)
        try:
            earlier = first_line.get(key)
        except TypeError:
            continue  # an unhashable key: the constructor reports it
        if earlier is not None:
            raise _Refused(f"duplicate key {shown(key)} (first given on line {earlier + 1})", key_node.start_mark)
        first_line[key] = key_node.start_mark.line


def _as_text_under(node: Node, keys: frozenset[str], inside: bool, done: dict[tuple[int, bool], Node]) -> Node:
    """`node` with every non-null scalar below one of `keys` tagged as a string (its source text).
    Shared (aliased) nodes stay shared: `done` maps each visited node to its result."""
    memo = (id(node), inside)
    if memo in done:
        return done[memo]
    result: Node = node
    if isinstance(node, ScalarNode):
        if inside and node.tag not in (_STR_TAG, _NULL_TAG):
            result = ScalarNode(_STR_TAG, node.value, node.start_mark, node.end_mark, node.style)
    elif isinstance(node, SequenceNode):
        items = [_as_text_under(item, keys, inside, done) for item in node.value]
        result = SequenceNode(node.tag, items, node.start_mark, node.end_mark, node.flow_style)
    elif isinstance(node, MappingNode):
        pairs = []
        for key, value in node.value:
            below = inside or (isinstance(key, ScalarNode) and key.value in keys)
            pairs.append((_key_as_text(key) if inside else _as_text_under(key, keys, inside, done),
                          _as_text_under(value, keys, below, done)))
        result = MappingNode(node.tag, pairs, node.start_mark, node.end_mark, node.flow_style)
    done[memo] = result
    return result


def _key_as_text(key: Node) -> Node:
    """A key below one of the text keys as the text written: a tag named `null`, `~`, `true` or `1234` is
    that name. Only an empty key stays null (and is refused by the caller)."""
    if isinstance(key, ScalarNode) and key.tag != _STR_TAG and key.value != "":
        return ScalarNode(_STR_TAG, key.value, key.start_mark, key.end_mark, key.style)
    return key


def parse_yaml(text: str, source: str, text_keys: frozenset[str] = frozenset()) -> Any:
    """The document of `text` within the bounds above, or an InputError naming `source` and the line."""
    loader = None
    try:
        loader = _BoundedLoader(text)
        node = loader.get_single_node()
        if node is None:
            return None
        if text_keys:
            node = _as_text_under(node, text_keys, False, {})
        return loader.construct_document(node)
    except _Refused as exc:
        raise InputError(source, f"line {exc.problem_mark.line + 1}", str(exc.problem)) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}" if mark else None
        problem = " ".join(part for part in (exc.context, exc.problem) if part)
        raise InputError(source, where, f"not valid YAML ({problem})") from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise InputError(source, f"line {line}", f"not valid YAML (character #x{exc.character:04x} is not "
                         "allowed)") from None
    except yaml.YAMLError as exc:
        raise InputError(source, None, f"not valid YAML ({exc})") from None
    finally:
        if loader is not None:
            loader.dispose()


def read_yaml(path: str | Path, what: str, text_keys: frozenset[str] = frozenset()) -> Any:
    """The parsed YAML document of a user file (`what`: "policy", "baseline"), or an InputError
    naming the file and, where there is one, the line."""
    source = str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputError(source, None, f"cannot read {what} file ({exc.strerror or exc})") from None
    if len(data) > MAX_BYTES:
        raise InputError(source, None, f"{what} file is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(source, None, f"{what} file is not UTF-8 text (byte 0x{data[exc.start]:02x} at "
                         f"offset {exc.start})") from None
    return parse_yaml(text, source, text_keys)
