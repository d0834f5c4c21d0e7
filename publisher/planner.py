"""Desired resources against the state → one action per address (SPEC §4)."""

from __future__ import annotations

import datetime as dt
import fnmatch
import operator
from typing import Any

from .catalog import Catalog, Ref, Resource
from .errors import InvalidInput
from .refresh import Remote
from .plan import NEW_REASON, UNKNOWN, Change, Plan
from .resources import TYPES, network_title
from .state import State

_NEW_ID = ("create", "replace")




def resolve(value: Any, id_of: dict[str, Any]) -> Any:
    """Replace every `Ref` by the id it names (or `UNKNOWN` until it exists)."""
    if isinstance(value, Ref):
        return id_of.get(value.address, UNKNOWN)
    if isinstance(value, dict):
        return {k: resolve(v, id_of) if isinstance(v, _NESTED) else v for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, id_of) if isinstance(v, _NESTED) else v for v in value]
    return value


_NESTED = (Ref, dict, list)  # what resolve() looks into; anything else is kept as it is
_by_address = operator.attrgetter("address")
_NOTHING: dict[str, Any] = {}  # never changed: what a record without inputs or ids has


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


def _desired(resource: Resource, id_of: dict[str, Any]) -> dict[str, Any]:
    """What will be sent: ids and body, with the ids of references filled in."""
    if not resource.dependencies:  # nothing to resolve
        return {**resource.body, **resource.ids}
    return {**resolve(resource.body, id_of), **resolve(resource.ids, id_of)}


def _merged(fields: dict[str, Any], ids: dict[str, Any] | None) -> dict[str, Any]:
    return {**fields, **ids} if ids else fields


def _plan_existing(resource: Resource, record: dict[str, Any], id_of: dict[str, Any]) -> Change:
    rtype = resource.type
    inputs, ids = record.get("inputs", _NOTHING), record.get("ids") or _NOTHING
    body, path_ids = resource.body, resource.ids
    if resource.dependencies:
        body = resolve(body, id_of)
        path_ids = resolve(path_ids, id_of) if path_ids else path_ids
    # A plan only shows before and after, never changes them: the state's and the catalog's
    # own dicts serve where nothing needs merging.
    before, after = _merged(inputs, ids), _merged(body, path_ids)
    change = Change(resource.address, rtype.name, "no-op", resource.identity, before=before, after=after, resource=resource)
    if inputs == body and ids == path_ids and record.get("identity") == resource.identity and record.get("type") == rtype.name:
        return change  # the common case: nothing changed
    if before == after:  # the same fields, split otherwise between ids and body
        changed = []
    else:
        ignored = _ignored_keys(resource)
        changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k) and k not in ignored)
    if record.get("identity") != resource.identity:
        changed.append("identity")
    type_changed = record.get("type") != rtype.name
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
        change.action = "update"
        change.reason = "the API can update " + ", ".join(map(change.field_name, changed))
        return change
    old_type = TYPES.get(record.get("type", ""))
    # Replacing deletes the object that exists: the recorded one, whose type may differ.
    deletable = old_type is not None and old_type.can_delete
    chosen = resource.lifecycle.get("on_immutable_change")
    mode = chosen or ("replace" if deletable else "error")
    forced = ", ".join("type" if k == "type" and type_changed else change.field_name(k) for k in change.forces)
    network = network_title(rtype.name)
    if record.get("type") != rtype.name and not deletable:
        # The old object is of another type, one the API cannot delete: it can only stay.
        change.action, change.keep_old = "replace", True
        change.reason = (
            f"the type changed from {record.get('type')} to {rtype.name}; a new one is posted and the old one "
            f"stays on {network_title(record.get('type', '?'))}: the API cannot delete it"
        )
        return change
    if mode == "recreate":
        change.action, change.keep_old = "replace", True
        change.reason = f"{forced} cannot be updated; recreate posts a new one and leaves the old one on {network}"
    elif mode == "replace" and deletable:
        change.action = "replace"
        change.reason = f"{forced} cannot be updated, so it is deleted and posted again"
    elif chosen == "error":
        change.action = "blocked"
        change.reason = (
            f"{forced} changed, but the API cannot update a {_title(rtype.name)} and "
            "lifecycle.on_immutable_change is error; revert the change, or set on_immutable_change "
            "to replace or recreate"
        )
    else:
        change.action = "blocked"
        change.reason = (
            f"{forced} changed, but the API can neither update nor delete a {_title(rtype.name)}; "
            "revert the change, or set lifecycle.on_immutable_change: recreate to post a new one "
            f"and leave the old one on {network}"
        )
    if change.action == "replace" and not change.keep_old and resource.lifecycle.get("prevent_destroy"):
        change.action = "blocked"
        change.reason = f"{forced} cannot be updated and replacing it would delete it, but lifecycle.prevent_destroy is set"
    return change


