"""The state file: what publisher has created, behind a small store interface (SPEC §3).

`LocalStateStore` keeps it in one JSON file next to the catalog; a shared store (a bucket
with conditional writes, a database) would implement the same four operations.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import socket
import tempfile
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Protocol, runtime_checkable

from .errors import StateError

FORMAT_VERSION = 1


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def digest(inputs: dict[str, Any]) -> str:
    """sha256 of the inputs' canonical JSON, as the state records it."""
    canonical = json.dumps(inputs, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def new_record(
    resource: Any, body: dict[str, Any], ids: dict[str, Any], *, status: str, remote_id: str | None = None, error: str = ""
) -> dict[str, Any]:
    """A resource's entry in the state (SPEC §3); `resource` is a catalog Resource."""
    stamp = now()
    record: dict[str, Any] = {
        "type": resource.type.name,
        "identity": resource.identity,
        "ids": ids,
        "inputs": body,
        "digest": digest(body),
        "status": status,
        "created_at": stamp,
        "updated_at": stamp,
        "dependencies": sorted(resource.dependencies),
    }
    if remote_id is not None:
        record.update(id=remote_id, result={})
    if error:
        record["error"] = error
    return record


@dataclass
class State:
    lineage: str = field(default_factory=lambda: str(uuid.uuid4()))
    serial: int = 0
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "lineage": self.lineage,
            "serial": self.serial,
            "resources": self.resources,
        }


