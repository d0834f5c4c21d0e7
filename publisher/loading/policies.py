"""Policies: the content rules of `publisher.yaml` (`policies:`), checked on the loaded catalog.

A policy matches resources by address and type globs and holds rules of three kinds: which
hosts links may point to, words texts must or must not hold, and when scheduled resources may
be published. Each violation is a Diagnostic at the field that breaks the rule.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
import unicodedata
import zoneinfo
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, NamedTuple

from ..errors import Diagnostic
from ..model import PathKey, Resource
from ..redact import mask
from ..resource_types import TYPES
from ..rules import TEXT_FIELDS, network
from ..twitter_text import link_spans
from . import schema
from .documents import Document, dotted

_URL_DEFINITIONS = ("common.json#/definitions/http_url", "common.json#/definitions/media_url")


@dataclass(frozen=True)
class Policy:
    name: str
    severity: str
    addresses: re.Pattern[str] | None  # the address globs as one pattern; None: every address
    types: re.Pattern[str] | None
    labels: re.Pattern[str] | None  # a resource matches with any label that matches
    allow_hosts: tuple[str, ...] | None
    require: tuple[str, ...]
    forbid: tuple[str, ...]
    quiet_hours: tuple[dt.time, dt.time] | None
    max_per_day: int | None
    per: str
    zone: zoneinfo.ZoneInfo

    exact_hosts: frozenset[str] = frozenset()  # allow_hosts, lower-case, without the *. ones
    host_suffixes: tuple[str, ...] = ()  # ".club.example" for "*.club.example"

    def applies_to(self, resource: Resource) -> bool:
        return (
            (self.addresses is None or self.addresses.match(resource.address) is not None)
            and (self.types is None or self.types.match(resource.type.name) is not None)
            and (self.labels is None or any(self.labels.match(label) for label in resource.labels))
        )


def parse(document: Document, entries: list[dict[str, Any]]) -> tuple[list[Policy], list[Diagnostic]]:
    """The policies of a project file its schema has accepted; what the schema cannot say
    (a time zone that does not exist, a name used twice) is a Diagnostic."""
    policies, problems, names = [], [], set()
    for index, entry in enumerate(entries):
        name = entry["name"]
        if name in names:
            path = ("policies", index, "name")
            problems.append(Diagnostic(document.locate(path), dotted(path), f"{name!r} is used twice"))
        names.add(name)
        rules = entry.get("schedule") or {}
        zone = time_zone(document, ("policies", index, "schedule", "time_zone"), rules.get("time_zone", "UTC"))
        if isinstance(zone, Diagnostic):
            problems.append(zone)
            continue
        match, text = entry.get("match") or {}, entry.get("text") or {}
        quiet = rules.get("not_between")
        allowed = entry["links"]["allow"] if "links" in entry else None  # None: links are not checked
        policies.append(
            Policy(
                name=name,
                severity=entry.get("severity", "error"),
                addresses=globs(match.get("address")),
                types=globs(match.get("type")),
                labels=globs(match.get("label")),
                allow_hosts=tuple(allowed) if allowed is not None else None,
                require=tuple(text.get("require") or ()),
                forbid=tuple(text.get("forbid") or ()),
                quiet_hours=(dt.time.fromisoformat(quiet[0]), dt.time.fromisoformat(quiet[1])) if quiet else None,
                max_per_day=rules.get("max_per_day"),
                per=rules.get("per", "identity"),
                zone=zone,
                exact_hosts=frozenset(host.lower() for host in allowed or () if not host.startswith("*.")),
                host_suffixes=tuple(host[1:].lower() for host in allowed or () if host.startswith("*.")),
            )
        )
    return policies, problems


def time_zone(document: Document, path: PathKey, name: str) -> zoneinfo.ZoneInfo | Diagnostic:
    """The IANA time zone `name`, or the Diagnostic at `path` that says it does not exist."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return Diagnostic(document.locate(path), dotted(path), f"unknown time zone {name!r}", "an IANA name: Europe/Madrid")


def check(policies: list[Policy], resources: dict[str, Resource]) -> list[Diagnostic]:
    """Every violation of every policy, errors and warnings alike (see Diagnostic.severity)."""
    found = []
    contents: dict[str, _Content] = {}  # each resource's texts and links, found once for all policies
    for policy in policies:
        matched = [resource for resource in resources.values() if policy.applies_to(resource)]
        for resource in matched:
            if policy.allow_hosts is not None or policy.require or policy.forbid:
                if resource.address not in contents:
                    contents[resource.address] = _content(resource)
                content = contents[resource.address]
                for field, message in _link_violations(policy, content) + _text_violations(policy, content):
                    found.append(_violation(policy, resource, field, message))
            if policy.quiet_hours and resource.publish_at:
                local = resource.publish_at.astimezone(policy.zone)
                if _between(local.time(), *policy.quiet_hours):
                    start, end = (moment.strftime("%H:%M") for moment in policy.quiet_hours)
                    message = f"publish_at is {local:%Y-%m-%d %H:%M} {policy.zone.key}, between {start} and {end}"
                    found.append(_violation(policy, resource, "publish_at", message))
        if policy.max_per_day:
            found.extend(_cadence_violations(policy, matched))
    return found


class _Content(NamedTuple):
    texts: list[tuple[str, str]]  # (manifest field, its text as a reader sees it)
    hosts: list[tuple[str, str, str]]  # (manifest field, URL, its host)


