"""Carry out a plan: API calls in dependency order, each outcome recorded before the next step."""

from __future__ import annotations

import graphlib
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from .errors import ApiError, FatalApiError, OutcomeUnknown
from .plan import UNKNOWN, Change, Plan
from .planner import resolve
from .ratelimit import RateLimiter
from .resources import TYPES
from .state import Journal, State, digest, new_record, now

if TYPE_CHECKING:  # requests is imported only by commands that talk to the API
    from .client import Client

Step = tuple[str, str]  # (kind, address): kind is destroy, create, update or forget


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
    aborted: str = ""

    @property
    def ok(self) -> bool:
        return not (self.failed or self.skipped or self.pending or self.aborted)


def _steps(plan: Plan, state: State) -> dict[Step, set[Step]]:
    """The graph of steps: creates after what they refer to, deletes before what they refer to."""
    graph: dict[Step, set[Step]] = {}
    for change in plan.actionable:
        a = change.address
        if change.action in ("delete", "replace") and not change.keep_old:
            graph.setdefault(("destroy", a), set())
        if change.action == "forget":
            graph.setdefault(("forget", a), set())
        if change.action in ("create", "replace"):
            graph.setdefault(("create", a), set())
        if change.action == "update":
            graph.setdefault(("update", a), set())
    for change in plan.actionable:
        a = change.address
        for kind in ("create", "update"):
            if (kind, a) in graph and change.resource is not None:
                graph[(kind, a)] |= {("create", d) for d in change.resource.dependencies if ("create", d) in graph}
                if ("destroy", a) in graph:
                    graph[(kind, a)].add(("destroy", a))
        if ("destroy", a) in graph:
            # What `a` depended on is destroyed only after `a` is.
            for dependency in state.resources.get(a, {}).get("dependencies", []):
                if ("destroy", dependency) in graph:
                    graph[("destroy", dependency)].add(("destroy", a))
    return graph


def _path(template: str | None, record: dict[str, Any]) -> str:
    """An update or delete path for a recorded object."""
    assert template is not None, "the planner only plans what the type supports"
    rtype = TYPES[record["type"]]
    return template.format(id=record["id"], **rtype.path_values(record.get("ids", {}), record.get("inputs", {})))