def _dump(data: dict[str, Any]) -> str:
    # Sorted keys and indentation keep the state's git diff readable.
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_atomically(path: Path, text: str, *, durable: bool = True) -> None:
    """Write a file so that readers see the old or the new content, never a mix.

    `durable=False` skips the fsyncs, for a cache: after a crash it may be lost, not mixed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # mkstemp makes the file private; keep the mode the file had, or what the umask gives.
        try:
            mode = os.stat(path).st_mode & 0o777
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.fchmod(handle, mode)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            if durable:
                os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    if not durable:
        return
    with contextlib.suppress(OSError):  # make the rename itself durable
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def read_journal(path: Path, state: State, state_path: Path) -> list[dict[str, Any]]:
    """The events of an unfinished apply, checked against the state they started from."""
    lines = path.read_text(encoding="utf-8").splitlines()
    events: list[dict[str, Any]] = []
    for number, line in enumerate(lines):
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            if number == len(lines) - 1:
                break  # torn by a crash while writing: that event's request was never sent
            raise StateError(f"{path}:{number + 1}: the journal is damaged; nothing was changed") from None
    if not events:
        return []  # killed before its header was written: nothing was sent
    if events[0].get("journal") != 1:
        raise StateError(f"{path}: not a publisher journal; move it away to continue")
    header = events[0]
    if not state_path.exists() and state.serial == 0:
        state.lineage = header["lineage"]  # the crashed apply was creating the state
    if header.get("lineage") == state.lineage and isinstance(header.get("base_serial"), int) and header["base_serial"] < state.serial:
        # Every state write folds the journal first: this one was folded, then the process
        # died before removing it.
        return []
    if (header.get("lineage"), header.get("base_serial")) != (state.lineage, state.serial):
        raise StateError(
            f"{path}: this journal of an unfinished apply belongs to serial {header.get('base_serial')} "
            f"of lineage {header.get('lineage')}, but the state is at serial {state.serial} of {state.lineage}; "
            "nothing was changed"
        )
    return events[1:]


def fold(state: State, events: list[dict[str, Any]]) -> None:
    """Replay journal events on `state`. A create whose outcome never arrived stays pending."""
    for event in events:
        address = event["address"]
        if event["op"] == "set":
            state.resources[address] = event["record"]
        elif event["op"] == "remove":
            state.resources.pop(address, None)


class Journal:
    """An append-only record of an apply, so a crash at any moment loses nothing.

    Before a create is sent, its `pending` record is appended; after the answer, the outcome.
    `finish()` folds it all into the state file once, instead of rewriting it per action.
    """

    def __init__(self, store: LocalStateStore, state: State) -> None:
        self.store = store
        self.state = state
        self.base_serial = state.serial
        self.changed = False
        self.always_write = False  # a saved plan is used up by applying it, even if nothing changed
        self.lock = threading.RLock()
        try:
            # `recover()` has folded any earlier journal: a new apply starts a new one.
            self._stream = open(store.journal_path, "x", encoding="utf-8")
        except FileExistsError:
            raise StateError(f"{store.journal_path}: an unfinished apply's journal is here; run apply again to recover it") from None
        self._append({"journal": 1, "lineage": state.lineage, "base_serial": state.serial})

    def _append(self, event: dict[str, Any]) -> None:
        self._stream.write(json.dumps(event, sort_keys=True, ensure_ascii=False) + "\n")
        self._stream.flush()
        os.fsync(self._stream.fileno())

    def set(self, address: str, record: dict[str, Any]) -> None:
        """Durably record `record` for `address`, then apply it to the state in memory."""
        with self.lock:
            self._append({"op": "set", "address": address, "record": record})
            self.state.resources[address] = record
            self.changed = True

    def remove(self, address: str) -> None:
        with self.lock:
            self._append({"op": "remove", "address": address})
            self.state.resources.pop(address, None)
            self.changed = True

    def undo(self, address: str, previous: dict[str, Any] | None) -> None:
        """Take back a pending record: the API said for sure that nothing was created."""
        if previous is None:
            self.remove(address)
        else:
            self.set(address, previous)

    def finish(self) -> None:
        """Write the state once (only if something changed) and drop the journal."""
        self._stream.close()
        if self.always_write or (self.changed and not _same_resources(self.store, self.state)):
            self.store.write(self.state, expected_serial=self.base_serial)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.store.journal_path)


def _same_resources(store: LocalStateStore, state: State) -> bool:
    """True when the state file already says exactly this (e.g. a create refused with 400)."""
    if not store.path.exists():
        return not state.resources
    try:
        return store._read_file().resources == state.resources
    except StateError:
        return False


def _alive(pid: Any) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ProcessLookupError, ValueError, TypeError):
        return False
    except PermissionError:
        return True
    return True


@runtime_checkable
class StateStore(Protocol):
    """Where the state lives. The local file is the default; a shared store (a bucket with
    conditional writes, a database) for CI on many machines implements the same operations."""

    def read(self) -> State: ...

    def write(self, state: State, *, expected_serial: int) -> None: ...

    def lock(self, command: str) -> contextlib.AbstractContextManager[str]: ...

    def unlock(self, lock_id: str) -> None: ...


class LocalStateStore:
    """The state as one JSON file, and `<state>.lock` as its lock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock_path = path.with_name(path.name + ".lock")
        self.journal_path = path.with_name(path.name + ".journal")

    def exists(self) -> bool:
        return self.path.exists()

    def read(self) -> State:
        """The stored state with any unfinished apply's journal folded in (in memory).

        Without a state file: a new empty state with a fresh lineage.
        """
        state = self._read_file()
        if self.journal_path.exists():
            fold(state, read_journal(self.journal_path, state, self.path))
        return state

    def _read_file(self) -> State:
        try:
            content = self.path.read_bytes()
        except FileNotFoundError:
            return State()
        except OSError as error:
            raise StateError(f"{self.path}: cannot read the state file: {error.strerror}") from None
        try:
            # Decoded here rather than by a text read: a text read also translates newlines,
            # a sixth of reading a large state.
            data = json.loads(content.decode("utf-8"))
        except UnicodeDecodeError as error:
            raise StateError(f"{self.path}: the state file is not UTF-8 text (byte {error.start})") from None
        except json.JSONDecodeError as error:
            raise StateError(
                f"{self.path}:{error.lineno}:{error.colno}: the state file is not valid JSON: {error.msg}"
            ) from None
        except RecursionError:
            raise StateError(f"{self.path}: the state file is nested too deeply to be a publisher state") from None
        if not isinstance(data, dict) or data.get("format_version") != FORMAT_VERSION:
            raise StateError(
                f"{self.path}: unsupported state format_version {data.get('format_version') if isinstance(data, dict) else None!r}"
                f" (this publisher reads version {FORMAT_VERSION})"
            )
        try:
            return State(str(data["lineage"]), int(data["serial"]), dict(data["resources"]))
        except (KeyError, TypeError, ValueError) as error:
            raise StateError(f"{self.path}: the state file is missing or has a bad {error}") from None

    def write(self, state: State, *, expected_serial: int) -> None:
        """Store `state` with the next serial, unless someone else wrote since `expected_serial`."""
        if self.path.exists():
            current = self._read_file()
            if (current.lineage, current.serial) != (state.lineage, expected_serial):
                raise StateError(
                    f"{self.path}: the state changed while publisher was running "
                    f"(serial {current.serial}, expected {expected_serial}); nothing more was written"
                )
        elif expected_serial != 0:
            raise StateError(f"{self.path}: the state file disappeared while publisher was running")
        state.serial = expected_serial + 1
        write_atomically(self.path, _dump(state.to_json()))
        # The state now holds whatever the journal held.
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.journal_path)

    def recover(self, state: State) -> None:
        """Persist what an interrupted apply's journal holds (call with the lock held)."""
        if self.journal_path.exists():
            self.write(state, expected_serial=state.serial)

    def journal(self, state: State) -> Journal:
        """Start recording an apply's progress, one fsynced line per event."""
        return Journal(self, state)

    @contextlib.contextmanager
    def lock(self, command: str) -> Iterator[str]:
        """Hold `<state>.lock` while a command may write state."""
        lock_id = str(uuid.uuid4())
        info = {"id": lock_id, "pid": os.getpid(), "host": socket.gethostname(), "command": command, "time": now()}
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside, then linked into place: whoever finds the lock can always read it.
        handle, temporary = tempfile.mkstemp(dir=self.lock_path.parent, prefix=f".{self.lock_path.name}.")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(_dump(info))
        try:
            os.link(temporary, self.lock_path)
        except FileExistsError:
            raise StateError(self._held_message()) from None
        finally:
            os.unlink(temporary)
        try:
            yield lock_id
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.lock_path)

    def _held_message(self) -> str:
        try:
            holder = json.loads(self.lock_path.read_text(encoding="utf-8"))
            gone = ""
            if holder.get("host") == socket.gethostname() and not _alive(holder.get("pid")):
                gone = " That process is no longer running."
            return (
                f"the state is locked by '{holder.get('command')}' (pid {holder.get('pid')} on "
                f"{holder.get('host')}, since {holder.get('time')}, lock id {holder.get('id')}).{gone} "
                f"If that run is gone, remove the lock with: publisher unlock {holder.get('id')}"
            )
        except (OSError, ValueError, AttributeError):
            return f"the state is locked ({self.lock_path} exists and cannot be read)"

    def unlock(self, lock_id: str) -> None:
        """Remove the lock, only if it is the one with `lock_id`."""
        try:
            holder = json.loads(self.lock_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise StateError(f"the state is not locked ({self.lock_path} does not exist)") from None
        except (OSError, ValueError):
            holder = {}
        if holder.get("id") != lock_id:
            raise StateError(f"the lock is {holder.get('id')!r}, not {lock_id!r}; nothing removed")
        os.unlink(self.lock_path)
