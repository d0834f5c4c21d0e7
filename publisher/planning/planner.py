"""Desired resources against the state → one action per address, with the reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from ..errors import InvalidInput
from ..loading.catalog import Catalog
from ..model import CREATED, NEW_REASON, PENDING, Action, Change, Plan, Resource, State, StateRecord, resolve, token_digest
from ..resource_types import TYPES
from ..rules import network_title, targeted, timestamp
from .refresh import Remote
from .reviews import add_digests


def _title(type_name: str) -> str:
    return TYPES[type_name].title if type_name in TYPES else type_name


def _ignored_keys(resource: Resource) -> set[str]:
    """`lifecycle.ignore_changes` names manifest fields; the state compares body keys and ids."""
    keys = set()
    for name in resource.lifecycle.get("ignore_changes", []):
        reference = resource.type.references.get(name)
        key = reference.into if reference is not None else name
        keys |= {name, key, resource.type.body_key(key)}
    return keys


def _desired(resource: Resource, id_of: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Body and path ids as they will be sent: references replaced by ids."""
    if not resource.dependencies:
        return resource.body, resource.ids  # nothing to replace; a plan never changes them
    return resolve(resource.body, id_of), resolve(resource.ids, id_of)


def _merged(fields: dict[str, Any], ids: dict[str, Any]) -> dict[str, Any]:
    """Body and path ids as one mapping, as plans show them (a plan never changes it)."""
    return {**fields, **ids} if ids else fields


def _plan_existing(resource: Resource, record: StateRecord, id_of: dict[str, Any]) -> Change:
    rtype = resource.type
    body, path_ids = _desired(resource, id_of)
    before, after = _merged(record.inputs, record.ids), _merged(body, path_ids)
    change = Change(resource.address, rtype.name, Action.NOOP, resource.identity, before=before, after=after, resource=resource)
    same_identity = record.identity == token_digest(resource.identity)
    if record.inputs == body and record.ids == path_ids and same_identity and record.type == rtype.name:
        return change
    ignored = _ignored_keys(resource)
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k) and k not in ignored)
    if not same_identity:
        changed.append("identity")
    type_changed = record.type != rtype.name
    if type_changed and "type" not in changed:  # a channel section's body has a `type` of its own
        changed.append("type")
    change.changed = changed
    if not changed:
        return change
    updatable = rtype.update_fields if rtype.can_update else frozenset()
    # A field removed from the manifest cannot be cleared through an update: it forces a replace.
    # So does another type, even where `type` is a field the API can update.
    change.forces = [k for k in changed if k not in updatable or k not in after or (k == "type" and type_changed)]
    if not change.forces:
        change.action = Action.UPDATE
        change.reason = "the API can update " + ", ".join(map(change.field_name, changed))
    else:
        _not_updatable(change, resource, record)
    return change


def _not_updatable(change: Change, resource: Resource, record: StateRecord) -> None:
    """A field changed that the API cannot update: replace, recreate or block, as the
    type and `lifecycle` allow."""
    rtype = resource.type
    type_changed = record.type != rtype.name
    old_type = TYPES.get(record.type)
    # Replacing deletes the object that exists: the recorded one, whose type may differ.
    deletable = old_type is not None and old_type.can_delete
    chosen = resource.lifecycle.get("on_immutable_change")
    mode = chosen or ("replace" if deletable else "error")
    forced = ", ".join("type" if k == "type" and type_changed else change.field_name(k) for k in change.forces)
    network = network_title(rtype.name)
    if type_changed and not deletable:
        # The old object is of another type, one the API cannot delete: it can only stay.
        change.action, change.keep_old = Action.REPLACE, True
        change.reason = (
            f"the type changed from {record.type} to {rtype.name}; a new one is posted and the old one "
            f"stays on {network_title(record.type)}: the API cannot delete it"
        )
        return
    if mode == "recreate":
        change.action, change.keep_old = Action.REPLACE, True
        change.reason = f"{forced} cannot be updated; recreate posts a new one and leaves the old one on {network}"
    elif mode == "replace" and deletable:
        change.action = Action.REPLACE
        change.reason = f"{forced} cannot be updated, so it is deleted and posted again"
    elif chosen == "error":
        change.action = Action.BLOCKED
        change.reason = (
            f"{forced} changed, but the API cannot update a {_title(rtype.name)} and "
            "lifecycle.on_immutable_change is error; revert the change, or set on_immutable_change "
            "to replace or recreate"
        )
    else:
        change.action = Action.BLOCKED
        change.reason = (
            f"{forced} changed, but the API can neither update nor delete a {_title(rtype.name)}; "
            "revert the change, or set lifecycle.on_immutable_change: recreate to post a new one "
            f"and leave the old one on {network}"
        )
    if change.action is Action.REPLACE and not change.keep_old and resource.lifecycle.get("prevent_destroy"):
        change.action = Action.BLOCKED
        change.reason = f"{forced} cannot be updated and replacing it would delete it, but lifecycle.prevent_destroy is set"


