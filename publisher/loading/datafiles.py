"""`data(PATH)` for templates: CSV, JSON and YAML files inside the catalog root only."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from . import documents

MAX_BYTES = 64 * 1024 * 1024  # a product export of 100,000 rows is about a tenth of this


class DataFileError(Exception):
    """A data file cannot be used; the message is shown to the user as is."""


def resolve(root: Path, base: Path, name: str) -> Path:
    """`name` relative to `base` (the manifest's folder), refused if it leaves `root`."""
    if not isinstance(name, str) or not name:
        raise DataFileError("data() takes a file name")
    candidate = (base / name).resolve()
    if not candidate.is_relative_to(root.resolve()):
        raise DataFileError(f"data('{name}') is outside the catalog root; data files must live inside it")
    if any(part.startswith(".") for part in candidate.relative_to(root.resolve()).parts):
        # .publisher/ (publisher's cache), .env, .git: never data
        raise DataFileError(f"data('{name}'): hidden files and folders are not data")
    if not candidate.is_file():
        raise DataFileError(f"data('{name}'): no such file")
    return candidate


def read(path: Path, shown: str) -> Any:
    """The file's content as plain data: CSV → list of row mappings (strings)."""
    suffix = path.suffix.lower()
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:  # checked before reading: a template could name a file of gigabytes
            raise DataFileError(f"data('{shown}'): the file is {size:,} bytes; a data file may hold at most {MAX_BYTES:,}")
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise DataFileError(f"data('{shown}'): cannot read: {error}") from None
    if suffix == ".csv":
        return _csv_rows(text, shown)
    if suffix == ".json":
        try:
            return _not_publishers(json.loads(text, object_pairs_hook=_unique_keys), shown)
        except _DuplicateKey as error:
            raise DataFileError(f"data('{shown}'): the key {str(error)[:80]!r} appears twice in one object") from None
        except (json.JSONDecodeError, RecursionError, ValueError) as error:
            raise DataFileError(f"data('{shown}'): invalid JSON: {error}") from None
    if suffix in (".yaml", ".yml"):
        document, problems = documents.parse(text, shown)
        if problems:
            raise DataFileError(f"data('{shown}'): {problems[0].render()}")
        return _not_publishers(document.data, shown)
    raise DataFileError(f"data('{shown}'): unsupported file type {suffix or '(none)'}; use .csv, .json, .yaml or .yml")


def _one_of_each(header: Any, shown: str) -> None:
    """A column named twice would keep only its last value in each row."""
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise DataFileError(f"data('{shown}'): line 1: the column {name[:80]!r} appears twice in the header")
        seen.add(name)


class _DuplicateKey(ValueError):
    """A JSON object with a key twice: which value was meant cannot be known."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise _DuplicateKey(key)
        data[key] = value
    return data


def _not_publishers(data: Any, shown: str) -> Any:
    """Refuse what publisher itself writes (a state, a saved plan, a journal line), whatever its
    name: a state holds identity tokens, and none of it is content."""
    if isinstance(data, dict) and (
        {"format_version", "lineage", "resources"} <= data.keys()
        or data.get("kind") == "publisher-saved-plan"
        or "journal" in data
    ):
        raise DataFileError(f"data('{shown}'): this is a file publisher writes (a state, plan or journal), not data")
    return data


def _csv_rows(text: str, shown: str) -> list[dict[str, str]]:
    """Rows as mappings of the header's names (blank lines skipped). A row whose number of
    columns differs from the header's, an unterminated quote or a NUL byte is an error naming
    its line: read leniently, each would swallow or shift data without a word."""
    if "\x00" in text:
        raise DataFileError(f"data('{shown}'): line {text.count(chr(10), 0, text.index(chr(0))) + 1} holds a NUL byte")
    reader = csv.DictReader(io.StringIO(text), strict=True)
    rows: list[dict[str, str]] = []
    while True:
        start = reader.line_num + 1
        try:
            if reader.fieldnames is None:  # the header, read on first use
                return rows
            if not rows:
                _one_of_each(reader.fieldnames, shown)
            start = reader.line_num + 1
            row = next(reader, None)
        except csv.Error as error:
            problem = "a quoted value is never closed" if "unexpected end of data" in str(error) else str(error)
            raise DataFileError(f"data('{shown}'): line {start}: {problem}") from None
        if row is None:
            return rows
        if None in row or None in row.values():
            raise DataFileError(f"data('{shown}'): line {reader.line_num} has a different number of columns than the header")
        rows.append(row)
