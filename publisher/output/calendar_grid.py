"""The calendar as grids, as social teams read one: a month (weeks as rows, Monday first) and a
week (days as columns, hours as rows), as a self-contained page, and a compact text month.

Gaps and clusters show at a glance: each item is a chip in its network's colour with its time;
a day with more than three keeps the rest behind "+N more" (a <details>, no script).
"""

from __future__ import annotations

import datetime as dt
import html

from ..model import Calendar, Item
from ..rules import counted, network_title
from .calendar import calendar_page
from .terminal import inert

SHOWN_PER_DAY = 3
_SHORT = {"twitter": "TW", "facebook": "FB", "linkedin": "IN", "pinterest": "PI", "youtube": "YT"}  # the network, on a chip
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _weeks(found: Calendar) -> list[list[dt.date]]:
    """The whole weeks (Monday to Sunday) that hold the calendar's days."""
    first = found.start - dt.timedelta(days=found.start.weekday())
    last = found.end - dt.timedelta(days=1)
    last += dt.timedelta(days=6 - last.weekday())
    count = (last - first).days // 7 + 1
    return [[first + dt.timedelta(days=7 * week + day) for day in range(7)] for week in range(count)]


def _range(found: Calendar) -> str:
    last = found.end - dt.timedelta(days=1)
    return f"{found.start:%a %d %b} to {last:%a %d %b %Y}"


def _chip(item: Item) -> str:
    net = item.network
    verb = "deletes" if item.kind == "expire" else "published" if item.published else "publishes"
    title = f"{item.when:%H:%M} {network_title(item.type)} ({item.identity}) {verb} {item.address}: {item.text}"
    return (
        f'<li class="chip net-{net} {verb}" data-network="{net}" data-address="{html.escape(item.address)}" '
        f'title="{html.escape(title)}"><abbr class="net" title="{network_title(item.type)}">{_SHORT.get(net, "?")}</abbr>'
        f"<time>{item.when:%H:%M}</time> "
        f'<span class="text">{html.escape(item.text or item.address)}</span></li>'
    )


def _chips(items: list[Item]) -> str:
    shown = "".join(_chip(item) for item in items[:SHOWN_PER_DAY])
    rest = items[SHOWN_PER_DAY:]
    more = (
        f'<details class="more"><summary>+{len(rest)} more</summary><ul>{"".join(_chip(i) for i in rest)}</ul></details>'
        if rest
        else ""
    )
    return f"<ul>{shown}</ul>{more}"


def calendar_month_html(found: Calendar) -> str:
    """A month grid: weeks as rows, Monday first, today marked, days outside the range dimmed."""
    by_day = found.by_day()
    heads = "".join(f'<div class="dow">{name}</div>' for name in _DAYS)
    cells = []
    for week in _weeks(found):
        for day in week:
            classes = ["cell"]
            if not found.start <= day < found.end:
                classes.append("outside")
            if day == found.today:
                classes.append("today")
            label = f"{day.day} {day:%b}" if day.day == 1 or day == found.start else f"{day.day}"
            items = by_day.get(day, []) if found.start <= day < found.end else []
            cells.append(
                f'<div class="{" ".join(classes)}" data-date="{day.isoformat()}"><span class="date">{label}</span>'
                f"{_chips(items) if items else ''}</div>"
            )
    grid = f'<div class="month">{heads}{"".join(cells)}</div>'
    return calendar_page(found, grid, "calendar grid")


def calendar_week_html(found: Calendar) -> str:
    """A week grid per week: days as columns, hours as rows (only the hours that hold items,
    and the working day around them)."""
    by_day = found.by_day()
    hours = sorted({item.when.hour for item in found.items} | set(range(8, 19)))
    weeks = []
    for week in _weeks(found):
        heads = ['<div class="hour"></div>'] + [
            f'<div class="dow{" today" if day == found.today else ""}{"" if found.start <= day < found.end else " outside"}">'
            f"{day:%a} {day.day} {day:%b}</div>"
            for day in week
        ]
        rows = []
        for hour in hours:
            rows.append(f'<div class="hour">{hour:02d}:00</div>')
            for day in week:
                items = [i for i in by_day.get(day, []) if i.when.hour == hour] if found.start <= day < found.end else []
                rows.append(
                    f'<div class="slot" data-date="{day.isoformat()}" data-hour="{hour}">{_chips(items) if items else ""}</div>'
                )
        weeks.append(
            f'<section class="week"><h2>Week of {week[0]:%d %B %Y}</h2><div class="hours">{"".join(heads + rows)}</div></section>'
        )
    return calendar_page(found, "\n".join(weeks), "calendar grid")


def calendar_month_text(found: Calendar) -> str:
    """A compact month for a terminal: each day with how many items it holds (·N)."""
    by_day = found.by_day()
    lines = [f"Calendar {_range(found)} ({found.time_zone.key}): {counted(len(found.items), 'item')}", ""]
    lines.append(" ".join(f"{name:<7}" for name in _DAYS).rstrip())
    for week in _weeks(found):
        cells = []
        for day in week:
            if not found.start <= day < found.end:
                cells.append(f"{'':<7}")
                continue
            count = len(by_day.get(day, []))
            mark = "*" if day == found.today else " "
            cells.append(f"{day.day:>2}{mark}{'·' + str(count) if count else '':<4}")
        lines.append(" ".join(cells).rstrip())
    lines += ["", "·N: items that day; *: today. The list: publisher calendar --view list"]
    return inert("\n".join(lines)) + "\n"
