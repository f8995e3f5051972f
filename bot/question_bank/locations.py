"""Where things are in a topic file's YAML: lines for messages, and keys written twice.

pydantic reports a problem by its path in the data (`('rubric', 'concepts', 0, 'weight')`); the
nodes YAML parsed the file into still know their lines, so a path leads back to a line here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import yaml

# A path into a file's data, as pydantic reports it: mapping keys and list indexes.
Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class QuestionSource:
    """Where a question was written: its file, its line, and the line of each example."""

    file: str
    line: int | None
    example_lines: tuple[int | None, ...] = ()


def node_at(root: yaml.Node | None, loc: Loc) -> tuple[yaml.Node | None, bool]:
    """The deepest YAML node along `loc`, and whether the whole path was found."""
    node = root
    for part in loc:
        if node is None:
            return None, False
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == part:
                    child = value
                    break
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(part, int)
            and 0 <= part < len(node.value)
        ):
            child = node.value[part]
        if child is None:
            return node, False
        node = child
    return node, True


def key_node(root: yaml.Node | None, loc: Loc) -> yaml.Node | None:
    """The key node of the last part of `loc`, for pointing at an unknown key."""
    parent, found = node_at(root, loc[:-1])
    if not found or not isinstance(parent, yaml.MappingNode):
        return parent
    for key, _value in parent.value:
        if isinstance(key, yaml.ScalarNode) and key.value == loc[-1]:
            return key
    return parent


def line_of(node: yaml.Node | None) -> int | None:
    """The line `node` starts on, counted from 1 as editors do."""
    return node.start_mark.line + 1 if node is not None else None


class AnchorCycle(Exception):
    """A YAML anchor used inside itself: the data would be infinitely deep."""

    def __init__(self, node: yaml.Node) -> None:
        self.node = node


def duplicate_keys(
    node: yaml.Node | None,
    path: Loc = (),
    active: frozenset[int] = frozenset(),
    done: set[int] | None = None,
) -> Iterator[tuple[Loc, yaml.Node]]:
    """Keys written twice in one mapping: YAML keeps the last silently, we do not.

    A node reached again through an anchor is walked once (`done`); one inside itself is a cycle.
    """
    if node is None or not isinstance(node, yaml.MappingNode | yaml.SequenceNode):
        return
    if id(node) in active:
        raise AnchorCycle(node)
    done = set() if done is None else done
    if id(node) in done:
        return
    done.add(id(node))
    active = active | {id(node)}
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else None
            if name is not None:
                if name in seen:
                    yield (*path, name), key
                seen.add(name)
                yield from duplicate_keys(value, (*path, name), active, done)
    else:
        for index, item in enumerate(node.value):
            yield from duplicate_keys(item, (*path, index), active, done)


def format_loc(loc: Loc) -> str:
    """`('rubric', 'concepts', 0, 'weight')` -> `rubric.concepts[0].weight`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
