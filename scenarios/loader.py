"""Line-aware YAML loading: mappings and lists remember the line of every key and item."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml


class LoadError(Exception):
    """A file that is not valid YAML (or not readable); ``line`` is 1-based, 0 if unknown."""

    def __init__(self, message: str, *, line: int = 0):
        super().__init__(message)
        self.message = message
        self.line = line


class LineDict(dict[Any, Any]):
    """A mapping that knows its own line and the line of each key."""

    line: int = 0

    def __init__(self, line: int = 0):
        super().__init__()
        self.line = line
        self.key_lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list[Any]):
    """A list that knows its own line and the line of each item."""

    line: int = 0

    def __init__(self, line: int = 0):
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


MAX_DEPTH = 50  # mappings and lists nested deeper than this are refused, not recursed into


class _Loader(yaml.SafeLoader):
    """SafeLoader whose mappings and sequences carry line numbers; duplicate keys are errors.

    Whatever the text, it raises only yaml errors: nesting is bounded, and a value its
    constructor cannot build (a 5,000-digit number, February 30th) is an error at its line.
    """

    depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested more than {MAX_DEPTH} levels deep",
                    self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError, TypeError) as exc:
            reason = str(exc).split(":")[0]  # the gist, without advice for Python programmers
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read the value {_excerpt(node)}: {reason}",
                node.start_mark) from None


def _tag(node: yaml.Node) -> str:
    return str(node.tag).replace("tag:yaml.org,2002:", "!!")


def _excerpt(node: yaml.Node) -> str:
    value = node.value if isinstance(node.value, str) else _tag(node)
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _construct_text(loader: _Loader, node: yaml.ScalarNode) -> str:
    value = loader.construct_scalar(node)
    assert isinstance(value, str)
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        # A lone surrogate ("\ud800") is no character: it cannot be stored or sent.
        raise yaml.constructor.ConstructorError(
            None, None, "the text holds a lone surrogate (\\ud800-\\udfff), which is not "
            "a character", node.start_mark)
    return value


def _refuse(loader: _Loader, node: yaml.Node) -> Any:
    raise yaml.constructor.ConstructorError(
        None, None, f"the tag {_tag(node)} is not supported in scenario files", node.start_mark)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Iterator[LineDict]:
    if not isinstance(node, yaml.MappingNode):
        raise yaml.constructor.ConstructorError(
            None, None, f"the tag {_tag(node)} needs a mapping", node.start_mark)
    loader.flatten_mapping(node)
    data = LineDict(_line(node))
    yield data
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            ) from None
        if key in data:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_lines[key] = _line(key_node)


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> Iterator[LineList]:
    if not isinstance(node, yaml.SequenceNode):
        raise yaml.constructor.ConstructorError(
            None, None, f"the tag {_tag(node)} needs a list", node.start_mark)
    data = LineList(_line(node))
    yield data
    for child in node.value:
        data.append(loader.construct_object(child, deep=True))
        data.item_lines.append(_line(child))


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:str", _construct_text)
for _name in ("omap", "pairs", "set", "binary"):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_name}", _refuse)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


def load_text(text: str) -> Any:
    """Parse one YAML document; raise LoadError with the line of the problem."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        what = " ".join(p for p in (exc.context, exc.problem) if p)
        raise LoadError(f"invalid YAML: {what}", line=line) from None
    except yaml.YAMLError as exc:
        raise LoadError(f"invalid YAML: {exc}") from None
    except (ValueError, OverflowError, TypeError) as exc:  # a constructor outside any node
        raise LoadError(f"invalid YAML: {exc}", line=1) from None
    except RecursionError:  # a last guard: MAX_DEPTH keeps the composer far from it
        raise LoadError(f"invalid YAML: nested more than {MAX_DEPTH} levels deep") from None


def load_file(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadError(f"cannot read the file: {exc}") from None
    return load_text(text)