def _plan_pending(resource_address: str, record: StateRecord, matches: list[str] | None = None) -> Change:
    reason = (
        "a create was sent but its outcome is unknown; check the network, then settle it with "
        f"`publisher state resolve {resource_address} --id REMOTE_ID` (it exists) or `--absent` (it does not)"
    )
    if matches is not None and len(matches) == 1:
        reason += f". The network has one that matches: `publisher state resolve {resource_address} --id {matches[0]}`"
    elif matches:
        reason += f". The network has {len(matches)} that match: {', '.join(matches)}"
    elif matches is not None:
        reason += f". The network has none that matches: `publisher state resolve {resource_address} --absent`"
    return Change(resource_address, record.type, Action.BLOCKED, "", reason=reason, before=record.inputs)


def _plan_removed(address: str, record: StateRecord) -> Change:
    type_name = record.type
    rtype = TYPES.get(type_name)
    change = Change(address, type_name, Action.DELETE, "", before={**record.inputs, **record.ids})
    if rtype is not None and rtype.can_delete:
        change.reason = "removed from the manifests"
    else:
        change.action = Action.FORGET
        change.reason = f"stays on {network_title(type_name)}: the API cannot delete it; publisher stops tracking it"
    return change


def removal(address: str, record: StateRecord, tokens: dict[str, str]) -> Change:
    """The delete of a recorded object (a forget if the API cannot delete it), with the token
    of its identity; blocked if the catalog no longer has that token."""
    change = _plan_removed(address, record)
    _find_old_identity(change, record, tokens)
    return change


def selected(addresses: Iterable[str], catalog: Catalog, state: State, targets: tuple[str, ...]) -> set[str]:
    """The `addresses` a target selects (a glob, or label:NAME, by the entry's labels or else
    the record's); InvalidInput if a target selects none of them."""

    def labels(address: str) -> tuple[str, ...]:
        resource, record = catalog.resources.get(address), state.resources.get(address)
        return resource.labels if resource is not None else record.labels if record is not None else ()

    found = {address: labels(address) for address in addresses}
    for target in targets:
        if not any(targeted(address, tags, target) for address, tags in found.items()):
            raise InvalidInput(f"--target {target} matches no address of the catalog or the state")
    return {address for address, tags in found.items() if any(targeted(address, tags, t) for t in targets)}


def _targeted(changes: list[Change], catalog: Catalog, state: State, targets: tuple[str, ...]) -> list[Change]:
    """The changes at addresses a target selects, plus what they depend on."""
    wanted = selected((c.address for c in changes), catalog, state, targets)
    queue = list(wanted)
    while queue:
        address = queue.pop()
        resource = catalog.resources.get(address)
        record = state.resources.get(address)
        dependencies = resource.dependencies if resource else record.dependencies if record else ()
        for dependency in set(dependencies) - wanted:
            wanted.add(dependency)
            queue.append(dependency)
    return [c for c in changes if c.address in wanted]


