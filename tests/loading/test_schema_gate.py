"""The yes/no gate (jsonschema-rs, with our two keywords) agrees with jsonschema, which writes
the messages, on every schema we ship."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from publisher.loading import schema
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
    expected = not any(True for _ in schema.validator(name).iter_errors(instance))
    assert fast(instance) == expected, (name, instance)


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
    ("field", "valid", "invalid"),
    [
        ("message", ["x" * 280, "see https://example.com/" + "x" * 300], ["x" * 281, "👍" * 141, "a\ufeff"]),
    ],
)
def test_the_twitter_length_keyword_counts_as_twitter_does(field, valid, invalid):
    entry = {"type": "twitter/post", "identity": "2af20011-8965-471b-8f6b-8b66a611aae6"}
    check = schema.fast_validator("twitter.post.json")
    assert all(check({**entry, field: value}) for value in valid)
    assert not any(check({**entry, field: value}) for value in invalid)


def test_the_utf8_bytes_keyword_counts_bytes():
    entry = {"type": "youtube/playlist", "identity": "2af20011-8965-471b-8f6b-8b66a611aae6", "title": "T"}
    check = schema.fast_validator("youtube.playlist.json")
    assert check({**entry, "description": "a" * 5000}) and not check({**entry, "description": "ж" * 2501})
