"""`apply`: plan (or take a saved plan), confirm, carry it out under the lock, record each step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..applying.applier import Applier, ApplyResult, Outcome
from ..applying.ratelimit import RateLimiter
from ..errors import Diagnostic, PublisherError
from ..loading.catalog import Catalog, check_policies, load_catalog
from ..loading.files import whole_catalog
from ..model import CREATED, Plan, State
from ..planning import planfile, queues
from ..planning.budgets import NO_ALLOWANCES, Allowances, over_budget
from ..planning.planner import make_plan
from ..planning.refresh import read_back
from ..state.store import StateStore
from . import checkout, inputs, reviews

if TYPE_CHECKING:  # requests is imported only by commands that talk to the API
    from ..api.client import Client


@dataclass
class ApplyHooks:
    """What the caller shows and asks along the way (the CLI prints; a program may not)."""

    show_plan: Callable[[Plan, str], None] = lambda plan, time_zone: None  # and the catalog's time zone
    confirm: Callable[[], None] = lambda: None  # raises to cancel
    progress: Callable[[int], Callable[[Outcome], None]] = lambda steps: lambda outcome: None
    on_wait: Callable[[str], None] = lambda message: None  # the API asked to wait
    on_lock_wait: Callable[[str], None] = lambda message: None  # someone else holds the state's lock
    say: Callable[[str], None] = lambda message: None  # a note for the person running it
    warn: Callable[[list[Diagnostic]], None] = lambda warnings: None  # policies' warnings


def apply_catalog(
    paths: list[Path],
    variables: dict[str, Any],
    *,
    state_option: str | None = None,
    targets: tuple[str, ...] = (),
    refresh: bool = False,
    concurrency: int | None = None,
    lock_timeout: float = 0.0,
    allow_older: bool = False,
    allowed: Allowances = NO_ALLOWANCES,
    max_changes: int | None = None,
    max_seconds: float | None = None,
    approve: tuple[str, ...] = (),
    reviewed_only: bool = False,
    unreviewed: str | None = None,
    hooks: ApplyHooks | None = None,
) -> ApplyResult | None:
    """Apply the catalog at `paths`, or the saved plan when `paths` is one plan file. With
    `approve`, approve those proposals first; under the review rule (publisher.yaml's
    review.required, or `reviewed_only`) hold what no approved proposal holds, unless
    `unreviewed` gives the reason to carry out everything (logged).

    Returns None when there was nothing to do."""
    hooks = hooks or ApplyHooks()
    reason = reviews.check_reason(unreviewed, reviewed_only=reviewed_only)
    saved = None
    if len(paths) == 1 and planfile.is_plan_file(paths[0]):
        saved = planfile.load_plan(paths[0])
        if targets:
            raise PublisherError("--target cannot narrow a saved plan; make the plan with --target instead")
        if allowed != NO_ALLOWANCES:
            raise PublisherError("a saved plan carries the --allow-* it was made with; make the plan with them instead")
        allowed = saved.allowed
        paths = [Path(p) for p in saved.paths]
    catalog = load_catalog(whole_catalog(paths, "apply"), variables=variables)
    client = inputs.client(on_wait=hooks.on_wait)
    now = inputs.apply_now(client.base_url, hooks.say)
    store = inputs.state_store(catalog.root, catalog.project, state_option)
    inputs.refuse_throwaway_state(store, catalog.root, catalog.project, state_option)
    leftover = inputs.leftover_state(catalog.root, store)
    catalog.warnings += [leftover] if leftover is not None else []
    settings = catalog.project.review
    review = reviews.ReviewRule(settings.required or reviewed_only, settings.expires_after, reason)
    for proposal_id in approve:
        reviews.approve(store, proposal_id, catalog.project.review, by=None, now=dt.datetime.now(dt.UTC))
        hooks.say(f"approved proposal {proposal_id}")
    with store.lock("publisher apply", timeout=lock_timeout, notify=hooks.on_lock_wait):
        state = store.read()
        store.recover(state)
        try:
            head = checkout.check_not_older(catalog.root, state.commit, allow_older=allow_older)
        except checkout.AlreadyApplied as newer:
            hooks.say(str(newer))
            return None
        state.commit = head or state.commit  # every write of this apply records where it came from
        slots = queues.assign(catalog, state, saved.now if saved is not None else now)
        if slots:
            check_policies(catalog)  # schedule rules count queued entries on their slots' days
        hooks.warn(catalog.warnings)
        the_plan = _plan(saved, catalog, store, state, client, targets=targets, refresh=refresh, now=now)
        held = reviews.gate(store, the_plan, state, review, now=now)
        the_plan.over_budget = over_budget(the_plan, state, catalog.project.budgets, allowed)
        hooks.show_plan(the_plan, catalog.project.time_zone)
        if the_plan.blocked:
            raise PublisherError(f"the plan is blocked at {len(the_plan.blocked)} address(es); nothing was changed")
        if the_plan.over_budget:
            raise PublisherError("\n".join(the_plan.over_budget) + "\nNothing was changed.")
        relabelled = _relabel(catalog, state)
        dropped = [a for a in state.takedowns if a not in catalog.resources and a not in state.resources]
        for address in dropped:  # the catalog dropped it: nothing left to keep down
            del state.takedowns[address]
        if the_plan.moved or the_plan.notes or slots != state.queues or relabelled or dropped:  # what changes no object
            state.queues = slots
            store.write(state, expected_serial=state.serial)
        if not the_plan.has_changes and saved is None:
            return ApplyResult(plan=the_plan, records=dict(state.resources)) if held else None
        hooks.confirm()
        journal = store.journal(state, always_write=saved is not None)
        applier = Applier(
            the_plan,
            state,
            journal,
            client,
            concurrency=concurrency or catalog.project.concurrency or 4,
            limiter=RateLimiter(catalog.project.rate_limits),
            max_changes=max_changes,
            max_seconds=max_seconds,
        )
        applier.report = hooks.progress(len(applier.graph))
        try:
            return applier.run()
        finally:
            _forget_published_slots(state)
            journal.finish()


def _relabel(catalog: Catalog, state: State) -> bool:
    """Give each record its entry's labels (a takedown by label finds objects by them, even
    once the catalog drops them); whether any changed."""
    changed = False
    for address, record in state.resources.items():
        resource = catalog.resources.get(address)
        if resource is not None and record.labels != resource.labels:
            record.labels = resource.labels
            changed = True
    return changed


def _forget_published_slots(state: State) -> None:
    """A queued item published by this apply no longer holds a slot."""
    created = {address for address, record in state.resources.items() if record.status == CREATED}
    state.queues = {
        queue: kept for queue, slots in state.queues.items() if (kept := {a: s for a, s in slots.items() if a not in created})
    }


def _plan(
    saved: planfile.SavedPlan | None, catalog: Catalog, store: StateStore, state: State, client: Client, *,
    targets: tuple[str, ...], refresh: bool, now: dt.datetime,
) -> Plan:  # fmt: skip
    """The plan to carry out: the saved one, derived again and checked, or a new one."""
    if saved is None:
        remote = read_back(state, client, catalog.tokens()) if refresh else None
        return make_plan(catalog, state, targets=targets, now=now, remote=remote)
    existed = store.exists()
    planfile.check_fresh(saved, state, existed)
    if saved.now > now + dt.timedelta(minutes=5):
        raise PublisherError(
            f"the saved plan was made for {saved.now.isoformat()}, a time still to come (PUBLISHER_NOW?): applying it "
            "now would publish scheduled items early. Make the plan again without PUBLISHER_NOW"
        )
    if not existed:
        state.lineage = saved.plan.state_lineage  # the plan was made before there was a state
    remote = read_back(state, client, catalog.tokens()) if saved.refresh else None
    return planfile.replay(saved, catalog, state, remote)
