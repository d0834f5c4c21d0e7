"""`state list|show|pull|rm|mv|resolve|migrate` and `unlock`: a state inspected and repaired by hand.

`location` is --state (None: PUBLISHER_STATE, then the state of the catalog around the working
directory, as `inputs.state_store_here` finds it); `waiting` is
what the lock may be given: `timeout` (seconds) and `notify` (who holds it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import rules
from ..errors import StateError
from ..model import CREATED, PENDING, State, StateRecord
from ..state.locations import open_store
from ..state.reviews import REVIEW_KINDS
from ..state.store import StateStore, encode
from .inputs import state_store_here


def records(location: str | None) -> dict[str, StateRecord]:
    return _existing(location).resources


def record(location: str | None, address: str) -> StateRecord:
    return _record(_existing(location), address)


def shown(location: str | None, address: str) -> dict[str, Any]:
    """`state show ADDR`: its record, and its takedown (who, when, why) if it was taken down;
    an address taken down has no record once its object is gone."""
    state = _existing(location)
    takedown = state.takedowns.get(address)
    if takedown is not None and address not in state.resources:
        return {"takedown": takedown}
    data = _record(state, address).to_json()
    return {**data, "takedown": takedown} if takedown is not None else data


def pulled(location: str | None) -> str:
    """The current state as its JSON document (any unfinished journal folded in). It holds no
    token: identities are named by alias and digest."""
    return encode(_existing(location))


def _existing(location: str | None) -> State:
    """The state, or StateError when there is none: an empty listing would hide a wrong place."""
    store = state_store_here(location)
    _must_exist(store)
    return store.read()


def _must_exist(store: StateStore) -> None:
    if not store.exists() and not store.unfinished():
        raise StateError(f"{store.name}: there is no state here (give --state, or run in the catalog's folder)")


def _record(state: State, address: str) -> StateRecord:
    if address not in state.resources:
        raise StateError(f"{address} is not in the state")
    return state.resources[address]


def edit(store: StateStore, command: str, change: Callable[[State], None], **waiting: Any) -> None:
    """Change the state under its lock; nothing is written if `change` raises."""
    _must_exist(store)
    with store.lock(command, **waiting):
        state = store.read()
        serial = state.serial
        change(state)
        store.write(state, expected_serial=serial)


def remove(location: str | None, addresses: tuple[str, ...], **waiting: Any) -> None:
    """Stop tracking `addresses`; every one must be there, or nothing is removed."""

    def change(state: State) -> None:
        for address in addresses:
            _record(state, address)
        for address in addresses:
            del state.resources[address]

    edit(state_store_here(location), "publisher state rm", change, **waiting)


def move(location: str | None, source: str, destination: str, **waiting: Any) -> None:
    def change(state: State) -> None:
        _record(state, source)
        if destination in state.resources:
            raise StateError(f"{destination} is already in the state; nothing moved")
        if not rules.is_address(destination):
            raise StateError(f"{destination!r} is not an address (SECTION.NAME)")
        state.resources[destination] = state.resources.pop(source)

    edit(state_store_here(location), "publisher state mv", change, **waiting)


def resolve_pending(location: str | None, address: str, remote_id: str | None, **waiting: Any) -> None:
    """`state resolve`: the pending create was made (`remote_id`) or was not (None)."""
    store = state_store_here(location)
    edit(store, "publisher state resolve", lambda state: settle_pending(state, address, remote_id), **waiting)


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


def migrate(location: str | None, target: str, *, force: bool = False, **waiting: Any) -> State:
    """Copy the state (its journal folded in) to `target`, under both locks, keeping its
    serial. A target that holds another lineage, or a newer or different version of this
    one, is refused unless `force`: a migrate never rolls a state back. Returns the state as
    the target now has it."""
    source, destination = state_store_here(location), open_store(target)
    if source.name == destination.name:
        raise StateError(f"{destination.name}: that is where the state is already")
    if not source.exists() and not source.unfinished():
        raise StateError(f"{source.name}: there is no state here to migrate")
    with source.lock("publisher state migrate", **waiting):
        state = source.read()
        source.recover(state)
        with destination.lock("publisher state migrate", **waiting):
            present = destination.read()
            if destination.exists() and not force:
                _refuse_overwrite(destination.name, present, state)
            if destination.unfinished():
                raise StateError(f"{destination.name}: an unfinished apply's journal is there; nothing was copied")
            copied = State(state.lineage, state.serial, state.resources, state.commit, state.queues, state.takedowns)
            _copy_review_documents(source, destination)
            if destination.exists() and present.serial == state.serial and present.resources == state.resources:
                return present  # already there: nothing to write
            destination.write(copied, expected_serial=present.serial, expected_lineage=present.lineage)
    return copied


def _copy_review_documents(source: StateStore, destination: StateStore) -> None:
    """Proposals, approvals and the break-glass log go with the state: an approved proposal
    still holds its changes, and the log keeps every use."""
    for kind in REVIEW_KINDS:
        for name in source.backend.document_names(kind):
            content = source.backend.get_document(kind, name)
            if content is not None:
                destination.backend.put_document(kind, name, content)


def _refuse_overwrite(name: str, present: State, state: State) -> None:
    """A target that a copy would roll back or lose records of."""
    if present.lineage != state.lineage:
        raise StateError(
            f"{name} holds another state (lineage {present.lineage}, this one is {state.lineage}); "
            "nothing was copied. Pass --force to replace it"
        )
    if present.serial > state.serial:
        raise StateError(
            f"{name} holds a newer version of this state (serial {present.serial}, this copy is {state.serial}); "
            "copying it would roll the state back. Nothing was copied; migrate from the newer one, or pass --force"
        )
    if present.serial == state.serial and present.resources != state.resources:
        raise StateError(
            f"{name} holds serial {present.serial} of this state with other records; nothing was copied. "
            "Compare the two (publisher state pull), then pass --force to replace it"
        )


def unlock(location: str | None, lock_id: str, *, force: bool = False) -> None:
    state_store_here(location).unlock(lock_id, force=force)
