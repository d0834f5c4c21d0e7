"""The calendar as text, JSON, iCalendar (RFC 5545) and an HTML page."""

from __future__ import annotations

import datetime as dt
import html
import json
from typing import Any

from .. import DISTRIBUTION, __version__
from ..model import Calendar, Item
from ..rules import counted, is_web_url, network_title
from .page import page
from .terminal import inert

_VERB = {"publish": "publish", "expire": "delete (expire_at)"}


def calendar_text(found: Calendar) -> str:
    zone = found.time_zone.key
    lines = [f"Calendar from {found.start} to {found.end - dt.timedelta(days=1)} ({zone}): {counted(len(found.items), 'item')}"]
    for day, items in found.by_day().items():
        lines += ["", f"{day:%a %d %b %Y}"]
        for item in items:
            who = f"{network_title(item.type)}, {item.identity}"
            verb = "published" if item.published else _VERB[item.kind]
            where = f"  {item.url}" if item.url else ""
            lines.append(f"  {item.when:%H:%M}  {verb:<18} {item.address}  ({who})  {item.text}{where}")
    if not found.items:
        lines.append("Nothing is scheduled or expires in these days.")
    return inert("\n".join(lines)) + "\n"


def calendar_json(found: Calendar) -> str:
    items = [
        {
            "date": item.when.date().isoformat(),
            "time": item.when.isoformat(),
            "utc": item.when.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
            "kind": item.kind,
            "address": item.address,
            "type": item.type,
            "network": item.network,
            "identity": item.identity,
            "text": item.text,
            "published": item.published,
            "url": item.url,
        }
        for item in found.items
    ]
    document: dict[str, Any] = {
        "time_zone": found.time_zone.key,
        "from": found.start.isoformat(),
        "days": found.days,
        "items": items,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def calendar_ics(found: Calendar, *, now: dt.datetime) -> str:
    """One event per item, its UID stable from its address, times in UTC: calendar apps update
    an event in place when a later export moves it."""
    stamp = _utc(now)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:-//{DISTRIBUTION}//publisher {__version__}//EN", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{_text('publisher calendar')}"]  # fmt: skip
    for item in found.items:
        verb = "Publish" if item.kind == "publish" else "Delete"
        lines += [
            "BEGIN:VEVENT",
            f"UID:{_text(item.kind)}.{_text(item.address)}@{DISTRIBUTION}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_utc(item.when)}",
            "DURATION:PT15M",
            f"SUMMARY:{_text(f'{verb} {network_title(item.type)}: {item.text or item.address}')}",
            f"DESCRIPTION:{_text(f'{item.address} ({item.type}, identity {item.identity})')}",
            f"CATEGORIES:{_text(network_title(item.type))}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def calendar_html(found: Calendar) -> str:
    days = []
    for day, items in found.by_day().items():
        cards = "\n".join(_item_html(item) for item in items)
        days.append(f'<section class="day"><h2>{day:%A %d %B %Y}</h2><div class="items">\n{cards}\n</div></section>')
    return calendar_page(found, "\n".join(days), "calendar")


def calendar_page(found: Calendar, body: str, main_class: str) -> str:
    """A view of the calendar as a page (the list here, the grids in calendar_grid.py): how
    many items from when to when, and the filter by network."""
    last = found.end - dt.timedelta(days=1)
    span = f"{found.start:%a %d %b} to {last:%a %d %b %Y} ({html.escape(found.time_zone.key)})"
    intro = f'<p class="summary">{_item_counts(found)} from {span}</p>'
    if not found.items:
        intro += '<p class="empty">Nothing is scheduled or expires in these days.</p>'
    networks = sorted({item.network for item in found.items})
    return page("publisher calendar", intro, networks, body, main_class=main_class)


def _item_counts(found: Calendar) -> str:
    """How many items, and how many of each network: the page's filter shows the one that applies."""
    per_network: dict[str, int] = {}
    for item in found.items:
        per_network[item.network] = per_network.get(item.network, 0) + 1
    return f'<span class="count all">{counted(len(found.items), "item")}</span>' + "".join(
        f'<span class="count net-{net}">{counted(count, "item")}</span>' for net, count in sorted(per_network.items())
    )


def _item_html(item: Item) -> str:
    net = item.network
    kind = "expires" if item.kind == "expire" else "publishes"
    return (
        f'<article class="item net-{net} {kind}" data-network="{net}" data-address="{html.escape(item.address)}">'
        f'<p><span class="time">{item.when:%H:%M}</span> · <span class="network">{html.escape(network_title(item.type))}</span>'
        f" · {html.escape(item.identity)}</p>"
        f"<p>{_verb_html(item)} <code>{html.escape(item.address)}</code></p>"
        f"<p>{html.escape(item.text)}</p></article>"
    )


def _verb_html(item: Item) -> str:
    """What happens to the item then: deleted, published, or published already (with its link)."""
    if item.kind == "expire":
        return "Deletes"
    if not item.published:
        return "Publishes"
    url = html.escape(item.url, quote=True) if item.url is not None and is_web_url(item.url) else None
    return f'Published (<a href="{url}" rel="noopener noreferrer">see it</a>)' if url else "Published"


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _text(value: str) -> str:
    """An iCalendar TEXT value: backslash, semicolon, comma and newlines escaped, no control characters."""
    value = "".join(c for c in value if c in "\n" or c >= " " and c != "\x7f")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines of at most 75 octets, continued with a space (RFC 5545, 3.1), never inside a character."""
    out: list[str] = []
    current = ""
    for character in line:
        if len((current + character).encode("utf-8")) > (75 if not out else 74):
            out.append(current)
            current = ""
        current += character
    out.append(current)
    return "\r\n ".join(out)
