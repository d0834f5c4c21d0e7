"""Content limits as the networks count them (used by the `x-twitter-length` schema keyword)."""

from __future__ import annotations

import re
import unicodedata

# twitter-text v3: a URL counts as 23; code points in these ranges count 1, all others 2.
_URL = re.compile(r"https?://[^\s]+|(?<![\w@.])(?:[a-z0-9-]+\.)+(?:com|org|net|io|co|es|de|fr|uk|eu)(?:/[^\s]*)?", re.I)
_LIGHT = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
_URL_WEIGHT = 23
# An emoji and what joins or modifies it (ZWJ, variation selectors, skin tones, tags, keycaps).
_EMOJI = re.compile(
    "(?:[\U0001f1e6-\U0001f1ff]{2}"  # a flag: two regional indicators
    "|[#*0-9]\ufe0f?\u20e3"  # a keycap
    "|[\u203c-\u3299\U0001f000-\U0001faff]"
    "[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f]*"
    "(?:\u200d[\u203c-\u3299\U0001f000-\U0001faff][\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]*)*)"
)


def _weight(character: str) -> int:
    point = ord(character)
    return 1 if any(low <= point <= high for low, high in _LIGHT) else 2


def twitter_length(text: str) -> int:
    """The length Twitter checks against its 280 limit (in units of one Latin character)."""
    text = unicodedata.normalize("NFC", text)
    total = 0
    position = 0
    for match in _URL.finditer(text):
        total += _count_plain(text[position : match.start()]) + _URL_WEIGHT
        position = match.end()
    return total + _count_plain(text[position:])


def within_twitter_length(text: str, limit: int) -> bool:
    """`twitter_length(text) <= limit`, without finding the URLs where that cannot matter: in
    ASCII text every character weighs 1, and each URL (it holds a "." or a "://", and URLs
    do not overlap) adds at most its 23."""
    if text.isascii() and len(text) + _URL_WEIGHT * (text.count(".") + text.count("://")) <= limit:
        return True
    return twitter_length(text) <= limit


def _count_plain(text: str) -> int:
    if text.isascii():
        return len(text)  # every ASCII character weighs 1, and none starts an emoji we count
    total = 0
    position = 0
    for match in _EMOJI.finditer(text):
        total += sum(_weight(c) for c in text[position : match.start()]) + 2
        position = match.end()
    return total + sum(_weight(c) for c in text[position:])
