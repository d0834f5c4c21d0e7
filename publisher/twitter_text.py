"""A tweet's length as Twitter counts it: the rules of twitter-text v3, the library Twitter's
own apps use (github.com/twitter/twitter-text, Apache-2.0).

- The text is NFC-normalised first.
- A link counts 23, however long (Twitter shortens it to t.co). A link is what twitter-text
  finds: with `http(s)://`, or a bare domain on one of the top-level domains in
  `data/twitter_tlds.yml`. A bare domain of one label on a country TLD ("bit.ly") is a link
  only with a path ("bit.ly/abc"), except on .co and .tv.
- An emoji counts 2, with everything that joins or modifies it (ZWJ sequences, skin tones,
  variation selectors, keycaps, flags, tag sequences).
- Any other code point counts 1 in the ranges below (Latin, Greek, Cyrillic, Arabic, Hebrew,
  Indic scripts, and common punctuation), 2 elsewhere (CJK, for example).
- U+FFFE, U+FEFF and U+FFFF make a tweet invalid whatever its length.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import NamedTuple

import yaml

TLD_FILE = Path(__file__).with_name("data") / "twitter_tlds.yml"
URL_WEIGHT = 23
_LIGHT = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
_INVALID = "\ufffe\ufeff\uffff"
_DIRECTIONAL = "\u202a-\u202e\u061c\u200e\u200f\u2066-\u2069"
_SPACES = "\t-\r \x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_PUNCTUATION = re.escape("!'#%&()*+,\\-./:;<=>?@[]^_{|}~$")
_LATIN_ACCENTS = (
    "\xc0-\xd6\xd8-\xf6\xf8-\xff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b\u0263\u0268\u026f\u0272\u0289\u028b"
    "\u02bb\u0300-\u036f\u1e00-\u1eff"
)
_CYRILLIC = "\u0400-\u04ff"
_MAX_URL_LENGTH = 4096  # with its protocol, "https://" when none is written
_MAX_LABEL_LENGTH = 63  # a domain label, punycode-encoded
_MAX_TCO_SLUG = 40

# An emoji and what joins or modifies it. Code points in the symbol ranges weigh 2 anyway;
# what this adds is that a whole sequence weighs 2, and that ©, ® and keycaps weigh 2.
_EMOJI_BASE = "[\u00a9\u00ae\u203c-\u3299\U0001f000-\U0001faff]"
# Bounded as Unicode's recommended sequences are: at most 4 emoji joined by ZWJ (a family, a
# kiss), a skin tone and a variation selector each, a subdivision flag's tags. A longer chain
# is several emoji, each weighing 2.
_EMOJI_MODIFIERS = "[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]{0,2}(?:[\U000e0020-\U000e007e]{1,6}\U000e007f)?"
_EMOJI = re.compile(
    "[\U0001f1e6-\U0001f1ff]{2}"  # a flag: two regional indicators
    "|[#*0-9]\ufe0f?\u20e3"  # a keycap
    f"|{_EMOJI_BASE}{_EMOJI_MODIFIERS}(?:\u200d{_EMOJI_BASE}{_EMOJI_MODIFIERS}){{0,3}}"
)
# The most code points one unit of weight can stand for: a link of _MAX_URL_LENGTH weighs 23,
# and NFC folds at most 3 code points into one. A longer text is over its limit uncounted.
_MOST_PER_UNIT = 3 * (_MAX_URL_LENGTH // URL_WEIGHT + 1)


TWEET_LIMIT = 280  # twitter-text v3's maxWeightedTweetLength


class TweetCount(NamedTuple):
    weighted_length: int
    valid_characters: bool  # no U+FFFE, U+FEFF or U+FFFF


def twitter_length(text: str) -> int:
    """The length Twitter checks against TWEET_LIMIT (in units of one Latin character)."""
    return count(text).weighted_length


def within_twitter_length(text: str, limit: int) -> bool:
    """Whether `text` is within `limit` as Twitter counts, with no character Twitter refuses.

    ASCII text is answered without finding its links when that cannot matter: every ASCII
    character weighs 1, and each link holds a "." and adds at most 23. A text far over every
    limit is refused before it is counted (counting a million characters takes seconds)."""
    if surely_over(text, limit):
        return False
    if text.isascii() and len(text) + URL_WEIGHT * text.count(".") <= limit:
        return True
    result = count(text)
    return result.valid_characters and result.weighted_length <= limit


def surely_over(text: str, limit: int) -> bool:
    """Whether `text` is over `limit` whatever its links and emoji, without counting it."""
    return len(text) > _MOST_PER_UNIT * (limit + 1)


def count(text: str) -> TweetCount:
    text = unicodedata.normalize("NFC", text)
    links = {start: end for start, end in link_spans(text)}
    emoji = {} if text.isascii() else {match.start(): match.end() for match in _EMOJI.finditer(text)}
    total = 0
    index = 0
    while index < len(text):
        if index in links:
            total += URL_WEIGHT
            index = links[index]
        elif index in emoji:
            total += 2
            index = emoji[index]
        else:
            point = ord(text[index])
            total += 1 if any(low <= point <= high for low, high in _LIGHT) else 2
            index += 1
    return TweetCount(total, not any(character in text for character in _INVALID))


def link_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every link twitter-text finds in `text`, in order.

    twitter-text finds links with one regular expression whose domain part alternates over
    ~1,500 TLDs; run by Python's engine it backtracks through every label of a long dotted run
    at every start (6 s for 2,000 characters). This finds the same domains by walking the
    labels once: a run of labels that holds no domain from one start holds none from a later one.
    """
    if not _DOT_LETTER.search(text):
        return []  # every TLD starts with a letter, right after a dot
    tlds = _tlds()
    spans: list[tuple[int, int]] = []
    position = 0  # where the next link may start
    dead_until = 0  # starts before this are known to find no domain
    for start in range(len(text)):
        if start < position or start < dead_until:
            continue
        if start > 0 and not _may_precede(text[start - 1]):
            continue
        found = _url_at(text, start, tlds)
        if found is None:
            dead_until = _run_end(text, start, _LABELS, _WORD)
            continue
        url_end, protocol, domain, has_path = found
        position = url_end
        url = text[start:url_end]
        if not _host_fits(domain, len(protocol or "https://") + len(url), tlds):
            continue
        if protocol:
            tco = _TCO.match(url)
            if tco and len(tco.group(1)) > _MAX_TCO_SLUG:
                continue
            spans.append((start, start + tco.end() if tco else url_end))
        elif start == 0 or text[start - 1] not in "-_./":
            for ascii_start, ascii_end in _ascii_domains(domain, tlds):
                short = _is_short_domain(domain[ascii_start:ascii_end], tlds)
                if has_path or not short:
                    spans.append((start + ascii_start, start + ascii_end))
            if has_path and spans and spans[-1][0] >= start:
                spans[-1] = (spans[-1][0], url_end)
    return spans


