"""A compiled yes/no check for the subset of JSON Schema draft-07 that our schemas use.

jsonschema explains *why* an entry is invalid, but walking its validators costs ~0.3 ms an
entry. Valid entries are the common case, so `schema.check` asks this compiled predicate
first and only calls jsonschema when it says no. It must never say yes where jsonschema says
no (a property test compares them); a keyword it does not know makes `compile_schema` return
None, and jsonschema does all the work.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Mapping

from .limits import twitter_length

Check = Callable[[Any], bool]
_ANNOTATIONS = frozenset(
    {"$schema", "$id", "title", "description", "examples", "default", "definitions", "x-message", "$comment"}
)


class Unsupported(Exception):
    pass


def _is_type(name: str) -> Check:
    if name == "string":
        return lambda v: isinstance(v, str)
    if name == "object":
        return lambda v: isinstance(v, dict)
    if name == "array":
        return lambda v: isinstance(v, list)
    if name == "boolean":
        return lambda v: isinstance(v, bool)
    if name == "null":
        return lambda v: v is None
    if name == "number":
        return lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
    if name == "integer":
        return lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer())
    raise Unsupported(name)


def json_equal(a: Any, b: Any) -> bool:
    """Equality as JSON Schema means it: true is not 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


class _Compiler:
    def __init__(self, resolve: Callable[[str], Mapping[str, Any]]) -> None:
        self.resolve = resolve
        self.open: set[str] = set()

    def compile(self, schema: Any, base: str) -> Check:
        if schema is True:
            return lambda v: True
        if schema is False:
            return lambda v: False
        if not isinstance(schema, dict):
            raise Unsupported(repr(schema))
        checks: list[Check] = []
        object_keywords = ("properties", "required", "additionalProperties")
        if any(k in schema for k in object_keywords):
            checks.append(self.object(schema, base))
        for keyword, value in schema.items():
            if keyword in _ANNOTATIONS or keyword in object_keywords:
                continue
            checks.append(self.keyword(keyword, value, schema, base))
        if len(checks) == 1:
            return checks[0]

        def every(v: Any) -> bool:
            for check in checks:
                if not check(v):
                    return False
            return True

        return every

    def object(self, schema: Mapping[str, Any], base: str) -> Check:
        """properties, required and additionalProperties in one pass over the mapping."""
        if "patternProperties" in schema:
            raise Unsupported("patternProperties")
        props = {name: self.compile(sub, base) for name, sub in schema.get("properties", {}).items()}
        required = tuple(schema.get("required", ()))
        extra = self.compile(schema["additionalProperties"], base) if "additionalProperties" in schema else None

        def check(v: Any) -> bool:
            if not isinstance(v, dict):
                return True
            for name in required:
                if name not in v:
                    return False
            for key, item in v.items():
                prop = props.get(key)
                if prop is not None:
                    if not prop(item):
                        return False
                elif extra is not None and not extra(item):
                    return False
            return True

        return check

    def keyword(self, keyword: str, value: Any, schema: Mapping[str, Any], base: str) -> Check:
        c = self.compile
        if keyword == "$ref":
            return self.ref(value, base)
        if keyword == "type":
            types = [_is_type(t) for t in (value if isinstance(value, list) else [value])]
            return lambda v: any(t(v) for t in types)
        if keyword == "enum":
            if all(isinstance(option, str) for option in value):
                options = frozenset(value)
                return lambda v: isinstance(v, str) and v in options
            return lambda v: any(json_equal(v, option) for option in value)
        if keyword == "const":
            return lambda v: json_equal(v, value)
        if keyword == "propertyNames":
            names = c(value, base)
            return lambda v: not isinstance(v, dict) or all(names(k) for k in v)
        if keyword in ("maxLength", "minLength"):
            limit = value
            if keyword == "maxLength":
                return lambda v: not isinstance(v, str) or len(v) <= limit
            return lambda v: not isinstance(v, str) or len(v) >= limit
        if keyword == "pattern":
            pattern = re.compile(value)
            return lambda v: not isinstance(v, str) or pattern.search(v) is not None
        if keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            import operator

            compare = {"minimum": operator.ge, "maximum": operator.le, "exclusiveMinimum": operator.gt, "exclusiveMaximum": operator.lt}[keyword]
            return lambda v: isinstance(v, bool) or not isinstance(v, (int, float)) or compare(v, value)
        if keyword == "items":
            if isinstance(value, list):
                raise Unsupported("tuple items")
            item = c(value, base)
            return lambda v: not isinstance(v, list) or all(item(x) for x in v)
        if keyword == "minItems":
            return lambda v: not isinstance(v, list) or len(v) >= value
        if keyword == "maxItems":
            return lambda v: not isinstance(v, list) or len(v) <= value
        if keyword == "uniqueItems":
            if not value:
                return lambda v: True
            return lambda v: not isinstance(v, list) or all(
                not json_equal(v[i], v[j]) for i in range(len(v)) for j in range(i + 1, len(v))
            )
        if keyword == "allOf":
            parts = [c(sub, base) for sub in value]
            return lambda v: all(p(v) for p in parts)
        if keyword == "anyOf":
            parts = [c(sub, base) for sub in value]
            return lambda v: any(p(v) for p in parts)
        if keyword == "oneOf":
            parts = [c(sub, base) for sub in value]
            return lambda v: sum(1 for p in parts if p(v)) == 1
        if keyword == "not":
            part = c(value, base)
            return lambda v: not part(v)
        if keyword == "if":
            condition = c(value, base)
            then = c(schema.get("then", True), base)
            otherwise = c(schema.get("else", True), base)
            return lambda v: then(v) if condition(v) else otherwise(v)
        if keyword in ("then", "else"):
            return lambda v: True  # handled with "if"
        if keyword == "x-twitter-length":
            return lambda v: not isinstance(v, str) or twitter_length(v) <= value
        raise Unsupported(keyword)

    def ref(self, reference: str, base: str) -> Check:
        document, _, pointer = reference.partition("#")
        document = document or base
        key = f"{document}#{pointer}"
        if key in self.open:
            raise Unsupported("recursive $ref")
        self.open.add(key)
        try:
            target: Any = self.resolve(document)
            for part in [p for p in pointer.split("/") if p]:
                target = target[part]
            return self.compile(target, document)
        finally:
            self.open.discard(key)


def compile_schema(name: str, resolve: Callable[[str], Mapping[str, Any]]) -> Check | None:
    """A predicate equal to "jsonschema finds no error", or None if the schema is beyond it."""
    try:
        return _Compiler(resolve).compile(resolve(name), name)
    except (Unsupported, KeyError, TypeError, re.error):
        return None
