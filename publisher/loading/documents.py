"""Read YAML manifests into plain Python values plus the line and column of every value.

Parsing is safe (only plain YAML tags) and follows YAML 1.2's core schema: `yes`, `no`, `on`,
`off` stay strings, only `true` / `false` are booleans, and dates stay the strings the user
wrote. Duplicate keys are errors rather than silently overwriting each other.

Values are built straight from the parser's events. No tree of YAML nodes is kept, so reading
a large file leaves little behind for the garbage collector to walk. Positions are not kept
either: a file is read again, keeping the position of every value, when a message first needs
one (a catalog without problems never does), or when its first reading finds a problem.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, cast

import yaml
from yaml.events import (
    AliasEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    NodeEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from ..errors import Diagnostic, Location
from ..model import PathKey

_EventReader: type = getattr(yaml, "CBaseLoader", yaml.BaseLoader)  # only its events are used
_PLAIN_ONLY = "plain YAML only: no !!python or custom tags"
MAX_DEPTH = 64  # far beyond any manifest; Python's recursion limit is not
MAX_ALIAS_EXPANSION = 100_000
MAX_DIGITS = 100
_CORE = "tag:yaml.org,2002:"
_MAP, _SEQ, _STR = _CORE + "map", _CORE + "seq", _CORE + "str"
# YAML 1.2 core schema: how an untagged plain scalar is read. The first alternative that
# matches the whole value wins; anything else is a string.
_IMPLICIT = re.compile(
    r"(?P<bool>true|True|TRUE|false|False|FALSE)"
    r"|(?P<null>~|null|Null|NULL|)"
    r"|(?P<int>[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)"
    r"|(?P<float>[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))"
)
_CAN_START_NON_TEXT = frozenset("tTfF~nN0123456789+-.")  # most values are text: no need to try the pattern


@dataclass
class Document:
    """One manifest file: its values and where each of them was written."""

    file: str
    data: Any
    marks: dict[PathKey, tuple[int, int]] | None = None  # None: found in `text` when first asked
    folder: Path | None = None  # where data() looks for files named by this manifest
    text: str = field(default="", repr=False)

    def locate(self, path: PathKey) -> Location:
        """The position of `path`, or of its nearest enclosing value that has one."""
        if self.marks is None:
            self.marks = _read(self.text, self.file, with_marks=True)[0].marks or {}
        path = tuple(path)
        while path not in self.marks and path:
            path = path[:-1]
        line, column = self.marks.get(path, (1, 1))
        return Location(self.file, line, column)


class _Refused(yaml.MarkedYAMLError):
    """The stream is not one plain YAML document: reported as libyaml's syntax errors are."""

    def __init__(self, event: Event, message: str) -> None:
        super().__init__(problem=message, problem_mark=cast(yaml.error.Mark, event.start_mark))


def _line_column(event: Event) -> tuple[int, int]:
    """Where an event starts, 1-based (libyaml marks every event)."""
    mark = cast(yaml.error.Mark, event.start_mark)
    return mark.line + 1, mark.column + 1


class _Stopped(Exception):
    """A limit was hit: the document is not built further."""


class _Unmarked(Exception):
    """A problem was found by a reading that keeps no positions: the file is read again with them."""


class _Anchor(NamedTuple):
    value: Any
    path: PathKey
    marks: range  # its positions: indexes into the builder's `_order` (empty without marks)
    size: int  # how many values it stands for, its own aliases expanded
    depth: int  # how deep it nests below its own path


def _depth(value: Any) -> int:
    """How many levels a value nests below itself."""
    if isinstance(value, dict):
        return max((1 + _depth(item) for item in value.values()), default=0)
    if isinstance(value, list):
        return max((1 + _depth(item) for item in value), default=0)
    return 0


