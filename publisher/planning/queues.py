"""Posting queues: an entry a queue matches, written without publish_at, is given the next free
slot, one item per slot, in catalog order. The slot is kept in the state (State.queues) from
the first apply on, so later plans keep it: new items join the end of the queue, and removing
one frees its slot without moving the others. A slot that passed while no apply ran is
published at the next apply: late, never skipped.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

from ..loading.catalog import Catalog
from ..loading.queues import Queue
from ..model import CREATED, State
from ..rules import parse_time, timestamp


def assign(catalog: Catalog, state: State, now: dt.datetime) -> dict[str, dict[str, str]]:
    """Give every queued resource of `catalog` its slot as its publish_at (in place), and
    return the slots as the state keeps them: queue → address → slot (UTC)."""
    kept: dict[str, dict[str, str]] = {}
    published = {address for address, record in state.resources.items() if record.status == CREATED}
    for queue in catalog.project.queues:
        waiting = [
            address for address, resource in catalog.resources.items()
            if resource.publish_at is None and address not in published and queue.matches(resource)
        ]  # fmt: skip
        before = state.queues.get(queue.name, {})
        slots = {a: parse_time(before[a]) for a in waiting if a in before and _is_slot(queue, parse_time(before[a]))}
        last = max(slots.values(), default=None)
        free = _slots_after(queue, last if last is not None else now - dt.timedelta(seconds=1))
        for address in waiting:
            if address not in slots:
                slots[address] = next(free)
        for address, slot in slots.items():
            resource = catalog.resources[address]
            shown = f"{slot.astimezone(queue.zone):%a %-d %b %H:%M} {queue.zone.key} ({queue.name})"
            catalog.resources[address] = dataclasses.replace(resource, publish_at=slot, queued=f"queued for {shown}")
        if slots:
            kept[queue.name] = {address: timestamp(slot) for address, slot in slots.items()}
    return kept


def _is_slot(queue: Queue, moment: dt.datetime) -> bool:
    """Whether `moment` is still one of the queue's slots (its slots or days may have changed)."""
    local = moment.astimezone(queue.zone)
    return local.weekday() in queue.days and local.time().replace(tzinfo=None) in queue.slots


def _slots_after(queue: Queue, moment: dt.datetime) -> Iterator[dt.datetime]:
    """The queue's slots strictly after `moment`, in order, for ever."""
    day = moment.astimezone(queue.zone).date()
    while True:
        if day.weekday() in queue.days:
            for time in queue.slots:
                slot = dt.datetime.combine(day, time, tzinfo=queue.zone).astimezone(dt.UTC)
                if slot > moment:
                    yield slot
        day += dt.timedelta(days=1)
