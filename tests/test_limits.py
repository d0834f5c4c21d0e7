from __future__ import annotations

import pytest

from publisher.limits import twitter_length


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