def _plan_pending(resource_address: str, record: dict[str, Any], matches: list[str] | None = None) -> Change:
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
    return Change(resource_address, record.get("type", "?"), "blocked", record.get("identity", ""), reason=reason, before=record.get("inputs"))


def _plan_removed(address: str, record: dict[str, Any]) -> Change:
    type_name = record.get("type", "?")
    rtype = TYPES.get(type_name)
    inputs, ids = record.get("inputs", {}), record.get("ids")
    before = {**inputs, **ids} if ids else dict(inputs)
    change = Change(address, type_name, "delete", record.get("identity", ""), before=before)
    if rtype is not None and rtype.can_delete:
        change.reason = "removed from the manifests"
    else:
        change.action = "forget"
        change.reason = f"stays on {network_title(type_name)}: the API cannot delete it; publisher stops tracking it"
    return change


def _targeted(changes: list[Change], catalog: Catalog, state: State, targets: tuple[str, ...]) -> list[Change]:
    """The changes at addresses matching a target glob, plus what they depend on."""
    for target in targets:
        if not any(fnmatch.fnmatchcase(c.address, target) for c in changes):
            raise InvalidInput(f"--target {target} matches no address of the catalog or the state")
    wanted = {c.address for c in changes if any(fnmatch.fnmatchcase(c.address, t) for t in targets)}
    queue = list(wanted)
    while queue:
        address = queue.pop()
        resource = catalog.resources.get(address)
        dependencies = resource.dependencies if resource else set(state.resources.get(address, {}).get("dependencies", []))
        for dependency in dependencies - wanted:
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
            dependencies = record.get("dependencies")
            if dependencies and move.source in dependencies:
                record["dependencies"] = sorted(move.target if d == move.source else d for d in dependencies)
        done.append(f"{move.source} has moved to {move.target}")
    return done


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")


def _calendar(resource: Resource, record: dict[str, Any] | None, now: dt.datetime, waiting: dict[str, str]) -> Change | None:
    """What the content calendar says, before any diff: not yet due, expired, or waiting."""
    address, type_name = resource.address, resource.type.name
    if resource.expire_at is not None and resource.expire_at <= now:
        if record is None:
            return Change(address, type_name, "expired", resource.identity, reason=f"expired at {_stamp(resource.expire_at)}; it is not published")
        change = _plan_removed(address, record)
        change.reason = f"expired at {_stamp(resource.expire_at)}"
        return change
    if record is not None:
        return None  # published already: publish_at no longer matters
    if resource.publish_at is not None and resource.publish_at > now:
        return Change(address, type_name, "scheduled", resource.identity, reason=f"scheduled for {_stamp(resource.publish_at)}",
                      after={**resource.body}, resource=resource)
    blocker = next((d for d in sorted(resource.dependencies) if d in waiting), None)
    if blocker is not None:
        return Change(address, type_name, "scheduled", resource.identity, reason=f"waits for {blocker}, {waiting[blocker]}", resource=resource)
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
        edited = sorted(k for k, v in fields.items() if record["inputs"].get(k) != v)
        if edited:
            record["inputs"] = {**record["inputs"], **{k: fields[k] for k in edited}}
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
    records them)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    moved = apply_moves(catalog, state)
    drift, notes = apply_remote(catalog, state, remote) if remote is not None else ({}, [])
    changes: list[Change] = []
    id_of: dict[str, Any] = {}
    waiting: dict[str, str] = {}  # address → why it is not created yet (scheduled, expired)
    resources, records = catalog.resources, state.resources
    for address in catalog.order():
        resource = resources[address]
        record = records.get(address)
        if record is not None and record.get("status") == "pending":
            changes.append(_plan_pending(address, record, remote.matches.get(address) if remote else None))
            continue
        # The calendar only has a say before a resource exists, or once it may expire.
        change = _calendar(resource, record, now, waiting) if record is None or resource.expire_at is not None else None
        if change is not None:
            if change.action in ("scheduled", "expired"):
                waiting[address] = change.reason
        elif record is None:
            after = _desired(resource, id_of)
            change = Change(address, resource.type.name, "create", resource.identity, after=after, resource=resource)
            change.reason = NEW_REASON
        else:
            change = _plan_existing(resource, record, id_of)
        if drift and address in drift and change.action != "no-op":
            change.reason = f"{drift[address]}. {change.reason}".strip(". ")
        if remote is not None and address in remote.unreadable:
            change = Change(address, resource.type.name, "blocked", resource.identity, reason=remote.unreadable[address])
        if change.action not in _NEW_ID and record is not None and record.get("id"):
            id_of[address] = record["id"]
        changes.append(change)
    for address, record in records.items():
        if address not in resources:
            changes.append(_plan_removed(address, record) if record.get("status") != "pending" else _plan_pending(address, record))
    changes.sort(key=_by_address)
    if targets:
        changes = _targeted(changes, catalog, state, targets)
    return Plan(catalog, state.lineage, state.serial, changes, targets, moved, notes)