def apply_moves(catalog: Catalog, state: State) -> list[str]:
    """Rename addresses in `state` as the manifests' `moved` say; returns what was moved."""
    done = []
    for move in catalog.moves:
        has_source, has_target = move.source in state.resources, move.target in state.resources
        if has_source and has_target:
            raise InvalidInput(
                f"{move.location}: moved: both {move.source} and {move.target} are in the state; "
                f"remove one with `publisher state rm` first"
            )
        if not has_source:
            continue  # moved already, or never created
        state.resources[move.target] = state.resources.pop(move.source)
        for record in state.resources.values():
            if move.source in record.dependencies:
                record.dependencies = tuple(sorted(move.target if d == move.source else d for d in record.dependencies))
        done.append(f"{move.source} has moved to {move.target}")
    return done


def _calendar(resource: Resource, record: StateRecord | None, now: dt.datetime, waiting: dict[str, str]) -> Change | None:
    """What the content calendar says, before any diff: not yet due, expired, or waiting."""
    address, type_name = resource.address, resource.type.name
    if resource.expire_at is not None and resource.expire_at <= now:
        if record is None:
            return Change(
                address,
                type_name,
                Action.EXPIRED,
                resource.identity,
                reason=f"expired at {timestamp(resource.expire_at)}; it is not published",
            )
        change = _plan_removed(address, record)
        change.reason = f"expired at {timestamp(resource.expire_at)}"
        return change
    if record is not None:
        return None  # published already: publish_at no longer matters
    if resource.publish_at is not None and resource.publish_at > now:
        return Change(
            address,
            type_name,
            Action.SCHEDULED,
            resource.identity,
            reason=resource.queued or f"scheduled for {timestamp(resource.publish_at)}",
            after={**resource.body},
            resource=resource,
        )
    blocker = next((d for d in resource.dependencies if d in waiting), None)
    if blocker is not None:
        return Change(
            address,
            type_name,
            Action.SCHEDULED,
            resource.identity,
            reason=f"waits for {blocker}, {waiting[blocker]}",
            resource=resource,
        )
    return None


def apply_remote(catalog: Catalog, state: State, remote: Remote) -> tuple[dict[str, str], list[str]]:
    """Make `state` say what the network says; returns the drift reason per address and notes."""
    reasons: dict[str, str] = {}
    notes: list[str] = []
    for address in sorted(remote.missing):
        del state.resources[address]
        if address in catalog.resources:
            reasons[address] = (
                "deleted outside publisher: apply posts it again; to leave it deleted, remove the entry from the manifests"
            )
        else:
            notes.append(f"{address} was deleted outside publisher and is no longer in the manifests: dropped from the state")
    for address, fields in sorted(remote.found.items()):
        record = state.resources[address]
        edited = sorted(k for k, v in fields.items() if record.inputs.get(k) != v)
        if edited:
            record.inputs = {**record.inputs, **{k: fields[k] for k in edited}}
            reasons[address] = (
                f"edited outside publisher ({', '.join(edited)}): apply puts the manifest's values back; "
                "to keep the change, copy it into the manifest"
            )
    return reasons, notes