class _Builder:
    """Builds one document's values from the parser's events; `with_marks`, recording every
    position (without, a problem raises _Unmarked: it is reported from a reading with them)."""

    def __init__(self, file: str, reader: Any, with_marks: bool) -> None:
        self.file = file
        self.next_event = reader.get_event
        self.marks: dict[PathKey, tuple[int, int]] | None = {} if with_marks else None
        self._order: list[PathKey] = []  # the paths of `marks` in the order they were written
        self.diagnostics: list[Diagnostic] = []
        self._anchors: dict[str, _Anchor] = {}
        self._open: set[str] = set()  # anchors whose value is still being read
        self._distinct = 0  # values written in the file
        self._built = 0  # values built, aliases expanded

    def document(self) -> Any:
        self.next_event()  # the stream starts
        start = self.next_event()
        if isinstance(start, StreamEndEvent):
            return {}
        data = self._value(self.next_event(), ())
        self.next_event()  # the document ends
        after = self.next_event()
        if not isinstance(after, StreamEndEvent):
            raise _Refused(after, "a manifest holds one YAML document, and a second one starts here")
        return data

    def drain(self) -> None:
        """Read to the end after a limit was hit, so a later syntax error is still reported."""
        while not isinstance(self.next_event(), StreamEndEvent):
            pass

    def _problem(self, event: Event, path: PathKey, message: str, hint: str = "") -> None:
        if self.marks is None:
            raise _Unmarked
        self.diagnostics.append(Diagnostic(Location(self.file, *_line_column(event)), dotted(path), message, hint))

    def _mark(self, path: PathKey, event: Event) -> None:
        if self.marks is not None and path not in self.marks:
            self.marks[path] = _line_column(event)
            self._order.append(path)

    def _value(self, event: Event, path: PathKey) -> Any:
        if self.marks is not None:
            self._mark(path, event)
        if isinstance(event, AliasEvent):
            return self._alias(event, path)
        if len(path) > MAX_DEPTH:
            self._problem(event, path, f"values are nested more than {MAX_DEPTH} levels deep")
            raise _Stopped
        anchor = event.anchor if isinstance(event, NodeEvent) else None
        if anchor is not None:
            if anchor in self._anchors or anchor in self._open:
                raise _Refused(event, f"the anchor &{anchor} is defined twice")
            self._open.add(anchor)
            first_mark, built_before = len(self._order) - 1 if self.marks is not None else 0, self._built
        self._distinct += 1
        self._built += 1
        if isinstance(event, ScalarEvent):
            value = self._scalar(event, path)
        elif isinstance(event, SequenceStartEvent):
            value = self._sequence(event, path)
        else:
            value = self._mapping(cast(MappingStartEvent, event), path)
        if anchor is not None:
            self._open.discard(anchor)
            written = range(first_mark, len(self._order))
            self._anchors[anchor] = _Anchor(value, path, written, self._built - built_before, _depth(value))
        return value

    def _sequence(self, start: SequenceStartEvent, path: PathKey) -> list[Any]:
        if start.tag not in (None, "!", _SEQ):
            self._problem(start, path, f"the tag {start.tag} is not allowed", _PLAIN_ONLY)
        items: list[Any] = []
        while not isinstance(event := self.next_event(), SequenceEndEvent):
            items.append(self._value(event, (*path, len(items))))
        return items

    def _mapping(self, start: MappingStartEvent, path: PathKey) -> dict[str, Any]:
        if start.tag not in (None, "!", _MAP):
            self._problem(start, path, f"the tag {start.tag} is not allowed", _PLAIN_ONLY)
        result: dict[str, Any] = {}
        while not isinstance(key_event := self.next_event(), MappingEndEvent):
            key = self._key(key_event, path)
            here = (*path, key)
            if key is None:
                self._value(self.next_event(), path)  # read past the value of a refused key
            elif key in result:
                first = self.marks[here][0] if self.marks is not None else 0
                self._problem(key_event, here, f"duplicate key '{key}'", f"first defined on line {first}")
                self._value(self.next_event(), here)
            else:
                # A field is located where its key is written: that is where a person looks.
                if self.marks is not None:
                    self._mark(here, key_event)
                result[key] = self._value(self.next_event(), here)
        return result

    def _key(self, event: Event, path: PathKey) -> str | None:
        if isinstance(event, ScalarEvent):
            return str(self._scalar(event, path))
        if isinstance(event, AliasEvent) and event.anchor in self._anchors:
            value = self._anchors[event.anchor].value
            if not isinstance(value, dict | list):
                return str(value)
        else:
            self._value(event, path)  # read past it
        self._problem(event, path, "a key must be a plain string")
        return None

    def _alias(self, event: AliasEvent, path: PathKey) -> Any:
        anchor = self._anchors.get(event.anchor or "")
        if anchor is None:
            if event.anchor in self._open:
                self._problem(event, path, "an alias refers to the value that contains it")
                return None
            raise _Refused(event, f"the alias *{event.anchor} names no anchor before it")
        self._built += anchor.size
        if self._built > 10 * self._distinct + MAX_ALIAS_EXPANSION:  # repeat a value, yes; multiply a file, no
            self._problem(event, path, f"aliases expand this file to more than {MAX_ALIAS_EXPANSION:,} values")
            raise _Stopped
        if len(path) + anchor.depth > MAX_DEPTH:
            self._problem(event, path, f"values are nested more than {MAX_DEPTH} levels deep")
            raise _Stopped
        for index in anchor.marks:
            assert self.marks is not None  # an anchor has positions only in a reading with marks
            inside = self._order[index]
            moved = (*path, *inside[len(anchor.path) :])
            if moved not in self.marks:
                self.marks[moved] = self.marks[inside]
                self._order.append(moved)
        return copy.deepcopy(anchor.value)  # each place gets its own value, as if written out

    def _scalar(self, event: ScalarEvent, path: PathKey) -> Any:
        tag, value = event.tag, event.value
        if tag is None and event.implicit[0]:  # plain and untagged: the core schema decides
            if value and value[0] not in _CAN_START_NON_TEXT:
                return value
            found = _IMPLICIT.fullmatch(value)
            tag = _CORE + found.lastgroup if found and found.lastgroup else _STR
        elif tag is None or tag == "!":
            return value
        if tag not in _CONVERTERS:
            self._problem(event, path, f"the tag {tag} is not allowed", _PLAIN_ONLY)
            return None
        try:
            return _CONVERTERS[tag](value)
        except ValueError as error:
            self._problem(event, path, str(error))
            return None


