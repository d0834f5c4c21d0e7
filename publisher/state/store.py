"""The store interface every state backend implements, and the state's JSON format.

A store keeps one state document per catalog: read it, write it only if nobody wrote since
(compare-and-swap on the serial), hold a lock while a command may write, and keep a journal
of an apply in progress so that a crash loses nothing.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any, Protocol, runtime_checkable

from ..cache import json_digest
from ..errors import StateError
from ..model import Resource, State, StateRecord, token_digest
from ..rules import timestamp
from .lock import Notify, ignore

FORMAT_VERSION = 1


@runtime_checkable
class Journal(Protocol):
    """An apply's progress, durable event by event, folded into the state at the end."""

    def set(self, address: str, record: StateRecord) -> None: ...

    def remove(self, address: str) -> None: ...

    def finish(self) -> None: ...


@runtime_checkable
class StateStore(Protocol):
    """Where the state lives."""

    name: str  # how messages name it

    def exists(self) -> bool:
        """Whether a state has been written."""
        ...

    def unfinished(self) -> bool:
        """Whether an apply's journal is waiting to be folded in (even before any state)."""
        ...

    def read(self) -> State:
        """The stored state with any unfinished apply's journal folded in (in memory)."""
        ...

    def write(self, state: State, *, expected_serial: int, expected_lineage: str | None = None) -> None:
        """Store `state` with the next serial, unless someone wrote since `expected_serial`
        (or the stored state is of another lineage than `expected_lineage`, default the state's)."""
        ...

    def holds(self, state: State) -> bool:
        """Whether the stored state (without any journal) has exactly these resources."""
        ...

    def recover(self, state: State) -> None:
        """Persist what an interrupted apply's journal holds (with the lock held)."""
        ...

    def journal(self, state: State, *, always_write: bool = False) -> Journal:
        """Start the journal of an apply (with the lock held, after `recover`)."""
        ...

    def lock(self, command: str, *, timeout: float = 0.0, notify: Notify = ignore) -> contextlib.AbstractContextManager[str]:
        """Hold the lock while a command may write; wait up to `timeout` seconds for it,
        calling `notify` once with who holds it. Yields the lock's id."""
        ...

    def unlock(self, lock_id: str, *, force: bool = False) -> None:
        """Remove a lock left by a run that is gone, only if it has `lock_id`; a live holder's
        only with `force` (that run then writes nothing more)."""
        ...

    def fence(self) -> None:
        """Raise StateError if this store took the lock and no longer holds it."""
        ...


def recover_journal(store: StateStore, state: State) -> None:
    """What every store's `recover` does: write the state `read` folded an unfinished journal into."""
    if store.unfinished():
        store.write(state, expected_serial=state.serial)


def next_serial(state: State, expected_serial: int) -> int:
    """The serial a write gives: one past what it replaces, and never below the state's own
    (a migrated state keeps its serial)."""
    return max(expected_serial + 1, state.serial)


def refuse_second_journal(store: StateStore) -> None:
    if store.unfinished():
        raise StateError(f"{store.name}: an unfinished apply's journal is here; run apply again to recover it")


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
        digest=json_digest(body),
        result={} if remote_id is not None else None,
        created_at=stamp,
        updated_at=stamp,
        dependencies=resource.dependencies,
        error=error,
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
    lineage, serial, resources = data.get("lineage"), data.get("serial"), data.get("resources")
    if not isinstance(lineage, str) or not lineage:
        raise StateError(f"{name}: lineage must be a non-empty string")
    if not isinstance(serial, int) or isinstance(serial, bool) or serial < 0:
        raise StateError(f"{name}: serial must be a whole number of at least 0")
    if not isinstance(resources, dict):
        raise StateError(f"{name}: resources must be a JSON object of addresses")
    source = data.get("source", {})
    if not isinstance(source, dict) or not isinstance(source.get("commit", ""), str):
        raise StateError(f"{name}: source must be an object whose commit is a string")
    records = {address: StateRecord.from_json(record, f"{name}: resources.{address}") for address, record in resources.items()}
    return State(lineage, serial, records, source.get("commit") or None)