def make_plan(
    catalog: Catalog,
    state: State,
    *,
    targets: tuple[str, ...] = (),
    now: dt.datetime | None = None,
    remote: Remote | None = None,
) -> Plan:
    """Compare the catalog with the state at the instant `now` (default: the current time).

    Reads and writes nothing; renames by `moved` are applied to `state` itself (apply then
    records them), and so is what `remote` (--refresh) found."""
    now = now or dt.datetime.now(dt.UTC)
    moved = apply_moves(catalog, state)
    drift, notes = apply_remote(catalog, state, remote) if remote is not None else ({}, [])
    changes: list[Change] = []
    id_of: dict[str, Any] = {}  # address → its id on the network, for references
    waiting: dict[str, str] = {}  # address → why it is not created yet (scheduled, expired)
    for address in catalog.order():
        resource, record = catalog.resources[address], state.resources.get(address)
        change = _plan_resource(resource, record, id_of, now, waiting, remote, state.takedowns)
        if drift.get(address) and change.action is not Action.NOOP:
            change.reason = f"{drift[address]}. {change.reason}".strip(". ")
        if change.action not in (Action.CREATE, Action.REPLACE) and record is not None and record.id:
            id_of[address] = record.id
        changes.append(change)
    for address, record in state.resources.items():
        if address not in catalog.resources:
            changes.append(_plan_pending(address, record) if record.status == PENDING else _plan_removed(address, record))
    changes.sort(key=lambda change: change.address)
    tokens = catalog.tokens()
    for change in changes:
        record = state.resources.get(change.address)
        _find_old_identity(change, record, tokens)
        change.alias = change.resource.alias if change.resource is not None else record.alias if record is not None else None
    if targets:
        changes = _targeted(changes, catalog, state, targets)
    plan = Plan(state.lineage, state.serial, changes, targets, moved, notes, tokens)
    add_digests(plan, state.resources)
    return plan


def _find_old_identity(change: Change, record: StateRecord | None, tokens: dict[str, str]) -> None:
    """A delete (or the delete of a replace) needs the token of the recorded object's identity;
    the state holds only its digest, and the catalog must still know the token."""
    if record is None or change.action is Action.NOOP:
        return
    if not change.identity:  # a delete, a forget, a pending create: shown with the old identity
        change.identity = tokens.get(record.identity, "")
    deletes = change.action is Action.DELETE or (change.action is Action.REPLACE and not change.keep_old)
    if deletes and record.identity not in tokens:
        owner = f"'{record.alias}'" if record.alias else "written out in a manifest"
        change.action = Action.BLOCKED
        change.reason = (
            f"the identity that owns it ({owner}) is no longer in the catalog, and publisher needs its token to delete it: "
            f"declare it again under identities, or stop tracking it with `publisher state rm {change.address}` "
            "(it stays on the network)"
        )


def _plan_taken_down(resource: Resource, record: StateRecord | None, takedown: dict[str, str], waiting: dict[str, str]) -> Change:
    """An entry `publisher takedown` took down: deleted if an object is still recorded (a
    takedown cut short), else kept down; what refers to it waits."""
    said = f"taken down by {takedown['by']} at {takedown['at']}" + (f": {takedown['reason']}" if takedown["reason"] else "")
    waiting[resource.address] = "taken down"
    if record is not None and record.status == CREATED:
        change = _plan_removed(resource.address, record)
        change.reason = said
        return change
    return Change(resource.address, resource.type.name, Action.TAKEN_DOWN, resource.identity, reason=said, resource=resource)


def _plan_resource(
    resource: Resource,
    record: StateRecord | None,
    id_of: dict[str, Any],
    now: dt.datetime,
    waiting: dict[str, str],
    remote: Remote | None,
    taken_down: dict[str, dict[str, str]],
) -> Change:
    address = resource.address
    if record is not None and record.status == PENDING:
        return _plan_pending(address, record, remote.matches.get(address) if remote else None)
    if remote is not None and address in remote.unreadable:
        return Change(address, resource.type.name, Action.BLOCKED, resource.identity, reason=remote.unreadable[address])
    takedown = taken_down.get(address)
    if takedown is not None:
        return _plan_taken_down(resource, record, takedown, waiting)
    change = _calendar(resource, record, now, waiting)
    if change is not None:
        if change.action.is_waiting:
            waiting[address] = change.reason
        return change
    if record is None:
        body, path_ids = _desired(resource, id_of)
        after = {**body, **path_ids}
        return Change(address, resource.type.name, Action.CREATE, resource.identity, NEW_REASON, after=after, resource=resource)
    return _plan_existing(resource, record, id_of)
