"""The local journal: `<state>.journal`, one fsynced JSON line per event of an apply.

Before a create is sent, its `pending` record is appended; after the answer, the outcome. At
the end the state is written once and the journal removed. A crash at any moment leaves a
journal that the next command folds in: nothing created is ever forgotten.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import StateError
from ..model import State, StateRecord

if TYPE_CHECKING:
    from .local import LocalStateStore

VERSION = 1


def read_events(path: Path, state: State, state_exists: bool) -> list[tuple[str, StateRecord | None]]:
    """The events of an unfinished apply as (address, record or None for a removal), checked
    against the state they started from."""
    lines = path.read_text(encoding="utf-8").splitlines()
    events: list[Any] = []
    for number, line in enumerate(lines):
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            if number == len(lines) - 1:
                break  # torn by a crash while writing: that event's request was never sent
            raise StateError(f"{path}:{number + 1}: the journal is damaged; nothing was changed") from None
    if not events:
        return []  # killed before its header was written: nothing was sent
    header = events[0]
    if not isinstance(header, dict) or header.get("journal") != VERSION:
        raise StateError(f"{path}: not a publisher journal; move it away to continue")
    lineage, base = header.get("lineage"), header.get("base_serial")
    if not state_exists and state.serial == 0 and isinstance(lineage, str):
        state.lineage = lineage  # the crashed apply was creating the state
    if lineage == state.lineage and isinstance(base, int) and base < state.serial:
        return []  # folded by a state write, then the process died before removing it
    if (lineage, base) != (state.lineage, state.serial):
        raise StateError(
            f"{path}: this journal of an unfinished apply belongs to serial {base} of lineage {lineage}, "
            f"but the state is at serial {state.serial} of {state.lineage}; nothing was changed"
        )
    return [_event(path, number, event) for number, event in enumerate(events[1:], start=2)]


def _event(path: Path, number: int, event: Any) -> tuple[str, StateRecord | None]:
    where = f"{path}:{number}"
    if not isinstance(event, dict) or not isinstance(event.get("address"), str):
        raise StateError(f"{where}: a journal event needs an address")
    if event.get("op") == "remove":
        return event["address"], None
    if event.get("op") == "set":
        return event["address"], StateRecord.from_json(event.get("record"), f"{where}: record")
    raise StateError(f"{where}: unknown journal operation {event.get('op')!r}")


def fold(state: State, events: list[tuple[str, StateRecord | None]]) -> None:
    """Replay journal events on `state`. A create whose outcome never arrived stays pending."""
    for address, record in events:
        if record is None:
            state.resources.pop(address, None)
        else:
            state.resources[address] = record


class LocalJournal:
    """Appends an apply's events to `<state>.journal`; `finish` writes the state once."""

    def __init__(self, store: LocalStateStore, state: State, *, always_write: bool = False) -> None:
        self.store = store
        self.state = state
        self.base_serial = state.serial
        self.changed = False
        self.always_write = always_write  # a saved plan is used up by applying it, even if nothing changed
        self.lock = threading.RLock()  # workers of one apply record outcomes at once
        try:
            # `recover()` has folded any earlier journal: a new apply starts a new one.
            self._stream = open(store.journal_path, "x", encoding="utf-8")  # noqa: SIM115 - closed by finish()
        except FileExistsError:
            raise StateError(
                f"{store.journal_path}: an unfinished apply's journal is here; run apply again to recover it"
            ) from None
        self._append({"journal": VERSION, "lineage": state.lineage, "base_serial": state.serial})

    def _append(self, event: dict[str, Any]) -> None:
        self._stream.write(json.dumps(event, sort_keys=True, ensure_ascii=False) + "\n")
        self._stream.flush()
        os.fsync(self._stream.fileno())

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
        """Write the state once (only if something changed) and drop the journal."""
        self._stream.close()
        if self.always_write or (self.changed and not self.store.holds(self.state)):
            self.store.write(self.state, expected_serial=self.base_serial)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.store.journal_path)