def _may_precede(character: str) -> bool:
    """A link starts at the text's start or after a character that cannot be part of a word,
    a mention, a hashtag or a cashtag."""
    return not (character.isascii() and character.isalnum()) and character not in "@＠$#＃" + _INVALID


def _url_at(text: str, start: int, tlds: _Tlds) -> tuple[int, str, str, bool] | None:
    """(end, protocol, domain, has a path) of the URL at `start`, or None."""
    protocol = _PROTOCOL.match(text, start)
    for domain_start in (protocol.end(), start) if protocol else (start,):
        domain_end = _domain_end(text, domain_start, _LABELS, tlds, no_underscore_last=True)
        if domain_end is not None:
            rest = _after_domain().match(text, domain_end)
            assert rest is not None  # everything in it is optional
            scheme = protocol.group() if protocol and domain_start == protocol.end() else ""
            return rest.end(), scheme, text[domain_start:domain_end], rest.group("path") is not None
    return None


def _domain_end(text: str, start: int, labels: re.Pattern[str], tlds: _Tlds, no_underscore_last: bool) -> int | None:
    """Where the longest domain at `start` ends: labels, each followed by a dot, then a TLD.
    Like the regular expression it stands for, it takes as many labels as it can."""
    run = labels.match(text, start)
    if run is None:
        return None
    names = run.group().split(".")[:-1]
    tld_start = run.end()
    for name in reversed(names):
        if not (no_underscore_last and "_" in name):
            tld = _tld_at(text, tld_start, tlds)
            if tld:
                return tld_start + tld
        tld_start -= len(name) + 1
    return None


def _run_end(text: str, start: int, labels: re.Pattern[str], word: re.Pattern[str]) -> int:
    """Where the next start may find a domain that `start` did not: past the dotted run of
    labels at `start` (a later start in it could only end on the TLDs this one tried), or past
    the word at `start` if no label ends there with a dot (no later start in it can either)."""
    run = labels.match(text, start) or word.match(text, start)
    return run.end() if run else start + 1


def _tld_at(text: str, position: int, tlds: _Tlds) -> int:
    """The length of the TLD at `position` (0: none): a generic one, else a country's, else
    punycode; the longest that ends where a word does."""
    for names in (tlds.generic, tlds.country):
        for length in tlds.lengths:
            end = position + length
            at_boundary = end == len(text) or (end < len(text) and not _ASCII_WORD.match(text[end]))
            if at_boundary and text[position:end].lower() in names:
                return length
    punycode = _PUNYCODE.match(text, position)
    return punycode.end() - position if punycode else 0


