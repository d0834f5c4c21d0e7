"""What every backend's lock shares: who holds it, the message naming them, waiting for it."""

from __future__ import annotations

import getpass
import os
import socket
import time
from collections.abc import Callable
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


def local_user() -> str:
    """The name of the user running publisher on this machine."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (some containers)
        return str(os.getuid())


def holder_info(lock_id: str, command: str) -> dict[str, Any]:
    """Who holds a lock, as `unlock` and the message to the next runner show it."""
    info: dict[str, Any] = {
        "id": lock_id, "user": local_user(), "host": socket.gethostname(), "pid": os.getpid(), "command": command,
    }  # fmt: skip
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
