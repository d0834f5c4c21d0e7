"""A compiled yes/no check for the subset of JSON Schema draft-07 that our schemas use.

It stays beside jsonschema because it pays: without it a cold plan takes five times as long.

jsonschema explains *why* an entry is invalid, but walking its validators costs ~0.3 ms an
entry. Valid entries are the common case, so `schema.check` asks this compiled predicate
first and only calls jsonschema when it says no. The predicate is generated Python source
(about 2 us an entry; closures per keyword cost 11 us). It must never say yes where jsonschema
says no (a property test compares them); a keyword it does not know makes `compile_schema`
return None, and jsonschema does all the work.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from ..twitter_text import within_twitter_length

Check = Callable[[Any], bool]
_ANNOTATIONS = frozenset(
    {"$schema", "$id", "title", "description", "examples", "default", "definitions", "x-message", "$comment"}
)


class Unsupported(Exception):
    pass


def json_equal(a: Any, b: Any) -> bool:
    """Equality as JSON Schema means it: true is not 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


class _Generator:
    """Writes a schema as Python source: one function per object schema, everything else as
    an inline expression. Closures cost a call per keyword; generated code costs none."""

    def __init__(self, resolve: Callable[[str], Mapping[str, Any]]) -> None:
        self.resolve = resolve
        self.open: set[str] = set()
        self.functions: list[str] = []
        self.names: dict[str, Any] = {
            "json_equal": json_equal,
            "within_twitter_length": within_twitter_length,
            "_unique": _unique,
        }
        self._count = 0

    def _fresh(self, prefix: str) -> str:
        self._count += 1
        return f"{prefix}{self._count}"

    def constant(self, value: Any) -> str:
        name = self._fresh("_k")
        self.names[name] = value
        return name

    def function(self, schema: Any, base: str) -> str:
        """A function `name(v) -> bool` for `schema`."""
        name = self._fresh("_f")
        self.functions.append(f"def {name}(v):\n    return {self.expression(schema, base, 'v')}\n")
        return name

    def expression(self, schema: Any, base: str, v: str) -> str:
        """A Python expression that is true when the value in variable `v` is valid."""
        if schema is True:
            return "True"
        if schema is False:
            return "False"
        if not isinstance(schema, dict):
            raise Unsupported(repr(schema))
        parts: list[str] = []
        # One type, tested first: the other keywords need not test it again.
        declared = schema.get("type")
        known = declared if isinstance(declared, str) and declared in _PYTHON_TYPES else None
        if known is not None:
            parts.append(_TYPE_TESTS[known].format(v=v))
        object_keywords = ("properties", "required", "additionalProperties")
        if any(k in schema for k in object_keywords):
            if not any(k in schema for k in ("properties", "additionalProperties")):  # only required: no function call
                present = " and ".join(f"{key!r} in {v}" for key in schema["required"]) or "True"
                parts.append(present if known == "object" else f"not isinstance({v}, dict) or ({present})")
            else:
                parts.append(f"{self.object(schema, base)}({v})")
        for keyword, value in schema.items():
            if keyword in _ANNOTATIONS or keyword in object_keywords or keyword in ("then", "else"):
                continue  # then / else go with if
            if keyword == "type" and known is not None:
                continue
            parts.append(self.keyword(keyword, value, schema, base, v, _PYTHON_TYPES[known] if known is not None else None))
        return " and ".join(f"({p})" for p in parts) or "True"

    def object(self, schema: Mapping[str, Any], base: str) -> str:
        """properties, required and additionalProperties: one function, one pass."""
        if "patternProperties" in schema:
            raise Unsupported("patternProperties")
        name = self._fresh("_o")
        properties = schema.get("properties", {})
        lines = [f"def {name}(v):", "    if not isinstance(v, dict):", "        return True"]
        for required in schema.get("required", ()):
            lines += [f"    if {required!r} not in v:", "        return False"]
        for key, sub in properties.items():
            x = self._fresh("x")
            lines += [
                f"    if {key!r} in v:",
                f"        {x} = v[{key!r}]",
                f"        if not ({self.expression(sub, base, x)}):",
                "            return False",
            ]
        known = self.constant(frozenset(properties))
        extra = schema.get("additionalProperties", True)
        if extra is False:
            lines += [f"    if not {known}.issuperset(v):", "        return False"]
        elif extra is not True:
            check = self.function(extra, base)
            lines += [
                "    for key, item in v.items():",
                f"        if key not in {known} and not {check}(item):",
                "            return False",
            ]
        self.functions.append("\n".join([*lines, "    return True", ""]))
        return name

    def keyword(self, keyword: str, value: Any, schema: Mapping[str, Any], base: str, v: str, known: str | None = None) -> str:
        """`known`: the Python type `v` is known to have ("str", "list", "dict"), if any."""

        def unless_not(kind: str) -> str:  # "applies only to values of this kind"
            return "" if kind == known else f"not isinstance({v}, {kind}) or "

        if keyword == "$ref":
            return self.ref(value, base, v)
        if keyword == "type":
            return " or ".join(
                f"({_TYPE_TESTS[t].format(v=v)})" if t in _TYPE_TESTS else _unsupported(t)
                for t in (value if isinstance(value, list) else [value])
            )
        if keyword == "enum":
            if all(isinstance(option, str) for option in value):
                return f"isinstance({v}, str) and {v} in {self.constant(frozenset(value))}"
            return f"any(json_equal({v}, option) for option in {self.constant(list(value))})"
        if keyword == "const":
            if isinstance(value, str):  # json_equal, for a string
                return f"type({v}) is str and {v} == {self.constant(value)}"
            return f"json_equal({v}, {self.constant(value)})"
        if keyword == "propertyNames":
            return f"{unless_not('dict')}all({self.function(value, base)}(k) for k in {v})"
        if keyword in _LENGTHS:
            kind, compare = _LENGTHS[keyword]
            return f"{unless_not(kind)}len({v}) {compare} {int(value)}"
        if keyword == "pattern":
            return f"{unless_not('str')}{self.constant(re.compile(value))}.search({v}) is not None"
        if keyword in _COMPARISONS:
            number = self.constant(value)
            return f"isinstance({v}, bool) or not isinstance({v}, (int, float)) or {v} {_COMPARISONS[keyword]} {number}"
        if keyword == "items":
            if isinstance(value, list):
                raise Unsupported("tuple items")
            return f"{unless_not('list')}all({self.function(value, base)}(i) for i in {v})"
        if keyword == "uniqueItems":
            return f"{unless_not('list')}_unique({v})" if value else "True"
        if keyword in ("allOf", "anyOf", "oneOf"):
            parts = [f"({self.expression(sub, base, v)})" for sub in value]
            if keyword == "oneOf":
                return " + ".join(parts) + " == 1" if parts else "False"
            return (" and " if keyword == "allOf" else " or ").join(parts) or ("True" if keyword == "allOf" else "False")
        if keyword == "not":
            return f"not ({self.expression(value, base, v)})"
        if keyword == "if":
            condition = self.expression(value, base, v)
            then = self.expression(schema.get("then", True), base, v)
            otherwise = self.expression(schema.get("else", True), base, v)
            return f"({then}) if ({condition}) else ({otherwise})"
        if keyword == "x-twitter-length":
            return f"{unless_not('str')}within_twitter_length({v}, {int(value)})"
        if keyword == "x-max-utf8-bytes":
            return f"{unless_not('str')}len({v}.encode('utf-8', 'surrogatepass')) <= {int(value)}"
        raise Unsupported(keyword)

    def ref(self, reference: str, base: str, v: str) -> str:
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
            return self.expression(target, document, v)
        finally:
            self.open.discard(key)

    def build(self, schema: Any, base: str) -> Check:
        entry = self.function(schema, base)
        namespace = dict(self.names)
        exec("\n".join(self.functions), namespace)  # our own schemas; every literal goes through repr
        check: Check = namespace[entry]
        return check


