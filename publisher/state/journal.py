"""The journal of an apply: every intent and outcome, durable before the next step.

Before a create is sent, its `pending` record is appended; after the answer, the outcome. At
the end the state is written once and the journal dropped. A crash at any moment leaves a
journal that the next command folds in: nothing created is ever forgotten. Each backend
keeps the events its own way (a file of lines, rows, objects); everything else is here.
"""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING, Any

from ..errors import StateError
from ..model import State, StateRecord
from . import document

if TYPE_CHECKING:
    from .store import StateStore

VERSION = 1
Event = tuple[str, StateRecord | None]  # (address, its record, or None for a removal)


def parse_events(lines: list[str], name: str, state: State, state_exists: bool) -> list[Event]:
    """The events of an unfinished apply (one JSON document a line, the header first), checked
    against the state they started from. `name` says where they are, in messages."""
    events: list[Any] = []
    for number, line in enumerate(lines):
        try:
            events.append(json.loads(line))
        except (ValueError, RecursionError):  # ValueError includes JSONDecodeError
            if number == len(lines) - 1:
                break  # torn by a crash while writing: that event's request was never sent
            raise StateError(f"{name}:{number + 1}: the journal is damaged; nothing was changed") from None
    if not events:
        return []  # killed before its header was written: nothing was sent
    header = events[0]
    if not isinstance(header, dict) or header.get("journal") != VERSION:
        raise StateError(f"{name}: not a publisher journal; move it away to continue")
    lineage, base = header.get("lineage"), header.get("base_serial")
    if not state_exists and state.serial == 0 and isinstance(lineage, str):
        state.lineage = lineage  # the crashed apply was creating the state
    if lineage == state.lineage and isinstance(base, int) and base < state.serial:
        return []  # folded by a state write, then the process died before dropping it
    if (lineage, base) != (state.lineage, state.serial):
        raise StateError(
            f"{name}: this journal of an unfinished apply belongs to serial {base} of lineage {lineage}, "
            f"but the state is at serial {state.serial} of {state.lineage}; nothing was changed"
        )
    return [_event(name, number, event) for number, event in enumerate(events[1:], start=2)]


def _event(name: str, number: int, event: Any) -> Event:
    where = f"{name}:{number}"
    if not isinstance(event, dict) or not isinstance(event.get("address"), str):
        raise StateError(f"{where}: a journal event needs an address")
    if event.get("op") == "remove":
        return event["address"], None
    if event.get("op") == "set":
        document.check(event.get("record"), f"{where}: record", part="record")
        return event["address"], StateRecord.from_json(event["record"], f"{where}: record")
    raise StateError(f"{where}: unknown journal operation {event.get('op')!r}")


def fold(state: State, events: list[Event]) -> None:
    """Replay journal events on `state`. A create whose outcome never arrived stays pending."""
    for address, record in events:
        if record is None:
            state.resources.pop(address, None)
        else:
            state.resources[address] = record


def encode_event(event: dict[str, Any]) -> str:
    return json.dumps(event, sort_keys=True, ensure_ascii=False)


class Journal:
    """An apply's events, appended durably one by one through the backend; `finish` writes
    the state once. Every event is written only while this run still holds its lock: a run
    that lost it (frozen past its lease, unlocked by force, its lock file moved aside) writes
    nothing more, and since a create's intent is written before it is sent, sends nothing
    more either."""

    def __init__(self, store: StateStore, state: State, *, always_write: bool = False) -> None:
        self.store = store
        self.backend = store.backend
        self.state = state
        self.base_serial = state.serial
        self.changed = False
        self.always_write = always_write  # a saved plan is used up by applying it, even if nothing changed
        self.lock = threading.RLock()  # workers of one apply record outcomes at once
        self._number = 0

    def start(self) -> Journal:
        self._append({"journal": VERSION, "lineage": self.state.lineage, "base_serial": self.state.serial})
        return self

    def _append(self, event: dict[str, Any]) -> None:
        with self.lock:
            self.backend.fence()
            self.backend.append(self._number, encode_event(event))
            self._number += 1

    def set(self, address: str, record: StateRecord) -> None:
        """Durably record `record` for `address`, then apply it to the state in memory."""
        with self.lock:
            self._append({"op": "set", "address": address, "record": record.to_json()})
            self.state.resources[address] = record
            self.changed = True

    def remove(self, address: str) -> None:
        with self.lock:
            self._append({"op": "remove", "address": address})
            self.state.resources.pop(address, None)
            self.changed = True

    def finish(self) -> None:
        """Write the state once (only if something changed) and drop the journal; either only
        while this run still holds its lock (the write checks it itself)."""
        if self.always_write or (self.changed and not self.store.holds(self.state)):
            self.store.write(self.state, expected_serial=self.base_serial)  # drops the journal too
        else:
            self.backend.fence()
            self.backend.drop_events()
