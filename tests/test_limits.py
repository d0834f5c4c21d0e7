from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from publisher.limits import twitter_length, within_twitter_length


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("hello", 5),
        ("x" * 280, 280),
        ("https://www.fcbarcelona.com/tickets/a/very/long/path?with=query", 23),
        ("tickets: https://t.co/x", 9 + 23),
        ("👍", 2),
        ("👨‍👩‍👧‍👦", 2),  # one family emoji, however many code points
        ("🇪🇸", 2),
        ("日本語", 6),
        ("café", 4),
        ("cafe\u0301", 4),  # normalised to NFC first
        ("“quoted” — dash", 15),
    ],
)
def test_twitter_counts_like_twitter(text, length):
    assert twitter_length(text) == length


@settings(max_examples=2000, deadline=None)
@given(
    st.lists(
        st.sampled_from(list("ab .:/-@x") + ["http://", "https://", ".com", ".io", "é", "👍", "\u0301", "\n"]), max_size=20
    ).map("".join),
    st.integers(0, 120),
)
def test_the_quick_bound_answers_as_counting_does(text, limit):
    assert within_twitter_length(text, limit) == (twitter_length(text) <= limit)
