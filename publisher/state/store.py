"""The state over any backend, and its JSON format.

A store keeps one state document per catalog: read it, write it only if nobody wrote since
(compare-and-swap on the serial), hold a lock while a command may write, and keep a journal
of an apply in progress so that a crash loses nothing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from typing import Any

from ..digests import digest
from ..errors import StateError
from ..model import Resource, State, StateRecord, token_digest
from ..rules import timestamp
from . import document
from .backend import Backend, Stale
from .journal import Journal, fold, parse_events
from .lock import Notify, ignore
from .reviews import Reviews

FORMAT_VERSION = 1


class StateStore:
    """One state, on any backend: its format, the compare-and-swap on the serial, the journal
    of an apply and its recovery. The crash-safety rules live here, once."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.name = backend.name
        self.reviews = Reviews(backend)  # proposals, approvals and the break-glass log, beside the state

    def exists(self) -> bool:
        """Whether a state has been written."""
        return self.backend.get()[0] is not None

    def unfinished(self) -> bool:
        """Whether an apply's journal is waiting to be folded in (even before any state)."""
        return bool(self.backend.events())

    def _stored(self) -> State | None:
        content = self.backend.get()[0]
        return decode(content, self.name) if content is not None else None

    def read(self) -> State:
        """The stored state with any unfinished apply's journal folded in (in memory); without
        a state, a new empty one with a fresh lineage."""
        stored = self._stored()
        state = stored or State()
        events = self.backend.events()
        if events:
            fold(state, parse_events(events, f"{self.name}.journal", state, stored is not None))
        return state

    def holds(self, state: State) -> bool:
        """Whether the stored state (without any journal) has exactly these resources."""
        try:
            stored = self._stored()
        except StateError:
            return False
        return stored.resources == state.resources if stored is not None else not state.resources

    def write(self, state: State, *, expected_serial: int, expected_lineage: str | None = None) -> None:
        """Store `state` with the next serial, unless someone wrote since `expected_serial` (or
        the stored state is of another lineage than `expected_lineage`, default the state's).
        The journal is dropped after: the state now holds whatever it held."""
        self.backend.fence()
        content, version = self.backend.get()
        stored = decode(content, self.name) if content is not None else None
        found = (stored.lineage, stored.serial) if stored is not None else (None, 0)
        if stored is None and expected_serial != 0:
            raise StateError(f"{self.name}: the state disappeared while publisher was running; nothing more was written")
        if stored is not None and found != (expected_lineage or state.lineage, expected_serial):
            raise _stale(self.name, expected_serial)
        written = dataclasses.replace(state, serial=max(expected_serial + 1, state.serial))  # a migrated state keeps its serial
        try:
            self.backend.put(encode(written).encode(), written, version)
        except Stale:
            raise _stale(self.name, expected_serial) from None
        state.serial = written.serial
        self.backend.drop_events()

    def recover(self, state: State) -> None:
        """Persist what an interrupted apply's journal holds (with the lock held)."""
        if self.unfinished():
            self.write(state, expected_serial=state.serial)

    def journal(self, state: State, *, always_write: bool = False) -> Journal:
        """Start the journal of an apply (with the lock held, after `recover`)."""
        if self.unfinished():
            raise StateError(f"{self.name}: an unfinished apply's journal is here; run apply again to recover it")
        return Journal(self, state, always_write=always_write).start()

    def lock(self, command: str, *, timeout: float = 0.0, notify: Notify = ignore) -> contextlib.AbstractContextManager[str]:
        """Hold the lock while a command may write; wait up to `timeout` seconds for it,
        calling `notify` once with who holds it. Yields the lock's id."""
        return self.backend.lock(command, timeout=timeout, notify=notify)

    def unlock(self, lock_id: str, *, force: bool = False) -> None:
        """Remove a lock left by a run that is gone, only if it has `lock_id`; a live holder's
        only with `force` (that run then writes nothing more)."""
        self.backend.unlock(lock_id, force=force)

    def fence(self) -> None:
        """Raise StateError if this store took the lock and no longer holds it."""
        self.backend.fence()

    def fingerprint(self) -> str | None:
        """What the memo of a no-op plan keys this state by: its location and document. None
        for a shared backend (another machine may change it) or while a journal waits."""
        if self.backend.shared or self.unfinished():
            return None
        content = self.backend.get()[0] or b""
        return digest(self.name.encode() + b"\0" + content)


def _stale(name: str, expected_serial: int) -> StateError:
    return StateError(
        f"{name}: the state changed while publisher was running (expected serial {expected_serial}); nothing more was written"
    )


def new_record(
    resource: Resource, body: dict[str, Any], ids: dict[str, Any], *, status: str, remote_id: str | None = None, error: str = ""
) -> StateRecord:
    """The record of an object about to be created (pending) or just created."""
    stamp = timestamp()
    return StateRecord(
        type=resource.type.name,
        identity=token_digest(resource.identity),
        alias=resource.alias,
        status=status,
        inputs=body,
        ids=ids,
        id=remote_id,
        result={} if remote_id is not None else None,
        created_at=stamp,
        updated_at=stamp,
        dependencies=resource.dependencies,
        error=error,
        source=resource.source,
        labels=resource.labels,
    )


def encode(state: State) -> str:
    """The state document: sorted keys and indentation keep its git diff readable."""
    document: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "lineage": state.lineage,
        "serial": state.serial,
        "resources": {address: record.to_json() for address, record in state.resources.items()},
    }
    if state.commit:
        document["source"] = {"commit": state.commit}
    if state.queues:
        document["queues"] = state.queues
    if state.takedowns:
        document["takedowns"] = state.takedowns
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def decode(content: bytes, name: str) -> State:
    """A state document read from `name`; a clear StateError for anything malformed."""
    try:
        data = json.loads(content.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise StateError(f"{name}: the state is not UTF-8 text (byte {error.start})") from None
    except json.JSONDecodeError as error:
        raise StateError(f"{name}:{error.lineno}:{error.colno}: the state is not valid JSON: {error.msg}") from None
    except RecursionError:
        raise StateError(f"{name}: the state is nested too deeply to be a publisher state") from None
    except ValueError as error:  # e.g. a number of more than 4,300 digits
        raise StateError(f"{name}: the state is not valid JSON: {error}") from None
    if not isinstance(data, dict) or data.get("format_version") != FORMAT_VERSION:
        found = data.get("format_version") if isinstance(data, dict) else None
        raise StateError(f"{name}: unsupported state format_version {found!r} (this publisher reads version {FORMAT_VERSION})")
    document.check(data, name)
    resources = data["resources"]
    records = {address: StateRecord.from_json(record, f"{name}: resources.{address}") for address, record in resources.items()}
    commit = data.get("source", {}).get("commit") or None
    return State(data["lineage"], data["serial"], records, commit, data.get("queues", {}), data.get("takedowns", {}))
