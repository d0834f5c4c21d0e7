"""Read YAML manifests into plain Python values plus the line and column of every value.

Parsing is safe (only plain YAML tags) and follows YAML 1.2's core schema: `yes`, `no`, `on`,
`off` stay strings, only `true` / `false` are booleans, and dates stay the strings the user
wrote. Duplicate keys are errors rather than silently overwriting each other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import Diagnostic, Location
from ..model import PathKey as Path_

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Yaml12Loader(_BaseLoader):
    """Composes nodes only; implicit tags follow the YAML 1.2 core schema."""


_Yaml12Loader.yaml_implicit_resolvers = {}
_STR = "tag:yaml.org,2002:str"
_PLAIN_ONLY = "plain YAML only: no !!python or custom tags"
MAX_DEPTH = 64  # far beyond any manifest; Python's recursion limit is not
MAX_ALIAS_EXPANSION = 100_000
MAX_DIGITS = 100
_RESOLVERS = [
    ("tag:yaml.org,2002:bool", r"true|True|TRUE|false|False|FALSE", "tTfF"),
    ("tag:yaml.org,2002:null", r"~|null|Null|NULL|", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:int", r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+", "-+0123456789"),
    (
        "tag:yaml.org,2002:float",
        r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)",
        "-+0123456789.",
    ),
]
for _tag, _pattern, _first in _RESOLVERS:
    _Yaml12Loader.add_implicit_resolver(_tag, re.compile(rf"^(?:{_pattern})$"), list(_first))


@dataclass
class Document:
    """One manifest file: its values and where each of them was written."""

    file: str
    data: Any
    marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    folder: Path | None = None  # where data() looks for files named by this manifest

    def locate(self, path: Path_) -> Location:
        """The position of `path`, or of its nearest enclosing value that has one."""
        path = tuple(path)
        while path not in self.marks and path:
            path = path[:-1]
        line, column = self.marks.get(path, (1, 1))
        return Location(self.file, line, column)


class _Builder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.marks: dict[Path_, tuple[int, int]] = {}
        self.diagnostics: list[Diagnostic] = []
        self._open: set[int] = set()
        self._seen: set[int] = set()
        self._built = 0
        self.stopped = False  # a limit was hit: the document is not built further

    def _problem(self, node: yaml.Node, path: Path_, message: str, hint: str = "") -> None:
        location = Location(self.file, node.start_mark.line + 1, node.start_mark.column + 1)
        self.diagnostics.append(Diagnostic(location, dotted(path), message, hint))

    def build(self, node: yaml.Node, path: Path_) -> Any:
        if self.stopped:
            return None
        self.marks.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if id(node) in self._open:
            self._problem(node, path, "an alias refers to the value that contains it")
            return None
        if len(path) > MAX_DEPTH:
            self._problem(node, path, f"values are nested more than {MAX_DEPTH} levels deep")
            self.stopped = True
            return None
        self._seen.add(id(node))
        self._built += 1
        if self._over_expanded(self._built):
            self._problem(node, path, f"aliases expand this file to more than {MAX_ALIAS_EXPANSION:,} values")
            self.stopped = True
            return None
        self._open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            if isinstance(node, yaml.SequenceNode):
                if node.tag != "tag:yaml.org,2002:seq":
                    self._problem(node, path, f"the tag {node.tag} is not allowed", _PLAIN_ONLY)
                    return None
                return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
            return self._scalar(node, path)
        finally:
            self._open.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, path: Path_) -> dict[str, Any]:
        if node.tag != "tag:yaml.org,2002:map":
            self._problem(node, path, f"the tag {node.tag} is not allowed", _PLAIN_ONLY)
            return {}
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self._problem(key_node, path, "a key must be a plain string")
                continue
            key = str(self._scalar(key_node, path))
            here = (*path, key)
            if key in result:
                self._problem(key_node, here, f"duplicate key '{key}'", f"first defined on line {self.marks[here][0]}")
                continue
            # A field is located where its key is written: that is where a person looks.
            self.marks[here] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = self.build(value_node, here)
        return result

    def _over_expanded(self, built: int) -> bool:
        """Aliases may repeat a value, not multiply a small file into millions of values."""
        return built > 10 * len(self._seen) + MAX_ALIAS_EXPANSION

    def _scalar(self, node: yaml.Node, path: Path_) -> Any:
        try:
            value = _converted(node.tag, node.value)
        except ValueError:
            self._problem(node, path, f"the number {node.value[:20]}… has {len(node.value):,} digits; write it as a string")
            return None
        if value is _NOT_PLAIN:
            self._problem(node, path, f"the tag {node.tag} is not allowed", _PLAIN_ONLY)
            return None
        return value


_NOT_PLAIN = object()


def _converted(tag: str, value: str) -> Any:
    """A scalar's value for its tag; `_NOT_PLAIN` for a tag other than YAML's plain ones."""
    if tag == _STR:
        return value
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return value.lower() == "true"
    if tag == "tag:yaml.org,2002:int":
        if len(value) > MAX_DIGITS:  # no id or count is this long, and printing it could fail
            raise ValueError(value)
        if value.startswith(("0o", "0x")):
            return int(value, 0)
        return int(value, 10)
    if tag == "tag:yaml.org,2002:float":
        lowered = value.lower().lstrip("+")
        if lowered.endswith("inf"):
            return float("-inf") if lowered.startswith("-") else float("inf")
        if lowered == ".nan":
            return float("nan")  # float() does not read YAML's spelling (it crashed publisher)
        return float(lowered)
    return _NOT_PLAIN


def dotted(path: Path_) -> str:
    """`("pins", "camp-nou", "tags", 0)` → `pins.camp-nou.tags[0]`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def parse(text: str, file: str) -> tuple[Document, list[Diagnostic]]:
    """Parse one manifest. Problems are returned, never raised."""
    loader = _Yaml12Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        location = Location(file, mark.line + 1 if mark else 1, mark.column + 1 if mark else 1)
        message = str(error.problem or error.context or "invalid YAML").strip()
        return Document(file, None), [Diagnostic(location, "", f"YAML syntax error: {message}")]
    except yaml.YAMLError as error:  # e.g. a reader error for a control character
        return Document(file, None), [Diagnostic(Location(file, 1, 1), "", f"YAML error: {error}")]
    finally:
        loader.dispose()
    if node is None:
        return Document(file, {}), []
    builder = _Builder(file)
    data = builder.build(node, ())
    return Document(file, data, builder.marks), builder.diagnostics


def load(path: Path, display: str) -> tuple[Document, list[Diagnostic]]:
    """Read and parse a manifest file; `display` is the name used in messages."""
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return Document(display, None), [Diagnostic(Location(display), "", f"cannot read: {error}")]
    document, problems = parse(text, display)
    document.folder = path.resolve().parent
    return document, problems
