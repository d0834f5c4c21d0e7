"""The local lock: `<state>.lock`, a file naming its holder, created only if absent."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import StateError
from ..rules import timestamp


def holder_info(lock_id: str, command: str) -> dict[str, Any]:
    """Who holds a lock, as `unlock` and the message to the next runner show it."""
    info: dict[str, Any] = {
        "id": lock_id,
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "command": command,
        "time": timestamp(),
    }
    server, run = os.environ.get("GITHUB_SERVER_URL"), os.environ.get("GITHUB_RUN_ID")
    if server and run and os.environ.get("GITHUB_REPOSITORY"):
        info["run"] = f"{server}/{os.environ['GITHUB_REPOSITORY']}/actions/runs/{run}"
    return info


@contextlib.contextmanager
def held(lock_path: Path, command: str) -> Iterator[str]:
    """Hold the lock at `lock_path` while a command may write state; yields its id."""
    lock_id = str(uuid.uuid4())
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    # Written aside, then linked into place: whoever finds the lock can always read it.
    handle, temporary = tempfile.mkstemp(dir=lock_path.parent, prefix=f".{lock_path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(json.dumps(holder_info(lock_id, command), indent=2, sort_keys=True) + "\n")
    try:
        os.link(temporary, lock_path)
    except FileExistsError:
        raise StateError(_held_message(lock_path)) from None
    finally:
        os.unlink(temporary)
    try:
        yield lock_id
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(lock_path)


def _alive(pid: Any) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ProcessLookupError, ValueError, TypeError):
        return False
    except PermissionError:
        return True
    return True


def _held_message(lock_path: Path) -> str:
    try:
        holder = json.loads(lock_path.read_text(encoding="utf-8"))
        gone = ""
        if holder.get("host") == socket.gethostname() and not _alive(holder.get("pid")):
            gone = " That process is no longer running."
        run = f", run {holder['run']}" if holder.get("run") else ""
        return (
            f"the state is locked by '{holder.get('command')}' (pid {holder.get('pid')} on "
            f"{holder.get('host')}, since {holder.get('time')}{run}, lock id {holder.get('id')}).{gone} "
            f"If that run is gone, remove the lock with: publisher unlock {holder.get('id')}"
        )
    except (OSError, ValueError, AttributeError):
        return f"the state is locked ({lock_path} exists and cannot be read)"


def remove(lock_path: Path, lock_id: str) -> None:
    """Remove the lock, only if it is the one with `lock_id`."""
    try:
        holder = json.loads(lock_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StateError(f"the state is not locked ({lock_path} does not exist)") from None
    except (OSError, ValueError):
        holder = {}
    if not isinstance(holder, dict) or holder.get("id") != lock_id:
        found = holder.get("id") if isinstance(holder, dict) else None
        raise StateError(f"the lock is {found!r}, not {lock_id!r}; nothing removed")
    os.unlink(lock_path)