# JSON Schema's integer includes 1.0, and true is no number.
_TYPE_TESTS = {
    "string": "isinstance({v}, str)",
    "object": "isinstance({v}, dict)",
    "array": "isinstance({v}, list)",
    "boolean": "isinstance({v}, bool)",
    "null": "{v} is None",
    "number": "isinstance({v}, (int, float)) and not isinstance({v}, bool)",
    "integer": "(isinstance({v}, int) and not isinstance({v}, bool)) or (isinstance({v}, float) and {v}.is_integer())",
}
_PYTHON_TYPES = {"string": "str", "array": "list", "object": "dict"}  # the JSON types that are one Python type
_COMPARISONS = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}
_LENGTHS = {"maxLength": ("str", "<="), "minLength": ("str", ">="), "maxItems": ("list", "<="), "minItems": ("list", ">=")}


def _unsupported(name: str) -> str:
    raise Unsupported(name)


def _unique(items: list[Any]) -> bool:
    return all(not json_equal(items[i], items[j]) for i in range(len(items)) for j in range(i + 1, len(items)))


def compile_schema(name: str, resolve: Callable[[str], Mapping[str, Any]]) -> Check | None:
    """A predicate equal to "jsonschema finds no error", or None if the schema is beyond it."""
    try:
        return _Generator(resolve).build(resolve(name), name)
    except (Unsupported, KeyError, TypeError, re.error):
        return None
