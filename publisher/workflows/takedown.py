"""`publisher takedown`: delete a campaign's objects now, and keep its entries down.

The takedown is recorded in the state first (who, when, why), then the deletes are carried out
under the lock and journaled as an apply's are: a run killed halfway leaves entries that stay
down, and the next takedown or apply deletes what is left, never anything twice. Every later
plan shows the entries as `taken down` until the catalog drops them or `--release`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..applying.applier import Applier, ApplyResult
from ..applying.ratelimit import RateLimiter
from ..errors import InvalidInput
from ..loading.catalog import Catalog, load_catalog
from ..loading.files import whole_catalog
from ..model import CREATED, Action, Change, Plan, State
from ..output.json import public_url
from ..planning.planner import removal, selected
from ..rules import REASON_LIMIT, is_one_line, timestamp
from . import checkout, inputs
from .apply import ApplyHooks


@dataclass
class TakedownResult:
    matched: list[str]  # every address the targets selected
    applied: ApplyResult | None = None  # the deletes carried out (None: nothing to delete)
    by_hand: list[tuple[str, str | None]] = field(default_factory=list)  # (address, public URL): the API cannot delete
    released: list[str] = field(default_factory=list)


def check_reason(reason: str) -> str:
    reason = reason.strip()
    if not is_one_line(reason, REASON_LIMIT):
        raise InvalidInput(f"--reason: one line of at most {REASON_LIMIT} printable characters")
    return reason


def takedown(
    paths: list[Path],
    variables: dict[str, Any],
    *,
    targets: tuple[str, ...],
    reason: str = "",
    release: bool = False,
    state_option: str | None = None,
    lock_timeout: float = 0.0,
    hooks: ApplyHooks | None = None,
) -> TakedownResult:
    """Take down (or with `release`, let up again) what `targets` select."""
    hooks = hooks or ApplyHooks()
    if not targets:
        raise InvalidInput("give what to take down with --target ADDRESS, a glob, or label:NAME")
    reason = check_reason(reason)
    catalog = load_catalog(whole_catalog(paths, "takedown"), variables=variables)
    store = inputs.state_store(catalog.root, catalog.project, state_option)
    client = None if release else inputs.client(on_wait=hooks.on_wait)
    with store.lock("publisher takedown", timeout=lock_timeout, notify=hooks.on_lock_wait):
        state = store.read()
        store.recover(state)
        matched = sorted(selected({*catalog.resources, *state.resources, *state.takedowns}, catalog, state, targets))
        if release:
            released = [address for address in matched if state.takedowns.pop(address, None) is not None]
            if not released:
                raise InvalidInput(f"nothing that {', '.join(targets)} selects is taken down; nothing was changed")
            store.write(state, expected_serial=state.serial)
            return TakedownResult(matched, released=released)
        entry = {"by": inputs.actor(), "at": timestamp(), "reason": reason}
        commit = checkout.head_commit(catalog.root)
        if commit:
            entry["commit"] = commit
        for address in matched:
            state.takedowns[address] = entry
        plan = _deletions(catalog, state, matched)
        hooks.show_plan(plan, catalog.project.time_zone)
        hooks.confirm()
        store.write(state, expected_serial=state.serial)  # down first: a crash from here on keeps them down
        result = TakedownResult(matched)
        result.by_hand = [(c.address, public_url(state.resources[c.address])) for c in plan.changes if c.action is Action.FORGET]
        if not plan.actionable:
            return result
        assert client is not None
        journal = store.journal(state)
        applier = Applier(plan, state, journal, client, concurrency=catalog.project.concurrency or 4,
                          limiter=RateLimiter(catalog.project.rate_limits))  # fmt: skip
        applier.report = hooks.progress(len(applier.graph))
        try:
            result.applied = applier.run()
        finally:
            journal.finish()
        return result


def _deletions(catalog: Catalog, state: State, matched: list[str]) -> Plan:
    """A delete (or a forget, for what the API cannot delete) of every matched object that
    was created; entries not published yet just stay down."""
    tokens = catalog.tokens()
    changes: list[Change] = []
    for address in matched:
        record = state.resources.get(address)
        if record is None or record.status != CREATED:
            continue
        change = removal(address, record, tokens)
        change.reason = "taken down" + (f": {state.takedowns[address]['reason']}" if state.takedowns[address]["reason"] else "")
        changes.append(change)
    return Plan(state.lineage, state.serial, changes, tokens=tokens)
