"""State locks: who holds one, waiting for one, and the local lock file `<state>.lock`."""

from __future__ import annotations

import contextlib
import fcntl
import getpass
import json
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..errors import StateError
from ..rules import timestamp

Notify = Callable[[str], None]
POLL_SECONDS = 1.0  # how often a waiting command tries again
LOCK_LOST = (
    "this run no longer holds the state's lock (removed with unlock --force, moved aside, or taken over after "
    "the run went silent); nothing more is sent or written"
)


def ignore(message: str) -> None:
    """A `Notify` that says nothing."""


def holder_info(lock_id: str, command: str) -> dict[str, Any]:
    """Who holds a lock, as `unlock` and the message to the next runner show it."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (some containers)
        user = str(os.getuid())
    info: dict[str, Any] = {"id": lock_id, "user": user, "host": socket.gethostname(), "pid": os.getpid(), "command": command}
    info["time"] = timestamp()
    server, run, repository = (os.environ.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_RUN_ID", "GITHUB_REPOSITORY"))
    if server and run and repository:
        info["run"] = f"{server}/{repository}/actions/runs/{run}"
    return info


def describe(holder: dict[str, Any] | None, where: str) -> str:
    """The message for a lock someone else holds."""
    if not isinstance(holder, dict) or not holder.get("id"):
        return (
            f"the state is locked ({where}), and who holds it cannot be read. If no run is using the state, "
            "remove the lock with: publisher unlock --force unreadable"
        )
    gone = ""
    if holder.get("host") == socket.gethostname() and not _alive(holder.get("pid")):
        gone = " That process is no longer running."
    run = f", run {holder['run']}" if holder.get("run") else ""
    who = f"{holder['user']}@{holder.get('host')}" if holder.get("user") else f"on {holder.get('host')}"
    return (
        f"the state is locked by '{holder.get('command')}' ({who}, pid {holder.get('pid')}, "
        f"since {holder.get('time')}{run}, lock id {holder['id']}).{gone} "
        f"If that run is gone, remove the lock with: publisher unlock {holder['id']}"
    )


def _alive(pid: Any) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ProcessLookupError, ValueError, TypeError):
        return False
    except PermissionError:
        return True
    return True


def wait_for(take: Callable[[], dict[str, Any] | None], where: str, timeout: float, notify: Notify) -> None:
    """Call `take` until it takes the lock (it returns None) or `timeout` seconds pass; it
    returns the holder's info while someone else holds it. Says once who holds it."""
    deadline = time.monotonic() + timeout
    told = False
    while True:
        holder = take()
        if holder is None:
            return
        left = deadline - time.monotonic()
        if left <= 0:
            raise StateError(describe(holder, where))
        if not told:
            notify(f"waiting up to {left:.0f} s for the lock: {describe(holder, where)}")
            told = True
        time.sleep(min(POLL_SECONDS, left))


@contextlib.contextmanager
def held(lock_path: Path, command: str, *, timeout: float = 0.0, notify: Notify = ignore) -> Iterator[str]:
    """Hold the local lock while a command may write state; yields its id.

    The lock is an OS lock on `lock_path` held by this process (its info is written inside):
    it ends with the process, however it ends, and deleting the file does not hand it over
    to anyone while a run uses the state (its journal is locked too)."""
    lock_id = str(uuid.uuid4())
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(holder_info(lock_id, command), indent=2, sort_keys=True) + "\n"
    handle: list[int] = []

    def take() -> dict[str, Any] | None:
        while True:
            descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(descriptor)
                return _holder_once_written(lock_path)
            try:
                same = os.fstat(descriptor).st_ino == os.stat(lock_path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(descriptor)  # released and removed between our open and our lock: open the new one
        os.ftruncate(descriptor, 0)
        os.write(descriptor, text.encode())
        handle.append(descriptor)
        return None

    wait_for(take, str(lock_path), timeout, notify)
    try:
        yield lock_id
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(lock_path)  # while still holding it: a waiter then locks a new file
        os.close(handle[0])


def in_use(path: Path) -> bool:
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


def remove(lock_path: Path, lock_id: str, *, force: bool = False) -> None:
    """Remove a lock left behind, only if it is the one with `lock_id` and its process is gone;
    with `force`, a live one too (its run then finds its lock gone and writes nothing more)."""
    if not lock_path.exists():
        raise StateError(f"the state is not locked ({lock_path} does not exist)")
    holder = _read_holder(lock_path) or {}
    if holder.get("id") != lock_id and not (force and not holder.get("id")):
        raise StateError(f"the lock is {holder.get('id')!r}, not {lock_id!r}; nothing removed")
    if in_use(lock_path) and not force:
        raise StateError(
            f"the lock {lock_id} is held by a running process (pid {holder.get('pid')} on this machine); "
            "nothing removed. Stop that run first, or pass --force (it then writes nothing more)"
        )
    os.unlink(lock_path)