class Applier:
    """Runs the steps of a plan, up to `concurrency` at once, in dependency order.

    Workers only talk to the API and the journal; the calling thread keeps the result and
    calls `report` for each outcome, so reporting needs no locking.
    """

    def __init__(
        self,
        plan: Plan,
        journal: Journal,
        client: Client,
        *,
        concurrency: int = 4,
        limiter: RateLimiter | None = None,
        report: Callable[[Outcome], None] = lambda outcome: None,
    ) -> None:
        self.plan = plan
        self.journal = journal
        self.state = journal.state
        self.client = client
        self.concurrency = max(1, concurrency)
        self.limiter = limiter or RateLimiter({})
        self.report = report
        self.changes = {c.address: c for c in plan.changes}

    def steps(self) -> dict[Step, set[Step]]:
        return _steps(self.plan, self.state)

    def run(self) -> ApplyResult:
        result = ApplyResult()
        graph = self.steps()
        sorter = graphlib.TopologicalSorter(graph)
        sorter.prepare()
        broken: set[Step] = set()
        with ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="apply") as pool:
            running: dict[Future[Outcome], Step] = {}
            while sorter.is_active():
                for step in sorter.get_ready():
                    address = step[1]
                    blocker = next((d for d in graph[step] if d in broken), None)
                    if result.aborted:
                        if address not in result.not_attempted and address not in result.failed:
                            result.not_attempted.append(address)
                        broken.add(step)
                        sorter.done(step)
                    elif blocker is not None:
                        if address not in result.failed:
                            result.skipped.setdefault(address, f"{blocker[1]} failed")
                        broken.add(step)
                        sorter.done(step)
                    else:
                        running[pool.submit(self._attempt, step)] = step
                if not running:
                    continue
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    step = running.pop(future)
                    outcome = future.result()
                    self._count(outcome, result)
                    self.report(outcome)
                    if not outcome.ok:
                        broken.add(step)
                    sorter.done(step)
        for address in list(result.done):
            if address in result.failed or address in result.skipped or address in result.pending:
                result.done.remove(address)
        return result

    @staticmethod
    def _count(outcome: Outcome, result: ApplyResult) -> None:
        kind, address = outcome.step
        if outcome.ok:
            if address not in result.done:
                result.done.append(address)
        elif outcome.fatal:
            result.aborted = result.aborted or outcome.message
            result.not_attempted.append(address)
        elif outcome.pending:
            result.pending[address] = outcome.message
        else:
            result.failed[address] = outcome.message

    def _attempt(self, step: Step) -> Outcome:
        kind, address = step
        change = self.changes[address]
        try:
            if kind != "forget":
                self.limiter.wait(change.type.split("/", 1)[0])
            getattr(self, "_" + kind)(change)
        except OutcomeUnknown as error:
            # A create's pending record is already in the journal; an update or delete
            # whose answer was lost can safely be sent again by the next apply.
            return Outcome(step, False, error.message, pending=kind == "create")
        except FatalApiError as error:
            return Outcome(step, False, error.message, fatal=True)
        except ApiError as error:
            return Outcome(step, False, error.message)
        return Outcome(step, True)

    def _ids(self) -> dict[str, Any]:
        with self.journal.lock:  # other workers record outcomes meanwhile
            return {a: r["id"] for a, r in self.state.resources.items() if r.get("status") == "created" and r.get("id")}

    def _desired(self, change: Change) -> tuple[dict[str, Any], dict[str, Any]]:
        assert change.resource is not None
        ids_of = self._ids()
        body = resolve(change.resource.body, ids_of)
        ids = resolve(change.resource.ids, ids_of)
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
        pending = self._record(change, body, ids, status="pending", error="sent; no answer recorded")
        self.journal.set(address, pending)
        try:
            data = self.client.push(change.identity, rtype.create_path.format(**ids), rtype.object_key, body)
        except OutcomeUnknown as error:
            self.journal.set(address, {**pending, "error": error.message})
            raise
        except ApiError:
            self.journal.undo(address, previous)  # refused for sure: nothing was created
            raise
        remote_id = data.get(rtype.id_field)
        if remote_id is None and isinstance(data.get(rtype.object_key[-1]), dict):
            # INFERRED alternative shape: result.data.<object>.<object>_id
            remote_id = data[rtype.object_key[-1]].get(rtype.id_field)
        if remote_id is None:
            message = f"{address}: the API answered success without {rtype.id_field}; it was probably created"
            self.journal.set(address, {**pending, "error": message, "result": data})
            raise OutcomeUnknown(message)
        created = new_record(change.resource, body, ids, status="created", remote_id=str(remote_id))
        created["result"] = data
        self.journal.set(address, created)

    @staticmethod
    def _record(change: Change, body: dict[str, Any], ids: dict[str, Any], *, status: str, error: str = "") -> dict[str, Any]:
        assert change.resource is not None
        return new_record(change.resource, body, ids, status=status, error=error)

    def _update(self, change: Change) -> None:
        assert change.resource is not None
        rtype = change.resource.type
        record = self.state.resources[change.address]
        body, _ids = self._desired(change)
        sent = {k: body[k] for k in (*rtype.update_always, *change.changed) if k in body}
        path = _path(rtype.update_path, record)
        data = self.client.update(change.identity, path, rtype.update_key, sent)
        updated = {**record, "inputs": body, "digest": digest(body), "updated_at": now()}
        updated["result"] = {**record.get("result", {}), **data}
        self.journal.set(change.address, updated)

    def _destroy(self, change: Change) -> None:
        record = self.state.resources[change.address]
        path = _path(TYPES[record["type"]].delete_path, record)
        try:
            self.client.delete(record["identity"], path)
        except ApiError as error:
            if error.status != 404:  # already gone is what we wanted
                raise
        self.journal.remove(change.address)

    def _forget(self, change: Change) -> None:
        self.journal.remove(change.address)
