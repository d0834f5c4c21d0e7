"""Carry out a plan: API calls in dependency order, each outcome recorded before the next step."""

from __future__ import annotations

import dataclasses
import graphlib
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import ApiError, FatalApiError, OutcomeUnknown
from ..model import CREATED, PENDING, UNKNOWN, Action, Change, Plan, State, StateRecord, created_ids, resolve
from ..resource_types import TYPES
from ..rules import network, timestamp
from ..state.journal import Journal
from ..state.store import new_record
from .ratelimit import RateLimiter

if TYPE_CHECKING:  # requests is imported only by commands that talk to the API
    from ..api.client import Client


class Step(NamedTuple):
    """One API call of an apply: CREATE, UPDATE, DELETE or FORGET of an address."""

    action: Action
    address: str


@dataclass
class Outcome:
    step: Step
    ok: bool
    message: str = ""
    fatal: bool = False  # the whole apply stops: reported once, in the summary
    pending: bool = False  # a create whose outcome is unknown


@dataclass
class ApplyResult:
    done: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # a dependency failed
    pending: dict[str, str] = field(default_factory=dict)
    not_attempted: list[str] = field(default_factory=list)  # after a fatal error
    remaining: list[str] = field(default_factory=list)  # left for the next apply by a slice
    aborted: str = ""
    plan: Plan | None = None  # what was applied (its held changes were not: see `held`)
    records: dict[str, StateRecord] = field(default_factory=dict)  # the state's records afterwards

    @property
    def ok(self) -> bool:
        return not (self.failed or self.skipped or self.pending or self.aborted)

    @property
    def held(self) -> list[Change]:
        """The changes held for want of a review: not sent, not a failure."""
        return [c for c in self.plan.changes if c.action is Action.HELD] if self.plan is not None else []


def _steps_of(change: Change) -> list[Step]:
    a = change.address
    if change.action is Action.REPLACE:
        return [Step(Action.CREATE, a)] if change.keep_old else [Step(Action.DELETE, a), Step(Action.CREATE, a)]
    return [Step(change.action, a)]


def step_graph(plan: Plan, state: State) -> dict[Step, set[Step]]:
    """The graph of steps: creates after what they refer to, deletes before what they refer to."""
    graph: dict[Step, set[Step]] = {step: set() for change in plan.actionable for step in _steps_of(change)}
    for change in plan.actionable:
        a = change.address
        for action in (Action.CREATE, Action.UPDATE):
            if (action, a) in graph and change.resource is not None:
                graph[Step(action, a)] |= {
                    Step(Action.CREATE, d) for d in change.resource.dependencies if (Action.CREATE, d) in graph
                }
                if (Action.DELETE, a) in graph:
                    graph[Step(action, a)].add(Step(Action.DELETE, a))
        if (Action.DELETE, a) in graph and a in state.resources:
            # What `a` depended on is deleted only after `a` is.
            for dependency in state.resources[a].dependencies:
                if (Action.DELETE, dependency) in graph:
                    graph[Step(Action.DELETE, dependency)].add(Step(Action.DELETE, a))
    return graph


def _hand_to(finished: queue.SimpleQueue[tuple[Step, Future[Outcome]]], step: Step) -> Callable[[Future[Outcome]], None]:
    """A finished call's callback: it puts the step and its future on the queue run() reads."""
    return lambda future: finished.put((step, future))


def _path(template: str | None, record: StateRecord) -> str:
    """An update or delete path for a recorded object."""
    assert template is not None, "the planner only plans what the type supports"
    rtype = TYPES[record.type]
    return template.format(id=record.id, **rtype.path_values(record.ids, record.inputs))


