"""Reviews: propose a plan's changes, approve a proposal, list and show them, and decide which
changes an apply may carry out (planning/reviews.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidInput
from ..loading.project import Review
from ..model import Action, Change, Plan, State, StateRecord
from ..planning.reviews import Approved, break_glass_entry, hold_unreviewed, proposal_of
from ..rules import REASON_LIMIT, is_one_line, timestamp
from ..state.reviews import PROPOSALS, BreakGlass, Proposal, ProposedChange, check_id
from ..state.store import StateStore
from . import inputs


def propose(store: StateStore, plan: Plan, proposal_id: str, *, commit: str | None, now: dt.datetime) -> Proposal:
    """`plan --propose ID`: record the plan's changes as proposal ID (replacing any)."""
    proposal = proposal_of(plan, check_id(proposal_id), by=inputs.actor(), commit=commit, now=now)
    store.reviews.propose(proposal)
    return proposal


def _existing(store: StateStore, proposal_id: str) -> Proposal:
    proposal = store.reviews.proposal(check_id(proposal_id))
    if proposal is None:
        known = store.reviews.backend.document_names(PROPOSALS)
        listed = f" (known: {', '.join(known[:10])}{' ...' if len(known) > 10 else ''})" if known else " (there is none)"
        raise InvalidInput(f"no proposal {proposal_id!r} in {store.name}{listed}; make one with `publisher plan --propose ID`")
    return proposal


def approve(store: StateStore, proposal_id: str, review: Review, *, by: str | None, now: dt.datetime) -> Proposal:
    """Approve the proposal as it is now; an expired one cannot be approved."""
    proposal = _existing(store, proposal_id)
    if now >= proposal.expires(review.expires_after):
        raise InvalidInput(
            f"proposal {proposal_id!r} expired at {timestamp(proposal.expires(review.expires_after))} (review.expires_after "
            "counts from the proposal) and cannot be approved: propose the plan again (publisher plan --propose ID)"
        )
    store.reviews.approve(proposal, by or inputs.actor(), now)
    return proposal


def check_reason(reason: str | None, *, reviewed_only: bool) -> str:
    """`apply --unreviewed REASON`: one printable line that says why ('' without it)."""
    if reason is None:
        return ""
    if reviewed_only:
        raise InvalidInput("--reviewed-only and --unreviewed contradict each other: give one")
    reason = reason.strip()
    if not reason or not is_one_line(reason, REASON_LIMIT):
        raise InvalidInput(f"--unreviewed REASON: give one line of at most {REASON_LIMIT} printable characters saying why")
    return reason


@dataclass
class ReviewRule:
    """What apply needs to know about reviews for one run."""

    required: bool = False  # publisher.yaml's review.required, or --reviewed-only
    expires_after: float = Review.expires_after
    unreviewed: str = ""  # --unreviewed REASON: carry out everything, and log it


def gate(store: StateStore, plan: Plan, state: State, rule: ReviewRule, *, now: dt.datetime) -> list[Change]:
    """Hold (in place) what no approved, unexpired proposal holds, when reviews are required;
    with --unreviewed, hold nothing and log the changes it lets through. Returns the held."""
    if not rule.required and not rule.unreviewed:
        return []
    if not plan.actionable:
        return []
    reviews = [Approved(p, store.reviews.approval(p)) for p in store.reviews.proposals()]
    held = hold_unreviewed(plan, state, reviews, now=now, expires_after=rule.expires_after)
    if rule.unreviewed:
        for change in held:  # let through, each recorded as the break-glass's
            assert change.held_from is not None
            change.action, change.held_from = change.held_from, None
            change.proposal = "break-glass"
        if held:
            entry = break_glass_entry(held, rule.unreviewed, by=inputs.actor(), commit=state.commit, now=now)
            store.reviews.log_break_glass(entry, now)
        return []
    return held


# review list / show --------------------------------------------------------------------------


def _described(store: StateStore, proposal: Proposal, review: Review, now: dt.datetime) -> dict[str, Any]:
    """A proposal as `review list` and `review show` give it: proposed, approved or expired,
    by whom and when."""
    approval = store.reviews.approval(proposal)
    expired = now >= proposal.expires(review.expires_after)
    return {
        "id": proposal.id,
        "status": "approved" if approval is not None else "expired" if expired else "proposed",
        "commit": proposal.commit,
        "proposed_at": proposal.proposed_at,
        "proposed_by": proposal.proposed_by,
        "approved_by": approval.approved_by if approval else None,
        "approved_at": approval.approved_at if approval else None,
    }


def listing(store: StateStore, review: Review, now: dt.datetime) -> dict[str, Any]:
    """`review list`: every proposal with its status and counts, and the break-glass log."""
    proposals = []
    for proposal in store.reviews.proposals():
        counts: dict[str, int] = {}
        for change in proposal.changes:
            counts[change.action] = counts.get(change.action, 0) + 1
        proposals.append({**_described(store, proposal, review, now), "changes": counts})
    log = [_break_glass(entry) for entry in store.reviews.break_glass()]
    return {"format_version": 1, "state": store.name, "proposals": proposals, "break_glass": log}


def prune(store: StateStore, review: Review, now: dt.datetime) -> list[str]:
    """`review prune`: remove the proposals that can approve nothing any more (expired, their
    scheduled changes' windows too), with their approvals. The break-glass log stays."""
    ended = [proposal for proposal in store.reviews.proposals() if proposal.ended(review.expires_after, now)]
    for proposal in ended:
        store.reviews.forget(proposal)
    return [proposal.id for proposal in ended]


def _break_glass(entry: BreakGlass) -> dict[str, Any]:
    return {"reason": entry.reason, "by": entry.by, "at": entry.at, "commit": entry.commit, "changes": entry.changes}


def showing(store: StateStore, proposal_id: str, review: Review, now: dt.datetime) -> dict[str, Any]:
    """`review show ID`: its changes, and whether each has been carried out."""
    proposal = _existing(store, proposal_id)
    records = store.read().resources if store.exists() or store.unfinished() else {}
    return {
        "format_version": 1,
        **_described(store, proposal, review, now),
        "expires_at": timestamp(proposal.expires(review.expires_after)),
        "changes": [
            {
                "address": c.address,
                "action": c.action,
                "digest": c.digest,
                "due": c.due or None,
                "done": _done(c, records.get(c.address)),
            }
            for c in proposal.changes
        ],
    }


def _done(change: ProposedChange, record: StateRecord | None) -> bool:
    """Whether the state shows the change carried out: the record its digest left, or gone."""
    if change.action in (Action.DELETE.value, Action.FORGET.value):
        return record is None
    return record is not None and record.change == change.digest
