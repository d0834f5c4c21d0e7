"""The state file: what publisher has created, behind a small store interface (SPEC §3).

`LocalStateStore` keeps it in one JSON file next to the catalog; a shared store (a bucket
with conditional writes, a database) would implement the same four operations.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from .errors import StateError

FORMAT_VERSION = 1


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


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


def write_atomically(path: Path, text: str) -> None:
    """Write a file so that readers see the old or the new content, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


class LocalStateStore:
    """The state as one JSON file, and `<state>.lock` as its lock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock_path = path.with_name(path.name + ".lock")

    def exists(self) -> bool:
        return self.path.exists()

    def read(self) -> State:
        """The stored state, or a new empty one (with a fresh lineage) when there is none."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return State()
        except OSError as error:
            raise StateError(f"{self.path}: cannot read the state file: {error.strerror}") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise StateError(
                f"{self.path}:{error.lineno}:{error.colno}: the state file is not valid JSON: {error.msg}"
            ) from None
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
            current = self.read()
            if (current.lineage, current.serial) != (state.lineage, expected_serial):
                raise StateError(
                    f"{self.path}: the state changed while publisher was running "
                    f"(serial {current.serial}, expected {expected_serial}); nothing more was written"
                )
        elif expected_serial != 0:
            raise StateError(f"{self.path}: the state file disappeared while publisher was running")
        state.serial = expected_serial + 1
        write_atomically(self.path, _dump(state.to_json()))

    @contextlib.contextmanager
    def lock(self, command: str) -> Iterator[str]:
        """Hold `<state>.lock` while a command may write state."""
        lock_id = str(uuid.uuid4())
        info = {"id": lock_id, "pid": os.getpid(), "host": socket.gethostname(), "command": command, "time": now()}
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(self.lock_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            raise StateError(self._held_message()) from None
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            stream.write(_dump(info))
        try:
            yield lock_id
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.lock_path)

    def _held_message(self) -> str:
        try:
            holder = json.loads(self.lock_path.read_text(encoding="utf-8"))
            return (
                f"the state is locked by '{holder.get('command')}' (pid {holder.get('pid')} on "
                f"{holder.get('host')}, since {holder.get('time')}, lock id {holder.get('id')}); "
                f"if that run is gone, remove the lock with: publisher unlock {holder.get('id')}"
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
