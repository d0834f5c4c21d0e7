"""The compiled check agrees with jsonschema on every schema we ship."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from publisher.loading import schema
from publisher.loading.fastschema import compile_schema, json_equal
from publisher.resource_types import TYPES

NAMES = [t.schema_name for t in TYPES.values()] + ["project.json", "manifest.json"]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(allow_nan=False, width=16),
    st.text(max_size=6),
    st.sampled_from(
        [
            "PUBLIC",
            "public",
            "https://x.example/a.jpg",
            "ftp://x",
            "123",
            "club",
            "en",
            "pt-BR",
            "2af20011-8965-471b-8f6b-8b66a611aae6",
            "x" * 281,
            "👍" * 141,
            "singlePlaylist",
            "horizontalRow",
        ]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["ref", "a", "b"]), inner, max_size=2),
    max_leaves=6,
)


def _keys(name: str) -> list[str]:
    document = schema.load_schema(name)
    return sorted(document.get("properties", {})) + ["extra"]


@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_fast_check_agrees_with_jsonschema(data):
    name = data.draw(st.sampled_from(NAMES))
    keys = _keys(name)
    instance = data.draw(st.dictionaries(st.sampled_from(keys), values, max_size=len(keys)) | values)
    fast = schema.fast_validator(name)
    assert fast is not None
    expected = not any(True for _ in schema.validator(name).iter_errors(instance))
    assert fast(instance) == expected, (name, instance)


def test_every_shipped_schema_compiles():
    assert all(schema.fast_validator(name) is not None for name in NAMES)


def test_json_equality_tells_booleans_from_numbers():
    assert not json_equal(True, 1) and not json_equal(0, False)
    assert json_equal(1, 1.0) and json_equal({"a": [1]}, {"a": [1.0]})


EXAMPLES = [(t.schema_name, example) for t in TYPES.values() for example in schema.load_schema(t.schema_name).get("examples", [])]


@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_agreement_near_valid_entries(data):
    name, example = data.draw(st.sampled_from(EXAMPLES))
    instance = dict(example)
    for _ in range(data.draw(st.integers(0, 2))):
        key = data.draw(st.sampled_from(_keys(name)))
        if data.draw(st.booleans()) and key in instance:
            del instance[key]
        else:
            instance[key] = data.draw(values)
    expected = not any(True for _ in schema.validator(name).iter_errors(instance))
    assert schema.fast_validator(name)(instance) == expected, (name, instance)


@pytest.mark.parametrize(
    ("shape", "valid", "invalid"),
    [
        ({"maxLength": 2, "pattern": "^a"}, [5, None, [1, 2, 3], "ab"], ["abc", "b"]),  # no type: other kinds pass
        ({"type": "string", "maxLength": 2}, ["ab"], [5, "abc", ["a"]]),
        ({"type": "array", "maxItems": 1, "uniqueItems": True}, [[1]], [[1, 2], "a", {"a": 1}]),
        ({"required": ["a"]}, [{"a": 1}, "no object", 3], [{"b": 1}]),
        ({"type": "object", "required": ["a"]}, [{"a": 1}], [{"b": 1}, "no object"]),
        ({"const": "a"}, ["a"], ["b", 1, True, None, ["a"]]),
        ({"x-twitter-length": 30}, ["x" * 30, "see https://t.co", 12], ["x" * 31, "👍" * 16]),
        ({"x-max-utf8-bytes": 6}, ["abcdef", "ñññ", 7], ["abcdefg", "ññññ", "日本語"]),
    ],
)
def test_schemas_beyond_ours_compile_to_what_they_say(shape, valid, invalid):
    check = compile_schema("s.json", lambda name: shape)
    assert check is not None
    assert all(check(value) for value in valid)
    assert not any(check(value) for value in invalid)