def _content(resource: Resource) -> _Content:
    """The texts of a resource, and every URL in it: its URL fields, and the links in its texts."""
    text_fields, url_fields = _fields(resource.type.name)
    body = resource.body
    texts = [(field, body[key]) for field, key in text_fields if isinstance(body.get(key), str)]
    urls = [(field, body[key]) for field, key in url_fields if isinstance(body.get(key), str)]
    urls += [(field, text[start:end]) for field, text in texts for start, end in link_spans(text)]
    seen = [(field, _as_read(text)) for field, text in texts]  # once for every policy's words
    return _Content(seen, [(field, url, _host(url)) for field, url in urls])


@cache
def _fields(type_name: str) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """(manifest field, body key) of the type's texts, and of its URL fields as its schema says."""
    resource_type = TYPES[type_name]
    properties = schema.load_schema(resource_type.schema_name).get("properties", {})
    urls = [name for name, rules in properties.items() if isinstance(rules, dict) and rules.get("$ref") in _URL_DEFINITIONS]
    return (
        tuple((field, resource_type.body_key(field)) for field in TEXT_FIELDS),
        tuple((field, resource_type.body_key(field)) for field in urls),
    )


def _violation(policy: Policy, resource: Resource, field: str, message: str) -> Diagnostic:
    return Diagnostic(resource.locate(field), resource.address, f"policy {policy.name}: {message}", severity=policy.severity)


def _link_violations(policy: Policy, content: _Content) -> list[tuple[str, str]]:
    if policy.allow_hosts is None:
        return []
    exact, suffixes = policy.exact_hosts, policy.host_suffixes
    return [
        (field, f"links to {host or url!r}, which is not an allowed host ({', '.join(policy.allow_hosts)})")
        for field, url, host in content.hosts
        if host not in exact and not host.endswith(suffixes)  # _host gives hosts in lower case
    ]


def _text_violations(policy: Policy, content: _Content) -> list[tuple[str, str]]:
    found = []
    for field, text in content.texts:
        found += [(field, f"must contain {word!r}") for word in policy.require if not _word(word).search(text)]
        found += [(field, f"must not contain {word!r}") for word in policy.forbid if _word(word).search(text)]
    return found


# Unicode's default-ignorable code points: drawn as nothing, so a word split by one reads whole.
_IGNORABLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    "\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)


def _as_read(text: str) -> str:
    """A text as a reader sees it: compatibility forms folded (NFKC: `café` written with a
    combining accent, full-width letters) and invisible characters removed."""
    return unicodedata.normalize("NFKC", _IGNORABLE.sub("", text))


def _cadence_violations(policy: Policy, resources: list[Resource]) -> Iterator[Diagnostic]:
    days: dict[tuple[str, dt.date], list[Resource]] = defaultdict(list)
    for resource in resources:
        if resource.publish_at:
            local_day = resource.publish_at.astimezone(policy.zone).date()
            days[(_counted_as(policy, resource), local_day)].append(resource)
    assert policy.max_per_day is not None
    for (who, day), scheduled in sorted(days.items()):
        if len(scheduled) > policy.max_per_day:
            scheduled.sort(key=lambda r: (r.publish_at, r.address))
            for extra in scheduled[policy.max_per_day :]:
                message = (f"{len(scheduled)} resources are scheduled on {day} ({policy.zone.key}) for {who}; "
                           f"at most {policy.max_per_day} a day")  # fmt: skip
                yield _violation(policy, extra, "publish_at", message)


def _counted_as(policy: Policy, resource: Resource) -> str:
    if policy.per == "network":
        return "network " + network(resource.type.name)
    return "identity " + (resource.alias or mask(resource.identity))


@cache
def _word(word: str) -> re.Pattern[str]:
    """A whole word, in any case: "ad" is not found in "#ad" or "add", "#ad" not in "#adventure"."""
    return re.compile(rf"(?<![\w#@]){re.escape(_as_read(word))}(?!\w)", re.IGNORECASE)


def _between(moment: dt.time, start: dt.time, end: dt.time) -> bool:
    """Whether `moment` is in [start, end); when end comes before start, the span crosses midnight."""
    return start <= moment < end if start <= end else moment >= start or moment < end


def globs(value: str | list[str] | None) -> re.Pattern[str] | None:
    """Globs (* and ?) as one pattern that matches a whole name."""
    if value is None:
        return None
    globs = [value] if isinstance(value, str) else value
    return re.compile("|".join(fnmatch.translate(glob) for glob in globs))


def _host(url: str) -> str:
    """The host a URL points to, read as browsers read it (the WHATWG URL standard): a
    backslash is a slash, tabs and newlines are dropped, and the host follows the last `@`
    before the path. `https://evil.net\\@shop.example.com/` goes to evil.net. A link found
    in a text may have no scheme."""
    url = url.strip("".join(map(chr, range(33))))  # C0 controls and space, at either end
    url = url.replace("\t", "").replace("\n", "").replace("\r", "").replace("\\", "/")
    scheme, separator, rest = url.partition(":")
    if separator and scheme.lower() in ("http", "https"):
        url = rest.lstrip("/")  # a special scheme's host follows any number of slashes
    elif "://" in url:
        url = url.split("://", 1)[1]
    authority = re.split(r"[/?#]", url, maxsplit=1)[0]
    return _host_of(authority.rpartition("@")[2])


@cache
def _host_of(authority: str) -> str:
    host = authority[: authority.index("]") + 1] if authority.startswith("[") and "]" in authority else authority.split(":")[0]
    return host.lower().rstrip(".")