def _int(value: str) -> int:
    if len(value) > MAX_DIGITS:  # no id or count is this long, and printing it could fail
        raise ValueError(f"the number {value[:20]}… has {len(value):,} digits; write it as a string")
    found = _IMPLICIT.fullmatch(value)
    if not found or found.lastgroup != "int":
        raise ValueError(f"'{value}' is not a whole number")
    return int(value, 0) if value.startswith(("0o", "0x")) else int(value, 10)


def _float(value: str) -> float:
    found = _IMPLICIT.fullmatch(value)
    if not found or found.lastgroup not in ("int", "float") or value.startswith(("0o", "0x")):
        raise ValueError(f"'{value}' is not a number")
    lowered = value.lower().lstrip("+")
    if lowered.endswith("inf"):
        return float("-inf") if lowered.startswith("-") else float("inf")
    if lowered == ".nan":
        return float("nan")  # float() does not read YAML's spelling
    return float(lowered)


def _bool(value: str) -> bool:
    if value.lower() not in ("true", "false"):
        raise ValueError(f"'{value}' is not true or false")
    return value.lower() == "true"


def _null(value: str) -> None:
    if value not in ("~", "null", "Null", "NULL", ""):
        raise ValueError(f"'{value}' is not null")


_CONVERTERS: dict[str, Callable[[str], Any]] = {
    _STR: str,
    _CORE + "int": _int,
    _CORE + "float": _float,
    _CORE + "bool": _bool,
    _CORE + "null": _null,
}


def dotted(path: PathKey) -> str:
    """`("pins", "camp-nou", "tags", 0)` → `pins.camp-nou.tags[0]`; a key that is not a plain
    name is quoted (`identities['a\\nb']`), so no key can break a message's line."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not _PLAIN_KEY.fullmatch(str(part)):
            text += f"[{str(part)[:80]!r}]"
        else:
            text += f".{part}" if text else str(part)
    return text


_PLAIN_KEY = re.compile(r"[^\s\x00-\x1f\x7f-\x9f\u2028\u2029'\"\[\].]+")


def parse(text: str, file: str) -> tuple[Document, list[Diagnostic]]:
    """Parse one manifest. Problems are returned, never raised."""
    try:
        return _read(text, file, with_marks=False)
    except _Unmarked:
        return _read(text, file, with_marks=True)


def _read(text: str, file: str, *, with_marks: bool) -> tuple[Document, list[Diagnostic]]:
    reader = _EventReader(text)
    builder = _Builder(file, reader, with_marks)
    try:
        try:
            data = builder.document()
        except _Stopped:
            builder.drain()
            data = None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        location = Location(file, mark.line + 1 if mark else 1, mark.column + 1 if mark else 1)
        message = str(error.problem or error.context or "invalid YAML").strip()
        return Document(file, None), [Diagnostic(location, "", f"YAML syntax error: {message}")]
    except yaml.YAMLError as error:  # e.g. a reader error for a control character
        return Document(file, None), [Diagnostic(Location(file, 1, 1), "", f"YAML error: {error}")]
    finally:
        reader.dispose()
    return Document(file, data, builder.marks, text=text), builder.diagnostics


def load_document(path: Path, display: str) -> tuple[Document, list[Diagnostic]]:
    """Read and parse a manifest file (a resolved path); `display` is the name used in messages."""
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return Document(display, None), [Diagnostic(Location(display), "", f"cannot read: {error}")]
    document, problems = parse(text, display)
    document.folder = path.parent
    return document, problems
