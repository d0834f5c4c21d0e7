"""`validate` and `plan`: the catalog read, checked, and compared with the state."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from .. import cache
from ..errors import Diagnostic, InvalidInput
from ..loading.catalog import Catalog, check_policies, load_catalog
from ..loading.files import discover, find_root, whole_catalog
from ..loading.project import load_project
from ..model import Plan
from ..planning import planfile, queues
from ..planning.budgets import NO_ALLOWANCES, Allowances, over_budget
from ..planning.planner import make_plan
from ..planning.refresh import read_back
from ..state.reviews import Proposal
from . import checkout, inputs, reviews


class NoChanges(NamedTuple):
    """The memo's answer: the catalog is the one of the last no-op plan, of this many resources."""

    resources: int


@dataclass
class PlanOutcome:
    plan: Plan
    catalog: Catalog
    state_existed: bool = False
    now: dt.datetime | None = None  # the instant planned for
    refresh: bool = False
    allowed: Allowances = NO_ALLOWANCES


def validate_catalog(paths: list[Path], variables: dict[str, Any]) -> Catalog:
    """The catalog, or InvalidInput with every problem of every file. Writes nothing, and
    needs no secret: an identity variable that is not set stands for some token."""
    return load_catalog(paths, variables=variables, secrets_needed=False)


def validate_changed(paths: list[Path], variables: dict[str, Any]) -> tuple[list[tuple[Path, Catalog]], list[Diagnostic]]:
    """`validate --changed`: each whole catalog the changed files belong to, found from the
    nearest publisher.yaml upward (files in no catalog are skipped), and every problem of the
    invalid ones."""
    roots = sorted({root for path in paths if (root := find_root(path)) is not None})
    found, problems = [], []
    for root in roots:
        try:
            found.append((root, validate_catalog([root], variables)))
        except InvalidInput as error:
            problems += error.diagnostics
    return found, problems


def plan_catalog(
    paths: list[Path],
    variables: dict[str, Any],
    *,
    state_option: str | None = None,
    targets: tuple[str, ...] = (),
    refresh: bool = False,
    memo: bool = True,
    allowed: Allowances = NO_ALLOWANCES,
) -> PlanOutcome | NoChanges:
    """Plan; with `memo`, answer from the memo of the last no-op plan when nothing it read changed."""
    paths = whole_catalog(paths, "plan")
    memo_inputs = _memo(paths, variables, state_option) if memo and not targets and not refresh else None
    if memo_inputs is not None:
        count = memo_inputs[0].lookup(memo_inputs[1])
        if count is not None:
            return NoChanges(count)
    catalog = load_catalog(paths, variables=variables)
    store = inputs.state_store(catalog.root, catalog.project, state_option)
    leftover = inputs.leftover_state(catalog.root, store)
    catalog.warnings += [leftover] if leftover is not None else []
    state = store.read()
    remote = read_back(state, inputs.client(), catalog.tokens()) if refresh else None
    now = inputs.now()
    if queues.assign(catalog, state, now):
        check_policies(catalog)  # schedule rules count queued entries on their slots' days
    the_plan = make_plan(catalog, state, targets=targets, now=now, remote=remote)
    the_plan.over_budget = over_budget(the_plan, state, catalog.project.budgets, allowed)
    timeless = all(r.publish_at is None and r.expire_at is None for r in catalog.resources.values())  # queued too
    quiet = timeless and not catalog.warnings  # a memo hit would not print the warnings again
    if memo_inputs is not None and quiet and not the_plan.changes_or_blocked:
        assert catalog.context is not None
        memo_inputs[0].remember(memo_inputs[1], set(catalog.context.used_env), catalog.context.used_files, len(catalog.resources))
    existed = state.serial > 0  # every stored state has a serial; a new one (or a journal alone) has 0
    return PlanOutcome(the_plan, catalog, existed, now, refresh, allowed)


def _memo(
    paths: list[Path], variables: dict[str, Any], state_option: str | None
) -> tuple[cache.NoopMemo, cache.MemoInputs] | None:
    """The memo and what a plan reads, for a state that the store can fingerprint (a shared
    state can change without anything here changing: it is always read)."""
    if not cache.enabled(os.environ):
        return None
    root, files = discover(paths)
    project, problems = load_project(root)
    if problems:
        return None
    fingerprint = inputs.state_store(root, project, state_option).fingerprint()
    if fingerprint is None:
        return None
    return cache.NoopMemo(root, os.environ), cache.MemoInputs(files, variables, fingerprint)


def propose_plan(outcome: PlanOutcome, proposal_id: str, state_option: str | None) -> Proposal:
    """`plan --propose ID`: the plan's changes, scheduled ones too, as proposal ID beside the
    state. Holds no token: changes are named by address, action and digest."""
    store = inputs.state_store(outcome.catalog.root, outcome.catalog.project, state_option)
    commit = checkout.head_commit(outcome.catalog.root)
    return reviews.propose(store, outcome.plan, proposal_id, commit=commit, now=dt.datetime.now(dt.UTC))


def save_plan(outcome: PlanOutcome, out: Path, paths: list[Path]) -> None:
    """`plan --out`: a plan that apply carries out exactly, once."""
    assert outcome.now is not None
    planfile.save(outcome.plan, outcome.catalog, out, paths=[str(p) for p in paths], state_existed=outcome.state_existed,
                  now=outcome.now, refresh=outcome.refresh, allowed=outcome.allowed)  # fmt: skip


def saved_plan(path: Path) -> tuple[planfile.SavedPlan, str]:
    """A saved plan, and the time zone of the catalog it was made from (UTC if it is gone)."""
    saved = planfile.load_plan(path)
    root = find_root(Path(saved.paths[0])) if saved.paths else None
    if root is None:
        return saved, "UTC"
    project, problems = load_project(root)
    return saved, "UTC" if problems else project.time_zone
