"""JSON Schema validation of manifest entries, with errors a person can act on."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Diagnostic
from ..model import PathKey
from ..twitter_text import count, surely_over, within_twitter_length
from .documents import Document, dotted

if TYPE_CHECKING:
    import jsonschema
    import referencing

# A link to the top-level schemas/ in the repository; a real folder inside an installed wheel.
SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"

_TYPE_NAMES = {
    "string": "a string",
    "object": "a mapping",
    "array": "a list",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "empty",
}


def _kind(value: Any) -> str:
    for name, kind in (
        (bool, "boolean"),
        (str, "string"),
        (int, "integer"),
        (float, "number"),
        (dict, "object"),
        (list, "array"),
    ):
        if isinstance(value, name):
            return _TYPE_NAMES[kind]
    return "empty"


@cache
def _registry() -> referencing.Registry:
    import referencing
    from referencing.jsonschema import DRAFT7

    resources = [(path.name, DRAFT7.create_resource(load_schema(path.name))) for path in sorted(SCHEMA_DIR.glob("*.json"))]
    return referencing.Registry().with_resources(resources)


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The schema stored as `schemas/<name>` (one object per name: do not change it)."""
    path = SCHEMA_DIR / name
    if "/" in name or not name.endswith(".json") or not path.is_file():
        raise KeyError(name)
    contents: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return contents


@cache
def validator(name: str) -> Any:
    """Built once per schema: compiling a validator costs more than running it.

    jsonschema is imported here, not at start: valid entries never need it (fast_validator
    answers them), and importing it is a fifth of publisher's start-up."""
    import jsonschema

    def twitter_length_keyword(
        validator: Any, limit: int, instance: Any, schema: dict[str, Any]
    ) -> Iterator[jsonschema.ValidationError]:
        if isinstance(instance, str) and surely_over(instance, limit):
            yield jsonschema.ValidationError(
                f"is {len(instance):,} code points long, far over the limit of {limit} as Twitter counts (not counted)"
            )
        elif isinstance(instance, str):
            length, valid_characters = count(instance)
            if not valid_characters:
                yield jsonschema.ValidationError("holds U+FEFF, U+FFFE or U+FFFF, which Twitter refuses in a tweet")
            elif length > limit:
                yield jsonschema.ValidationError(
                    f"is {length} characters long as Twitter counts them (a link counts 23, an emoji 2); the limit is {limit}"
                )

    def utf8_bytes_keyword(
        validator: Any, limit: int, instance: Any, schema: dict[str, Any]
    ) -> Iterator[jsonschema.ValidationError]:
        if isinstance(instance, str):
            size = len(instance.encode("utf-8", "surrogatepass"))
            if size > limit:
                yield jsonschema.ValidationError(f"is {size} bytes long in UTF-8; the limit is {limit} bytes")

    # Our own keywords: editors ignore them, publisher enforces them.
    keywords = {"x-twitter-length": twitter_length_keyword, "x-max-utf8-bytes": utf8_bytes_keyword}
    extended = jsonschema.validators.extend(jsonschema.Draft7Validator, keywords)
    return extended(load_schema(name), registry=_registry())


@cache
def fast_validator(name: str) -> Callable[[Any], bool]:
    """jsonschema-rs's yes/no check of a schema, built once. Valid entries, the common case,
    never reach jsonschema, which only writes the messages: without this gate a cold plan
    takes five times as long."""
    import jsonschema_rs

    keywords: dict[str, type[jsonschema_rs.KeywordValidator]] = {
        "x-twitter-length": _TwitterLength,
        "x-max-utf8-bytes": _Utf8Bytes,
    }
    compiled = jsonschema_rs.Draft7Validator(load_schema(name), registry=_rs_registry(), keywords=keywords)
    return compiled.is_valid


@cache
def _rs_registry() -> Any:
    import jsonschema_rs

    return jsonschema_rs.Registry([(path.name, load_schema(path.name)) for path in sorted(SCHEMA_DIR.glob("*.json"))])


class _TwitterLength:
    """`x-twitter-length: N`: a string within N as Twitter counts (links 23, emoji 2)."""

    def __init__(self, parent_schema: dict[str, Any], value: int, schema_path: list[str | int]) -> None:
        self.limit = value

    def validate(self, instance: Any) -> None:
        if isinstance(instance, str) and not within_twitter_length(instance, self.limit):
            raise ValueError(f"longer than {self.limit} as Twitter counts")


class _Utf8Bytes:
    """`x-max-utf8-bytes: N`: a string of at most N bytes in UTF-8 (as YouTube counts)."""

    def __init__(self, parent_schema: dict[str, Any], value: int, schema_path: list[str | int]) -> None:
        self.limit = value

    def validate(self, instance: Any) -> None:
        if isinstance(instance, str) and len(instance.encode("utf-8", "surrogatepass")) > self.limit:
            raise ValueError(f"longer than {self.limit} bytes")


def _messages(error: jsonschema.ValidationError) -> Iterator[tuple[PathKey, str, str]]:
    """(relative path, message, hint) for one schema error."""
    path: PathKey = tuple(error.absolute_path)
    instance: Any = error.instance
    kind = error.validator
    value: Any = error.validator_value
    schema = error.schema if isinstance(error.schema, dict) else {}
    if kind == "required":
        for name in value:
            if isinstance(instance, dict) and name not in instance:
                yield path, f"missing required field '{name}'", ""
    elif kind == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        for name in instance:
            if name not in schema.get("properties", {}):
                yield (*path, name), f"unknown field '{name}'", "allowed: " + ", ".join(allowed)
    elif kind == "enum":
        yield path, f"{instance!r} is not one of " + ", ".join(map(str, value)), ""
    elif kind == "const":
        yield path, f"must be {value!r}", ""
    elif kind == "type":
        wanted = value if isinstance(value, list) else [value]
        names = " or ".join(_TYPE_NAMES.get(str(w), str(w)) for w in wanted)
        yield path, f"must be {names}, not {_kind(instance)}", ""
    elif kind == "maxLength":
        yield path, f"is {len(instance)} characters long; the limit is {value}", ""
    elif kind == "minLength":
        yield path, "must not be empty" if value == 1 else f"must be at least {value} characters", ""
    elif kind in ("pattern", "format") and "x-message" in schema:
        yield path, f"{instance!r} {schema['x-message']}", ""
    elif kind in ("oneOf", "anyOf", "not") and "x-message" in schema:
        yield path, str(schema["x-message"]), ""
    else:
        yield path, error.message, ""


def check(
    document: Document,
    where: PathKey,
    entry: Any,
    schema_name: str,
    *,
    shown: PathKey | None = None,
    label: str = "",
) -> list[Diagnostic]:
    """Validate one manifest entry (found at `where`) against a schema.

    `shown` names the entry in messages when it differs from where it is written (a generated
    entry); `label` says which generated item it is.
    """
    if fast_validator(schema_name)(entry):
        return []
    found = []
    shown_at = tuple(shown if shown is not None else where)
    prefix = f"{label}: " if label else ""
    for error in validator(schema_name).iter_errors(entry):
        for relative, message, hint in _messages(error):
            found.append(Diagnostic(document.locate((*where, *relative)), dotted((*shown_at, *relative)), prefix + message, hint))
    return found