class Applier:
    """Runs the steps of a plan, up to `concurrency` at once, in dependency order.

    Workers only talk to the API and the journal; the calling thread keeps the result and
    calls `report` for each outcome, so reporting needs no locking.
    """

    def __init__(
        self,
        plan: Plan,
        state: State,
        journal: Journal,
        client: Client,
        *,
        concurrency: int = 4,
        limiter: RateLimiter | None = None,
        report: Callable[[Outcome], None] = lambda outcome: None,
        max_changes: int | None = None,
        max_seconds: float | None = None,
    ) -> None:
        self.plan = plan
        self.journal = journal
        self.state = state
        self.client = client
        self.concurrency = max(1, concurrency)
        self.limiter = limiter or RateLimiter({})
        self.report = report
        self.changes = {c.address: c for c in plan.changes}
        self.graph = step_graph(plan, state)
        self._ids_lock = threading.Lock()  # workers record created ids while others read them
        self._ids = created_ids(state.resources)
        # A slice: start no new change past these (--max-changes, --max-duration).
        self.max_changes = max_changes
        self.deadline = time.monotonic() + max_seconds if max_seconds is not None else None
        self._started: set[str] = set()  # addresses a call was made for

    def run(self) -> ApplyResult:
        """Carry out the steps, at most `concurrency` in flight. Each step costs O(1) here: a
        finished call is handed over through a queue, not found by waiting on every call."""
        result = ApplyResult()
        sorter = graphlib.TopologicalSorter(self.graph)
        sorter.prepare()
        broken: set[Step] = set()  # failed, or not carried out: what depends on it is skipped
        deferred: set[Step] = set()  # left for the next apply by --max-changes or --max-duration
        ready: deque[Step] = deque()
        finished: queue.SimpleQueue[tuple[Step, Future[Outcome]]] = queue.SimpleQueue()
        in_flight = 0
        with ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="apply") as pool:
            while sorter.is_active():
                ready.extend(sorter.get_ready())
                while ready and in_flight < self.concurrency:
                    step = ready.popleft()
                    if self._settled_without_a_call(step, result, broken, deferred):
                        sorter.done(step)
                        continue
                    self._started.add(step.address)
                    pool.submit(self._attempt, step).add_done_callback(_hand_to(finished, step))
                    in_flight += 1
                if not in_flight:
                    continue
                step, future = finished.get()
                in_flight -= 1
                outcome = future.result()
                self._count(outcome, result)
                self.report(outcome)
                if not outcome.ok:
                    broken.add(step)
                sorter.done(step)
        unfinished = {*result.failed, *result.skipped, *result.pending}
        result.done = [address for address in dict.fromkeys(result.done) if address not in unfinished]
        result.not_attempted = list(dict.fromkeys(result.not_attempted))
        result.remaining = list(dict.fromkeys(result.remaining))
        result.plan, result.records = self.plan, dict(self.state.resources)
        return result

    def _settled_without_a_call(self, step: Step, result: ApplyResult, broken: set[Step], deferred: set[Step]) -> bool:
        """Whether `step` is settled without calling the API: after a fatal error, after a
        failed dependency, or past the slice this apply may carry out (a change already
        started always finishes)."""
        address = step.address
        dependencies = self.graph[step]
        blocker = next((d for d in dependencies if d in broken), None)
        if result.aborted:
            if address not in result.failed:
                result.not_attempted.append(address)
        elif blocker is not None:
            if address not in result.failed:
                result.skipped.setdefault(address, f"{blocker.address} failed")
        elif address not in self._started and (any(d in deferred for d in dependencies) or self._slice_is_spent()):
            deferred.add(step)
            result.remaining.append(address)
            return True
        else:
            return False
        broken.add(step)
        return True

    def _slice_is_spent(self) -> bool:
        """Whether no new change may start. A slice always makes one, so that even a run given
        too little time gets on."""
        if not self._started:
            return False
        return (self.max_changes is not None and len(self._started) >= self.max_changes) or (
            self.deadline is not None and time.monotonic() >= self.deadline
        )

    @staticmethod
    def _count(outcome: Outcome, result: ApplyResult) -> None:
        address = outcome.step.address
        if outcome.ok:
            result.done.append(address)  # a replace's two steps: once, in run()
        elif outcome.fatal:
            result.aborted = result.aborted or outcome.message
            result.not_attempted.append(address)
        elif outcome.pending:
            result.pending[address] = outcome.message
        else:
            result.failed[address] = outcome.message

    def _attempt(self, step: Step) -> Outcome:
        change = self.changes[step.address]
        try:
            if step.action is not Action.FORGET:
                self.limiter.wait(network(change.type))
            self._carry_out(step.action, change)
        except OutcomeUnknown as error:
            # A create's pending record is already in the journal; an update or delete
            # whose answer was lost can safely be sent again by the next apply.
            return Outcome(step, False, error.message, pending=step.action is Action.CREATE)
        except FatalApiError as error:
            return Outcome(step, False, error.message, fatal=True)
        except ApiError as error:
            return Outcome(step, False, error.message)
        return Outcome(step, True)

    def _carry_out(self, action: Action, change: Change) -> None:
        if action is Action.CREATE:
            self._create(change)
        elif action is Action.UPDATE:
            self._update(change)
        elif action is Action.DELETE:
            self._delete(change)
        else:
            self.journal.remove(change.address)

    def _desired(self, change: Change) -> tuple[dict[str, Any], dict[str, Any]]:
        assert change.resource is not None
        with self._ids_lock:  # resolved in place: copying every id for each step made apply quadratic
            body = resolve(change.resource.body, self._ids)
            ids = resolve(change.resource.ids, self._ids)
        missing = [k for k, v in {**body, **ids}.items() if v is UNKNOWN or UNKNOWN in (v if isinstance(v, list) else [])]
        if missing:
            raise ApiError(f"{change.address}: the id for {', '.join(missing)} is not known; its dependency was not created")
        return body, ids

    def _create(self, change: Change) -> None:
        assert change.resource is not None
        rtype = change.resource.type
        body, ids = self._desired(change)
        address = change.address
        previous = self.state.resources.get(address)
        # The intent is durable before the request leaves: a crash from here on leaves a
        # pending record, never a silent gap that the next apply would post again.
        pending = new_record(change.resource, body, ids, status=PENDING, error="sent; no answer recorded")
        pending = self._provenance(pending, change)
        self.journal.set(address, pending)
        try:
            data = self.client.push(change.identity, rtype.create_path.format(**ids), rtype.object_key, body)
        except OutcomeUnknown as error:
            self.journal.set(address, dataclasses.replace(pending, error=error.message))
            raise
        except ApiError:
            # Refused for sure: nothing was created. Take the pending record back.
            if previous is None:
                self.journal.remove(address)
            else:
                self.journal.set(address, previous)
            raise
        remote_id = data.get(rtype.id_field)
        if remote_id is None and isinstance(data.get(rtype.object_key[-1]), dict):
            # INFERRED alternative shape: result.data.<object>.<object>_id
            remote_id = data[rtype.object_key[-1]].get(rtype.id_field)
        if remote_id is None:
            message = f"{address}: the API answered success without {rtype.id_field}; it was probably created"
            self.journal.set(address, dataclasses.replace(pending, error=message, result=data))
            raise OutcomeUnknown(message)
        created = dataclasses.replace(pending, status=CREATED, id=str(remote_id), result=data, error="")
        self.journal.set(address, created)
        with self._ids_lock:
            self._ids[address] = str(remote_id)

    def _update(self, change: Change) -> None:
        assert change.resource is not None
        rtype = change.resource.type
        record = self.state.resources[change.address]
        body, _ids = self._desired(change)
        sent = {k: body[k] for k in (*rtype.update_always, *change.changed) if k in body}
        path = _path(rtype.update_path, record)
        data = self.client.update(change.identity, path, rtype.update_key, sent)
        result = {**(record.result or {}), **data}
        source = change.resource.source if change.resource is not None else record.source
        labels = change.resource.labels
        updated = dataclasses.replace(record, inputs=body, updated_at=timestamp(), result=result, source=source, labels=labels)
        updated = self._provenance(updated, change)
        self.journal.set(change.address, updated)

    def _provenance(self, record: StateRecord, change: Change) -> StateRecord:
        """`record` with where its last change came from: the proposal, the commit, the change."""
        return dataclasses.replace(record, proposal=change.proposal, commit=self.state.commit or "", change=change.digest)

    def _delete(self, change: Change) -> None:
        record = self.state.resources[change.address]
        path = _path(TYPES[record.type].delete_path, record)
        try:
            self.client.delete(self.plan.tokens[record.identity], path)  # the planner made sure it is there
        except ApiError as error:
            if error.status != 404:  # already gone is what we wanted
                raise
        self.journal.remove(change.address)
