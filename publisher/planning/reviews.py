"""Reviews that bind: what a change does, as a digest, and which changes an approval covers.

A change's digest names what it does (address, type, action, identity, the body with references
as addresses, publish_at/expire_at, and the record it acts on), never the state's serial, the
time or other resources, so a proposal reviewed on a pull request still names the same change
when apply runs after other merges. Like Atlas's approved plans, an approval is of transitions,
not of a version of the state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..digests import json_digest
from ..model import Action, Change, Plan, State, StateRecord, token_digest
from ..rules import timestamp
from ..state.reviews import Approval, BreakGlass, Proposal, ProposedChange
from .plan_document import encode


def record_digest(record: StateRecord) -> str:
    """What a record says the object is: the same until a change of that object is applied."""
    return json_digest(
        {"type": record.type, "identity": record.identity, "id": record.id, "inputs": record.inputs, "ids": record.ids}
    )


def change_digest(change: Change, record: StateRecord | None) -> str:
    """The digest of what `change` does; a scheduled create has the digest of the create it
    becomes when due."""
    action = Action.CREATE if change.action is Action.SCHEDULED else change.action
    what: dict[str, Any] = {"address": change.address, "type": change.type, "action": action.value}
    resource = change.resource
    if resource is not None and action is not Action.DELETE and action is not Action.FORGET:
        what["identity"] = resource.alias or token_digest(resource.identity)
        what["body"] = encode({**resource.body, **resource.ids})  # references as {"ref": ADDRESS}
        # A queued entry's slot depends on what else is queued: the queue decides, not the review.
        what["publish_at"] = "queued" if resource.queued else timestamp(resource.publish_at) if resource.publish_at else None
        what["expire_at"] = timestamp(resource.expire_at) if resource.expire_at else None
    if record is not None and action is not Action.CREATE:
        what["record"] = record_digest(record)
        what.setdefault("identity", record.alias or record.identity)
    return json_digest(what)


def add_digests(plan: Plan, records: Mapping[str, StateRecord]) -> None:
    """Give every change that is or will be carried out its digest (in place)."""
    for change in plan.changes:
        if change.action.is_carried_out or change.action is Action.SCHEDULED:
            change.digest = change_digest(change, records.get(change.address))


def proposal_of(plan: Plan, proposal_id: str, *, by: str, commit: str | None, now: dt.datetime) -> Proposal:
    """The proposal of a plan's changes, the scheduled creates included."""
    changes = []
    for change in plan.changes:
        if not change.digest:
            continue
        resource = change.resource
        scheduled = change.action is Action.SCHEDULED
        due = timestamp(resource.publish_at) if scheduled and resource is not None and resource.publish_at else ""
        action = Action.CREATE if scheduled else change.action
        changes.append(ProposedChange(change.address, action.value, change.digest, due))
    return Proposal(proposal_id, timestamp(now), by, commit, changes)


@dataclass(frozen=True)
class Approved:
    """A proposal with its approval, as apply weighs it."""

    proposal: Proposal
    approval: Approval | None


def hold_unreviewed(plan: Plan, state: State, reviews: list[Approved], *, now: dt.datetime, expires_after: float) -> list[Change]:
    """Hold (in place) every change of `plan` that no approved, unexpired proposal holds, and
    what depends on a held create; mark the others with their proposal. Returns the held."""
    by_digest: dict[str, list[tuple[Approved, ProposedChange]]] = {}
    addresses: dict[str, list[str]] = {}
    for reviewed in reviews:
        for proposed in reviewed.proposal.changes:
            by_digest.setdefault(proposed.digest, []).append((reviewed, proposed))
            addresses.setdefault(proposed.address, []).append(reviewed.proposal.id)
    held: list[Change] = []
    for change in plan.changes:
        if not change.action.is_carried_out:
            continue
        record = state.resources.get(change.address)
        if _expiry_of_reviewed(change, record):
            assert record is not None
            change.proposal = record.proposal
            continue
        reason = _why_not(change, by_digest.get(change.digest, []), addresses.get(change.address, []), now, expires_after)
        if reason:
            _hold(change, reason)
            held.append(change)
    _hold_dependents(plan, held)
    return held


def _expiry_of_reviewed(change: Change, record: StateRecord | None) -> bool:
    """The delete at expire_at of an object published from a reviewed proposal: the expiry was
    part of what was reviewed (expire_at is in the create's digest)."""
    return change.action is Action.DELETE and change.reason.startswith("expired at") and bool(record and record.proposal)


def _why_not(
    change: Change, covering: list[tuple[Approved, ProposedChange]], at_address: list[str], now: dt.datetime, expires_after: float
) -> str:
    """Why `change` may not be carried out; '' if an approved, unexpired proposal holds it."""
    approved = [(r, p) for r, p in covering if r.approval is not None]
    for reviewed, proposed in approved:
        if now < reviewed.proposal.expires(expires_after, proposed):
            change.proposal = reviewed.proposal.id
            return ""
    if approved:
        reviewed, proposed = approved[0]
        return f"proposal {reviewed.proposal.id} expired at {timestamp(reviewed.proposal.expires(expires_after, proposed))}"
    if covering:
        return f"proposal {covering[0][0].proposal.id} is not approved"
    if at_address:
        return f"the content differs from the one reviewed in {', '.join(sorted(set(at_address)))}"
    return "no proposal holds this change"


def _hold(change: Change, reason: str) -> None:
    change.held_from = change.action
    change.action = Action.HELD
    change.reason = f"{change.held_from.value}: {reason}"


def _hold_dependents(plan: Plan, held: list[Change]) -> None:
    """A change that refers to a held create cannot be sent either: the id will not exist."""
    dependents: dict[str, list[Change]] = {}
    for change in plan.changes:
        if change.action in (Action.CREATE, Action.UPDATE, Action.REPLACE) and change.resource is not None:
            for dependency in change.resource.dependencies:
                dependents.setdefault(dependency, []).append(change)
    waiting = [c.address for c in held if c.held_from in (Action.CREATE, Action.REPLACE)]
    while waiting:
        blocker = waiting.pop()
        for change in dependents.get(blocker, []):
            if change.action is not Action.HELD:
                _hold(change, f"refers to {blocker}, which is held")
                held.append(change)
                waiting.append(change.address)


def break_glass_entry(changes: list[Change], reason: str, *, by: str, commit: str | None, now: dt.datetime) -> BreakGlass:
    """The log entry of `apply --unreviewed REASON`: the changes no approval held, that it
    carries out."""
    logged = [{"address": c.address, "action": c.action.value, "digest": c.digest} for c in changes]
    return BreakGlass(reason, by, timestamp(now), commit, logged)
