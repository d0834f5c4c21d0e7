"""Change budgets: the most one run may change. A plan over budget is refused before anything
is sent, as rsync's --max-delete does, so a broken feed cannot wipe a catalog.

Without a `budgets:` block, deleting or forgetting more than half of the objects in the state,
and more than 10, is over budget: a small catalog deletes freely, a nightly export that came
out empty does not.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any, NamedTuple

from ..model import Action, Plan, State
from ..rules import counted

_COUNTED = {
    "max_deletes": (Action.DELETE, Action.FORGET),
    "max_replaces": (Action.REPLACE,),
    "max_changes": (Action.CREATE, Action.UPDATE, Action.REPLACE, Action.DELETE, Action.FORGET),
}
_FLAGS = {"max_deletes": "--allow-deletes", "max_replaces": "--allow-replaces", "max_changes": "--allow-changes"}
_WORDS = {"max_deletes": "deletes or forgets", "max_replaces": "replaces", "max_changes": "changes"}


class Allowances(NamedTuple):
    """What --allow-deletes, --allow-replaces and --allow-changes allow for one run."""

    deletes: int | None = None
    replaces: int | None = None
    changes: int | None = None

    def of(self, budget: str) -> int | None:
        return {"max_deletes": self.deletes, "max_replaces": self.replaces, "max_changes": self.changes}[budget]


NO_ALLOWANCES = Allowances()


def over_budget(plan: Plan, state: State, budgets: Mapping[str, Any] | None, allowed: Allowances) -> list[str]:
    """One message for each budget the plan goes over (and no allowance covers): the budget,
    the count, the largest sources of it, and the flag that allows it for one run."""
    objects = len(state.resources)
    limits = dict(budgets) if budgets is not None else {"max_deletes": max(10, objects // 2)}
    messages = []
    for budget, value in limits.items():
        changes = [c for c in plan.changes if c.action in _COUNTED[budget]]
        limit = _limit(value, objects)
        allowance = allowed.of(budget)
        if len(changes) <= limit or (allowance is not None and len(changes) <= allowance):
            continue
        rule = f"{value} of {counted(objects, 'object')} in the state" if isinstance(value, str) else str(limit)
        if budgets is None:
            rule = f"half of the {counted(objects, 'object')} in the state, when more than 10"
        sources = Counter(_source(change, state) for change in changes).most_common(3)
        named = ", ".join(f"{count} from {source}" for source, count in sources)
        short = f" (--allow-{budget[4:]} {allowance} is fewer)" if allowance is not None else ""
        messages.append(
            f"over budget: {len(changes)} {_WORDS[budget]}, more than {budget} allows ({rule}){short}: {named}. "
            f"If that is meant, allow it for this run with {_FLAGS[budget]} {len(changes)}"
        )
    return messages


def _limit(value: int | str, objects: int) -> int:
    """A count, or a percentage of the objects in the state, rounded down."""
    if isinstance(value, str):
        return int(float(value.rstrip("%")) * objects / 100)
    return value


def _source(change: Any, state: State) -> str:
    """Where a change comes from: the desired resource's data file or manifest, else (a delete)
    the one the state recorded when it was last sent."""
    if change.resource is not None and change.resource.source:
        return str(change.resource.source)
    record = state.resources.get(change.address)
    return record.source if record is not None and record.source else "files no longer in the catalog"
