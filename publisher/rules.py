"""Small rules that several stages share, written once: addresses, tokens, times, networks."""

from __future__ import annotations

import datetime as dt
import fnmatch
import ipaddress
import re
from collections.abc import Collection

# `<section>.<name>`: letters (any alphabet), digits, `_` and `-`. Nothing that could leave
# its place in a PR comment or a terminal: no backtick, `@`, `<`, control, bidi or
# zero-width character.
ENTRY_NAME = re.compile(r"[\w-]+")
ADDRESS = re.compile(rf"[A-Za-z0-9_-]+\.{ENTRY_NAME.pattern}(\.[a-z0-9-]+)?")  # SECTION.ENTRY[.VARIANT]
# An identity token is a UUID; unanchored, so it also finds tokens inside a text.
TOKEN = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")

_NETWORK_TITLES = {"youtube": "YouTube", "linkedin": "LinkedIn"}

# Variables that hold credentials in the places publisher runs (its own keys and state, the
# clouds, PostgreSQL, CI systems): never content, however publisher.yaml's env: is written.
CREDENTIAL_PREFIXES = ("ONEALL_", "PUBLISHER_", "AWS_", "PG", "GITHUB_", "ACTIONS_", "GITLAB_")
CREDENTIAL_NAMES = ("CI_JOB_TOKEN",)
CREDENTIAL_WORDS = ("SECRET", "PASSWORD", "PRIVATE", "CREDENTIAL", "TOKEN")
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def is_credential_name(name: str) -> bool:
    """Whether an environment variable (or the literal part of a glob) names a credential."""
    upper = name.upper()
    return upper.startswith(CREDENTIAL_PREFIXES) or upper in CREDENTIAL_NAMES or any(word in upper for word in CREDENTIAL_WORDS)


def credential_rule() -> str:
    """The rule as messages state it."""
    return f"{', '.join(p + '*' for p in CREDENTIAL_PREFIXES)}, {', '.join(CREDENTIAL_NAMES)} and any name containing " + (
        ", ".join(CREDENTIAL_WORDS)
    )


def is_address(value: object) -> bool:
    return isinstance(value, str) and ADDRESS.fullmatch(value) is not None


def targeted(address: str, labels: Collection[str], target: str) -> bool:
    """Whether `--target TARGET` selects an address: `label:NAME` by its labels, else a glob
    of addresses; an entry's address (SECTION.ENTRY) selects its variants too."""
    if target.startswith("label:"):
        return target[len("label:") :] in labels
    return fnmatch.fnmatchcase(address, target) or (address.count(".") == 2 and address.rsplit(".", 1)[0] == target)


REASON_LIMIT = 500  # characters of a reason people give (a takedown's, a break-glass's)


def is_one_line(text: str, limit: int) -> bool:
    """Printable text of at most `limit` characters: no newline or control character that
    could leave its place in a log line, the state or a terminal."""
    return len(text) <= limit and text.isprintable()


def is_token(value: object) -> bool:
    return isinstance(value, str) and TOKEN.fullmatch(value) is not None


# The fields people read in a resource, its main text first.
TEXT_FIELDS = ("message", "title", "name", "description")


def is_web_url(value: object) -> bool:
    """An http(s) URL: what may become a link or a picture in what publisher shows (no javascript:)."""
    return isinstance(value, str) and value.lower().startswith(("https://", "http://"))


def counted(count: int, noun: str) -> str:
    """`1 resource`, `2 resources`: a count and its noun, as people write them."""
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def network(type_name: str) -> str:
    """`pinterest/pin` → `pinterest`: rate limits and titles are per network."""
    return type_name.split("/", 1)[0]


def network_title(type_name: str) -> str:
    """How a network is named to people: `youtube/video` → YouTube."""
    name = network(type_name)
    return _NETWORK_TITLES.get(name, name.capitalize())


def parse_time(text: str) -> dt.datetime:
    """An ISO 8601 instant with a zone (`Z` allowed); ValueError without a zone or if malformed."""
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("it has no time zone; add Z or an offset such as +01:00")
    if not 1970 <= moment.year <= 9000:  # far from datetime's ends: a day added or a zone applied never overflows
        raise ValueError("it must be between the years 1970 and 9000")
    return moment.astimezone(dt.UTC)


def timestamp(moment: dt.datetime | None = None) -> str:
    """`2026-12-01T09:00:00Z`: how publisher writes an instant (now, by default)."""
    moment = moment or dt.datetime.now(dt.UTC)
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def is_loopback(host: str) -> bool:
    """Whether `host` is this machine: plain http and the sandbox are allowed only there."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)?")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, None: 1.0}


def parse_duration(text: str) -> float:
    """`10m`, `90s`, `1h`, `30d`, `500ms` or plain seconds → seconds; ValueError otherwise."""
    match = _DURATION.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a duration; write it as 30s, 10m or 1h")
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