def _ascii_domains(domain: str, tlds: _Tlds) -> list[tuple[int, int]]:
    """The domains in `domain` made of Latin labels (a bare link must have one)."""
    found = []
    start = 0
    while start < len(domain):
        end = _domain_end(domain, start, _LATIN_LABELS, tlds, no_underscore_last=False)
        if end is None:
            start = _run_end(domain, start, _LATIN_LABELS, _LATIN_WORD)
        else:
            found.append((start, end))
            start = end
    return found


def _is_short_domain(domain: str, tlds: _Tlds) -> bool:
    """One label on a country TLD ("bit.ly"), other than .co and .tv: not a link without a path."""
    name, dot, tld = domain.partition(".")
    return bool(dot and _NAME.fullmatch(name)) and tld.lower() in tlds.country and tld.lower() not in ("co", "tv")


def _host_fits(domain: str, length: int, tlds: _Tlds) -> bool:
    """Each label of the host fits DNS once punycode-encoded, and the URL, with its protocol,
    is at most 4096 long."""
    if length > _MAX_URL_LENGTH or (domain.startswith("xn--") and not _ascii_domains(domain, tlds)):
        return False
    for label in domain.split("."):
        encoded = label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")
        if not 1 <= len(encoded) <= _MAX_LABEL_LENGTH:
            return False
    return True


class _Tlds(NamedTuple):
    generic: frozenset[str]
    country: frozenset[str]
    lengths: tuple[int, ...]  # longest first


def top_level_domains() -> tuple[list[str], list[str]]:
    """(generic, country) top-level domains, from `data/twitter_tlds.yml`."""
    lists = yaml.load(TLD_FILE.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return list(lists["generic"]), list(lists["country"])


@cache
def _tlds() -> _Tlds:
    generic, country = top_level_domains()
    lengths = tuple(sorted({len(name) for name in generic + country}, reverse=True))
    return _Tlds(frozenset(generic), frozenset(country), lengths)


_DOT_LETTER = re.compile(r"\.[^\W\d_]")
_DOMAIN_CHAR = f"[^{_PUNCTUATION}{_SPACES}{_INVALID}{_DIRECTIONAL}]"
_LABELS = re.compile(f"(?:{_DOMAIN_CHAR}(?:[-_]*{_DOMAIN_CHAR})*\\.)+")
_WORD = re.compile(f"{_DOMAIN_CHAR}(?:[-_]|{_DOMAIN_CHAR})*")
_NAME = re.compile(f"{_DOMAIN_CHAR}(?:-*{_DOMAIN_CHAR})*")
_LATIN_LABELS = re.compile(f"(?:[-a-z0-9{_LATIN_ACCENTS}]+\\.)+", re.IGNORECASE)
_LATIN_WORD = re.compile(f"[-a-z0-9{_LATIN_ACCENTS}]+", re.IGNORECASE)
_PROTOCOL = re.compile("https?://", re.IGNORECASE)
_PUNYCODE = re.compile("xn--[-0-9a-z]+", re.IGNORECASE)
_ASCII_WORD = re.compile("[0-9a-zA-Z@]")
_TCO = re.compile(r"https?://t\.co/([a-z0-9]+)", re.IGNORECASE)
_PATH_CHAR = f"[a-z{_CYRILLIC}0-9!*';:=+,.$/%#\\[\\]\\-\u2013_~@|&{_LATIN_ACCENTS}]"
_PARENS = f"\\((?:{_PATH_CHAR}+|(?:{_PATH_CHAR}*\\({_PATH_CHAR}+\\){_PATH_CHAR}*))\\)"
_PATH_END = f"(?:[-+a-z{_CYRILLIC}0-9=_#/{_LATIN_ACCENTS}]|(?:{_PARENS}))"
_PATH = f"(?:(?:{_PATH_CHAR}*(?:{_PARENS}{_PATH_CHAR}*)*{_PATH_END})|(?:@{_PATH_CHAR}+/))"
_AFTER_DOMAIN = f"(?::[0-9]+)?(?P<path>/{_PATH}*)?(?:\\?[a-z0-9!?*'@();:&=+$/%#\\[\\]\\-_.,~|]*[a-z0-9\\-_&=#/])?"


@cache
def _after_domain() -> re.Pattern[str]:
    """Port, path and query after a domain; compiled at the first link (a few ms of start-up)."""
    return re.compile(_AFTER_DOMAIN, re.IGNORECASE)
