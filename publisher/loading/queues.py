"""Posting queues of `publisher.yaml` (`queues:`): what each matches and when its slots are.

The schema has checked the shapes (slots as HH:MM, known days); this reads them into values
and says what it cannot: an unknown time zone, a name used twice.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from ..errors import Diagnostic
from ..model import Resource
from .documents import Document, dotted
from .policies import globs, time_zone

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Queue:
    name: str
    slots: tuple[dt.time, ...]  # sorted
    days: frozenset[int]  # weekday numbers, Monday 0
    zone: zoneinfo.ZoneInfo
    match: dict[str, Any]  # type, address, identity: compiled globs (None: any)
    where: Any  # the Location of its entry in publisher.yaml

    def matches(self, resource: Resource) -> bool:
        checks = {"type": resource.type.name, "address": resource.address, "identity": resource.alias or resource.identity}
        return all(pattern.fullmatch(checks[key]) for key, pattern in self.match.items() if pattern is not None)


def parse(document: Document, entries: list[dict[str, Any]], default_zone: str) -> tuple[list[Queue], list[Diagnostic]]:
    queues, problems, names = [], [], set()
    for index, entry in enumerate(entries):
        path = ("queues", index)
        if entry["name"] in names:
            where = (*path, "name")
            problems.append(Diagnostic(document.locate(where), dotted(where), f"{entry['name']!r} is used twice"))
        names.add(entry["name"])
        zone = time_zone(document, (*path, "time_zone"), entry.get("time_zone", default_zone))
        if isinstance(zone, Diagnostic):
            problems.append(zone)
            continue
        queues.append(
            Queue(
                name=entry["name"],
                slots=tuple(sorted(dt.time.fromisoformat(slot) for slot in entry["slots"])),
                days=frozenset(DAYS.index(day) for day in entry.get("days", DAYS)),
                zone=zone,
                match={key: globs(entry["match"].get(key)) for key in ("type", "address", "identity")},
                where=document.locate(path),
            )
        )
    return queues, problems


def check(queues: list[Queue], resources: dict[str, Resource]) -> list[Diagnostic]:
    """A resource two queues match is an error; a queue that matches nothing, a warning."""
    found: list[Diagnostic] = []
    for queue in queues:
        if not any(queue.matches(r) for r in resources.values() if r.publish_at is None or r.queued):
            found.append(
                Diagnostic(queue.where, f"queues.{queue.name}", "matches no entry without publish_at", severity="warning")
            )
    for resource in resources.values():
        if resource.publish_at is not None and not resource.queued:
            continue
        matching = [queue.name for queue in queues if queue.matches(resource)]
        if len(matching) > 1:
            found.append(
                Diagnostic(resource.location, resource.address, f"is matched by more than one queue: {', '.join(matching)}")
            )
    return found
