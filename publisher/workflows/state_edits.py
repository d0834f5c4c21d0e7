"""`state list|show|rm|mv|resolve` and `unlock`: inspecting and repairing a state by hand."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .. import rules
from ..cache import json_digest
from ..errors import StateError
from ..model import CREATED, PENDING, State, StateRecord
from .inputs import open_store


def records(state_path: Path) -> dict[str, StateRecord]:
    return open_store(state_path).read().resources


def record(state_path: Path, address: str) -> StateRecord:
    return _record(open_store(state_path).read(), address)


def _record(state: State, address: str) -> StateRecord:
    if address not in state.resources:
        raise StateError(f"{address} is not in the state")
    return state.resources[address]


def edit(state_path: Path, command: str, change: Callable[[State], None]) -> None:
    """Change the state under its lock; nothing is written if `change` raises."""
    store = open_store(state_path)
    if not store.exists() and not store.unfinished():
        raise StateError(f"{state_path}: no state file here")
    with store.lock(command):
        state = store.read()
        serial = state.serial
        change(state)
        store.write(state, expected_serial=serial)


def remove(state_path: Path, addresses: tuple[str, ...]) -> None:
    """Stop tracking `addresses`; every one must be there, or nothing is removed."""

    def change(state: State) -> None:
        for address in addresses:
            _record(state, address)
        for address in addresses:
            del state.resources[address]

    edit(state_path, "publisher state rm", change)


def move(state_path: Path, source: str, destination: str) -> None:
    def change(state: State) -> None:
        _record(state, source)
        if destination in state.resources:
            raise StateError(f"{destination} is already in the state; nothing moved")
        if not rules.is_address(destination):
            raise StateError(f"{destination!r} is not an address (SECTION.NAME)")
        state.resources[destination] = state.resources.pop(source)

    edit(state_path, "publisher state mv", change)


def resolve_pending(state_path: Path, address: str, remote_id: str | None) -> None:
    """`state resolve`: the pending create was made (`remote_id`) or was not (None)."""
    edit(state_path, "publisher state resolve", lambda state: settle_pending(state, address, remote_id))


def settle_pending(state: State, address: str, remote_id: str | None) -> None:
    pending = _record(state, address)
    if pending.status != PENDING:
        raise StateError(f"{address} is not pending (status {pending.status}); nothing to resolve")
    if remote_id is None:
        del state.resources[address]
        return
    pending.id, pending.status, pending.updated_at, pending.error = remote_id, CREATED, pending.created_at, ""
    if pending.result is None:
        pending.result = {}
    pending.digest = json_digest(pending.inputs)


def unlock(state_path: Path, lock_id: str) -> None:
    open_store(state_path).unlock(lock_id)
