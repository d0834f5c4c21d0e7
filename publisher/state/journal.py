"""The journal of an apply: every intent and outcome, durable before the next step.

Before a create is sent, its `pending` record is appended; after the answer, the outcome. At
the end the state is written once and the journal dropped. A crash at any moment leaves a
journal that the next command folds in: nothing created is ever forgotten. Each backend
keeps the events its own way (a file of lines, rows, objects); reading them is shared here.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import StateError
from ..model import State, StateRecord
from .lock import LOCK_LOST

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
        return event["address"], StateRecord.from_json(event.get("record"), f"{where}: record")
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


class EventJournal:
    """An apply's events, appended durably one by one; `finish` writes the state once.

    A backend says how an event is kept (`_append`) and how the journal is dropped once the
    state holds it (`_drop`)."""

    def __init__(self, store: StateStore, state: State, *, always_write: bool = False) -> None:
        self.store = store
        self.state = state
        self.base_serial = state.serial
        self.changed = False
        self.always_write = always_write  # a saved plan is used up by applying it, even if nothing changed
        self.lock = threading.RLock()  # workers of one apply record outcomes at once
        # Raises StateError once this run no longer holds the lock it was started under
        # (removed by `unlock --force`, taken over after its lease, its file moved aside).
        self.fence: Callable[[], None] = lambda: None

    def start(self) -> EventJournal:
        self._append({"journal": VERSION, "lineage": self.state.lineage, "base_serial": self.state.serial})
        return self

    def _append(self, event: dict[str, Any]) -> None:
        raise NotImplementedError

    def _drop(self) -> None:
        raise NotImplementedError

    def set(self, address: str, record: StateRecord) -> None:
        """Durably record `record` for `address`, then apply it to the state in memory. Every
        event is written only while this run still holds its lock: a run that lost it (frozen
        past its lease, unlocked by force) writes nothing more, and since a create's intent is
        written before it is sent, sends nothing more either."""
        with self.lock:
            self.fence()
            self._append({"op": "set", "address": address, "record": record.to_json()})
            self.state.resources[address] = record
            self.changed = True

    def remove(self, address: str) -> None:
        with self.lock:
            self.fence()
            self._append({"op": "remove", "address": address})
            self.state.resources.pop(address, None)
            self.changed = True

    def finish(self) -> None:
        """Write the state once (only if something changed) and drop the journal."""
        self.fence()
        if self.always_write or (self.changed and not self.store.holds(self.state)):
            self.store.write(self.state, expected_serial=self.base_serial)
        self._drop()


class LocalJournal(EventJournal):
    """`<state>.journal`: one fsynced line per event."""

    def __init__(self, store: StateStore, path: Path, state: State, *, always_write: bool = False) -> None:
        super().__init__(store, state, always_write=always_write)
        self.path = path
        try:
            # `recover()` has folded any earlier journal: a new apply starts a new one.
            self._stream = open(path, "x", encoding="utf-8")  # noqa: SIM115 - closed by finish()
        except FileExistsError:
            raise StateError(f"{path}: an unfinished apply's journal is here; run apply again to recover it") from None
        # This run's own: no other run folds it or writes over it while this one runs.
        fcntl.flock(self._stream.fileno(), fcntl.LOCK_EX)
        self.fence = self._fence

    def _fence(self) -> None:
        """Once closed (given up, or finished), nothing more; before, this run's journal and
        lock must still be the ones at their paths: a journal moved aside would hide its
        records from the next run, so nothing more is written or sent."""
        if self._stream.closed:
            raise StateError(f"{self.path}: {LOCK_LOST}")
        try:
            same = os.fstat(self._stream.fileno()).st_ino == os.stat(self.path).st_ino
        except FileNotFoundError:
            same = False
        try:
            if not same:
                raise StateError(f"{self.path}: this apply's journal was moved or removed while it ran; nothing more is sent")
            self.store.fence()
        except StateError:
            self._stream.close()  # let go of it: the run that holds the lock now may fold it in
            raise

    def _append(self, event: dict[str, Any]) -> None:
        self._stream.write(encode_event(event) + "\n")
        self._stream.flush()
        os.fsync(self._stream.fileno())

    def finish(self) -> None:
        self.fence()
        self._stream.close()  # the state write checks that no run holds this journal open
        self.fence = self.store.fence
        super().finish()

    def _drop(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
