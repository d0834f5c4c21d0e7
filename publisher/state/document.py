"""The state document checked against schemas/state.schema.json: the one statement of what a
state may hold, for the file, the rows and the objects alike, and for journal records."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import StateError

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
SCHEMA = SCHEMAS / "state.schema.json"
REVIEW_SCHEMA = SCHEMAS / "review.schema.json"  # proposals, approvals, break-glass (reviews.py)
_WORDS = {"string": "a string", "object": "a JSON object", "integer": "a whole number", "array": "a list", "null": "null"}


@cache
def _validator(part: str) -> Any:
    """jsonschema-rs's validator of the whole document, of one `record`, or of a review
    document (`proposals`, `approvals`, `break-glass`)."""
    import jsonschema_rs

    schema = json.loads((SCHEMA if part in ("document", "record") else REVIEW_SCHEMA).read_text(encoding="utf-8"))
    if part != "document":
        schema = {"definitions": schema["definitions"], "$ref": f"#/definitions/{part}"}
    return jsonschema_rs.Draft7Validator(schema)


def check(data: Any, where: str, *, part: str = "document") -> None:
    """Raise StateError naming the first thing in `data` the schema refuses, and where."""
    validator = _validator(part)
    if validator.is_valid(data):
        return
    error = next(iter(validator.iter_errors(data)))
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.instance_path)
    if path:  # a document's fields follow its name; a record's, the record
        where += f": {path[1:]}" if part == "document" else path
    raise StateError(f"{where}: {_said(error)}")


def _said(error: Any) -> str:
    """What is wrong, in the words of publisher's other messages."""
    kind = error.kind
    name = type(kind).__name__
    if name == "Required":
        return f"missing field {kind.property!r}"
    if name == "AdditionalProperties":
        return f"unknown field {kind.unexpected[0]!r}"
    if name == "Enum":
        return "must be " + " or ".join(map(repr, kind.options)) + f", not {error.instance!r}"
    if name == "Type":
        return "must be " + " or ".join(_WORDS.get(t, t) for t in kind.types)
    if name == "MinLength":
        return "must not be empty"
    if name == "Minimum":
        return f"must be at least {kind.limit}"
    if name == "OneOf" or name.startswith("OneOf"):
        return 'must be {"alias": ALIAS, "digest": "sha256:..."}'
    return str(error.message)
