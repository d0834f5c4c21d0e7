"""The state as one JSON file beside the catalog, with `<state>.journal` and `<state>.lock`."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from ..errors import StateError
from ..model import State
from . import lock, store
from .files import write_atomically
from .journal import EventJournal, LocalJournal, fold, parse_events


class LocalStateStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = str(path)
        self.lock_path = path.with_name(path.name + ".lock")
        self.journal_path = path.with_name(path.name + ".journal")
        self._lock_file: int | None = None  # the inode of the lock file while this store holds it

    def exists(self) -> bool:
        return self.path.exists()

    def unfinished(self) -> bool:
        return self.journal_path.exists()

    def read(self) -> State:
        """The stored state with any unfinished apply's journal folded in (in memory).

        Without a state file: a new empty state with a fresh lineage."""
        state = self._read_file()
        if self.journal_path.exists():
            lines = self.journal_path.read_text(encoding="utf-8").splitlines()
            fold(state, parse_events(lines, str(self.journal_path), state, self.exists()))
        return state

    def _read_file(self) -> State:
        try:
            content = self.path.read_bytes()
        except FileNotFoundError:
            return State()
        except OSError as error:
            raise StateError(f"{self.path}: cannot read the state file: {error.strerror}") from None
        return store.decode(content, str(self.path))

    def holds(self, state: State) -> bool:
        """Whether the file already says exactly this (e.g. after a create refused with 400)."""
        if not self.path.exists():
            return not state.resources
        try:
            return self._read_file().resources == state.resources
        except StateError:
            return False

    def write(self, state: State, *, expected_serial: int, expected_lineage: str | None = None) -> None:
        self.fence()
        if lock.in_use(self.journal_path):
            raise StateError(
                f"{self.journal_path}: another apply is running on this state (its journal is in use); nothing was written"
            )
        if self.path.exists():
            current = self._read_file()
            if (current.lineage, current.serial) != (expected_lineage or state.lineage, expected_serial):
                raise StateError(
                    f"{self.path}: the state changed while publisher was running "
                    f"(serial {current.serial}, expected {expected_serial}); nothing more was written"
                )
        elif expected_serial != 0:
            raise StateError(f"{self.path}: the state file disappeared while publisher was running")
        state.serial = store.next_serial(state, expected_serial)
        write_atomically(self.path, store.encode(state))
        # The state now holds whatever the journal held.
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.journal_path)

    def recover(self, state: State) -> None:
        store.recover_journal(self, state)

    def journal(self, state: State, *, always_write: bool = False) -> EventJournal:
        self.fence()
        return LocalJournal(self, self.journal_path, state, always_write=always_write).start()

    @contextlib.contextmanager
    def lock(self, command: str, *, timeout: float = 0.0, notify: lock.Notify = lock.ignore) -> Iterator[str]:
        with lock.held(self.lock_path, command, timeout=timeout, notify=notify) as lock_id:
            self._lock_file = os.stat(self.lock_path).st_ino
            try:
                yield lock_id
            finally:
                self._lock_file = None

    def fence(self) -> None:
        """While this store holds the lock: the lock file is still the one it took. A lock
        moved aside lets another run in, so this one writes nothing more."""
        if self._lock_file is None:
            return
        try:
            same = os.stat(self.lock_path).st_ino == self._lock_file
        except FileNotFoundError:
            same = False
        if not same:
            raise StateError(f"{self.lock_path}: {lock.LOCK_LOST}")

    def unlock(self, lock_id: str, *, force: bool = False) -> None:
        lock.remove(self.lock_path, lock_id, force=force)
