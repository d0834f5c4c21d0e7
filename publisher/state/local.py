"""The state as one JSON file beside the catalog, with `<state>.journal` and `<state>.lock`.

The lock is an OS lock (flock) on `<state>.lock` held by the running process, with its
holder's info inside: it ends with the process however it ends. The journal is one fsynced
line per event, flock-ed by the run writing it, so no other run folds it or writes over it
while that run lives.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from ..atomic import write_atomically
from ..errors import StateError
from ..model import State
from . import lock
from .backend import Stale


class LocalBackend:
    shared = False

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = str(path)
        self.lock_path = path.with_name(path.name + ".lock")
        self.journal_path = path.with_name(path.name + ".journal")
        self._lock_file: int | None = None  # the inode of the lock file while this run holds it
        self._journal: IO[str] | None = None  # this run's journal, open and flock-ed while it writes

    def get(self) -> tuple[bytes | None, Any]:
        """The file and its version: the inode, size and change times of what was read. Every
        write replaces the file (a new inode and ctime), and writes happen under the lock, so a
        version names one content; no need to hash megabytes at each read."""
        try:
            with open(self.path, "rb") as stream:
                content = stream.read()
                found = os.fstat(stream.fileno())
        except FileNotFoundError:
            return None, None
        except OSError as error:
            raise StateError(f"{self.path}: cannot read the state file: {error.strerror}") from None
        return content, _version_of(found)

    def _version(self) -> Any:
        """The version of the file now, without reading it."""
        try:
            found = os.stat(self.path)
        except FileNotFoundError:
            return None
        return _version_of(found)

    def put(self, content: bytes, written: State, version: Any) -> None:
        if self._journal is None and _in_use(self.journal_path):
            raise StateError(
                f"{self.journal_path}: another apply is running on this state (its journal is in use); nothing was written"
            )
        if self._version() != version:
            raise Stale()
        write_atomically(self.path, content.decode())

    def append(self, number: int, event: str) -> None:
        if number == 0:
            try:
                self._journal = open(self.journal_path, "x", encoding="utf-8")  # noqa: SIM115 - closed by drop_events
            except FileExistsError:
                raise StateError(f"{self.journal_path}: an unfinished apply's journal is here; run apply again") from None
            fcntl.flock(self._journal.fileno(), fcntl.LOCK_EX)
        assert self._journal is not None
        self._journal.write(event + "\n")
        self._journal.flush()
        os.fsync(self._journal.fileno())

    def events(self) -> list[str]:
        try:
            return self.journal_path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []

    def drop_events(self) -> None:
        self._let_go_of_journal()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.journal_path)

    def _let_go_of_journal(self) -> None:
        if self._journal is not None:
            self._journal.close()
            self._journal = None

    def fence(self) -> None:
        """While this run holds the lock: the lock file, and its journal, are still the ones at
        their paths. Moved aside, they would let another run in, or hide records from it."""
        if self._lock_file is None:
            return
        same_lock = _inode(self.lock_path) == self._lock_file
        same_journal = self._journal is None or _inode(self.journal_path) == os.fstat(self._journal.fileno()).st_ino
        if not (same_lock and same_journal):
            self._let_go_of_journal()  # the run that holds the lock now may fold it in
            raise StateError(f"{self.lock_path}: {lock.LOCK_LOST}")

    def _folder(self, kind: str) -> Path:
        return self.path.with_name(f"{self.path.name}.{kind}")

    def get_document(self, kind: str, name: str) -> bytes | None:
        try:
            return (self._folder(kind) / f"{name}.json").read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise StateError(f"{self._folder(kind)}: cannot read {name}: {error.strerror}") from None

    def put_document(self, kind: str, name: str, content: bytes) -> None:
        folder = self._folder(kind)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            write_atomically(folder / f"{name}.json", content.decode())
        except OSError as error:
            raise StateError(f"{folder}: cannot write {name}: {error.strerror}") from None

    def delete_document(self, kind: str, name: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._folder(kind) / f"{name}.json")

    def document_names(self, kind: str) -> list[str]:
        folder = self._folder(kind)
        return sorted(path.name[: -len(".json")] for path in folder.glob("*.json")) if folder.is_dir() else []

    @contextlib.contextmanager
    def lock(self, command: str, *, timeout: float = 0.0, notify: lock.Notify = lock.ignore) -> Iterator[str]:
        lock_id = str(uuid.uuid4())
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(lock.holder_info(lock_id, command), indent=2, sort_keys=True) + "\n"
        handle: list[int] = []

        def take() -> dict[str, Any] | None:
            while True:
                descriptor = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
                try:
                    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    os.close(descriptor)
                    return _holder_once_written(self.lock_path)
                if _inode(self.lock_path) == os.fstat(descriptor).st_ino:
                    break
                os.close(descriptor)  # released and removed between our open and our lock: open the new one
            os.ftruncate(descriptor, 0)
            os.write(descriptor, text.encode())
            handle.append(descriptor)
            return None

        lock.wait_for(take, str(self.lock_path), timeout, notify)
        self._lock_file = os.fstat(handle[0]).st_ino
        try:
            yield lock_id
        finally:
            self._lock_file = None
            if _inode(self.lock_path) == os.fstat(handle[0]).st_ino:
                os.unlink(self.lock_path)  # while still holding it: a waiter then locks a new file
            os.close(handle[0])

    def unlock(self, lock_id: str, *, force: bool = False) -> None:
        if not self.lock_path.exists():
            raise StateError(f"the state is not locked ({self.lock_path} does not exist)")
        holder = _read_holder(self.lock_path) or {}
        if holder.get("id") != lock_id and not (force and not holder.get("id")):
            raise StateError(f"the lock is {holder.get('id')!r}, not {lock_id!r}; nothing removed")
        if _in_use(self.lock_path) and not force:
            raise StateError(
                f"the lock {lock_id} is held by a running process (pid {holder.get('pid')} on this machine); "
                "nothing removed. Stop that run first, or pass --force (it then writes nothing more)"
            )
        os.unlink(self.lock_path)


def _version_of(found: os.stat_result) -> tuple[int, int, int, int]:
    return found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns


def _inode(path: Path) -> int | None:
    try:
        return os.stat(path).st_ino
    except FileNotFoundError:
        return None


def _in_use(path: Path) -> bool:
    """Whether a process holds the OS lock on `path` (a lock file, or a journal being written)."""
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)


def _holder_once_written(lock_path: Path) -> dict[str, Any]:
    """The holder's info: its process writes it right after taking the lock, so an empty file
    is read again for a moment rather than reported as unreadable."""
    for _ in range(50):
        holder = _read_holder(lock_path)
        if holder:
            return holder
        time.sleep(0.02)
    return {}


def _read_holder(lock_path: Path) -> dict[str, Any] | None:
    """The holder's info; None if the lock is gone; {} if it cannot be read."""
    try:
        holder = json.loads(lock_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}
    return holder if isinstance(holder, dict) else {}
