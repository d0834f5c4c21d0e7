"""Every state backend keeps the same promises: compare-and-swap writes, a lock naming its
holder, a journal that survives a crash. Tested against real PostgreSQL and S3 servers."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from publisher.errors import StateError
from publisher.model import State, StateRecord
from publisher.state.locations import open_store

# An apply that records a pending create, a create and a delete, then dies (SIGKILL).
_CRASHING_APPLY = """
import os, signal, sys
from publisher.model import StateRecord
from publisher.state.locations import open_store
store = open_store(sys.argv[1])
journal = store.journal(store.read())
record = dict(type="pinterest/pin", identity="sha256:" + "0" * 64, inputs={"description": "d"})
journal.set("pins.p", StateRecord(status="pending", **record))
journal.set("pins.q", StateRecord(status="created", id="9", **record))
journal.remove("boards.a")
os.kill(os.getpid(), signal.SIGKILL)
"""
# A process that takes the lock, says its id, and holds it until it is killed.
_HOLDER = """
import sys, time
from publisher.state.locations import open_store
with open_store(sys.argv[1]).lock(sys.argv[2]) as lock_id:
    print(lock_id, flush=True)
    time.sleep(600)
"""


def _record(status: str = "created", **fields) -> StateRecord:
    return StateRecord(type="pinterest/pin", identity="sha256:" + "0" * 64, status=status, inputs={"description": "d"}, **fields)


def test_a_new_state_is_empty_then_reads_back_what_was_written(state_location):
    store = open_store(state_location)
    state = store.read()
    assert (state.serial, state.resources, store.exists()) == (0, {}, False)
    state.resources["pins.a"] = _record(id="1")
    store.write(state, expected_serial=0)
    again = open_store(state_location).read()
    assert (again.lineage, again.serial, again.resources) == (state.lineage, 1, state.resources)


def test_a_stale_writer_is_refused_and_the_newer_state_stays(state_location):
    first, second = open_store(state_location), open_store(state_location)
    first.write(first.read(), expected_serial=0)
    mine, theirs = first.read(), second.read()
    theirs.resources["pins.theirs"] = _record(id="2")
    second.write(theirs, expected_serial=theirs.serial)
    mine.resources["pins.mine"] = _record(id="3")
    with pytest.raises(StateError, match="the state changed while publisher was running"):
        first.write(mine, expected_serial=mine.serial)
    assert set(open_store(state_location).read().resources) == {"pins.theirs"}


def test_two_first_writers_cannot_both_create_the_state(state_location):
    first, second = open_store(state_location), open_store(state_location)
    a, b = first.read(), second.read()
    first.write(a, expected_serial=0)
    with pytest.raises(StateError, match="changed while publisher was running"):
        second.write(b, expected_serial=0)


def test_the_lock_names_its_holder_and_unlock_needs_its_id(state_location):
    store = open_store(state_location)
    with store.lock("publisher apply (first)") as lock_id:
        with pytest.raises(StateError) as held, open_store(state_location).lock("publisher apply (second)"):
            pass
        assert "locked by 'publisher apply (first)'" in str(held.value)
        assert f"publisher unlock {lock_id}" in str(held.value)
        with pytest.raises(StateError, match="nothing removed"):
            open_store(state_location).unlock("not-the-id")
    with open_store(state_location).lock("publisher apply (after)"):
        pass  # released


def test_unlock_removes_a_lock_left_behind_so_the_next_run_can_take_it(state_location):
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, state_location, "publisher apply (killed)"],
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert holder.stdout is not None
    lock_id = holder.stdout.readline().strip()
    holder.kill()
    holder.wait()
    # An S3 lease stays fresh for its length after its holder dies: nothing tells a killed
    # holder from a live one, so only --force removes it before it runs out.
    open_store(state_location).unlock(lock_id, force=state_location.startswith("s3://"))
    with open_store(state_location).lock("publisher apply (next)"):
        pass
    with pytest.raises(StateError, match="not locked"):
        open_store(state_location).unlock(lock_id)


def test_a_waiting_command_takes_the_lock_once_it_is_released(state_location):
    store = open_store(state_location)
    taken, release, said = threading.Event(), threading.Event(), []

    def holder() -> None:
        with store.lock("publisher apply (holder)"):
            taken.set()
            release.wait(30)

    thread = threading.Thread(target=holder)
    thread.start()
    assert taken.wait(30)
    timer = threading.Timer(1.0, release.set)  # releases while the other waits: no timing is asserted
    timer.start()
    with open_store(state_location).lock("publisher apply (waiter)", timeout=60, notify=said.append):
        pass
    thread.join()
    assert len(said) == 1 and "locked by 'publisher apply (holder)'" in said[0]


def test_a_crashed_apply_leaves_a_journal_that_the_next_run_folds_in(state_location):
    store = open_store(state_location)
    store.write(State(resources={"boards.a": _record(id="1")}), expected_serial=0)
    crashed = subprocess.run([sys.executable, "-c", _CRASHING_APPLY, state_location], check=False)
    assert crashed.returncode == -9
    after = open_store(state_location)
    folded = after.read()
    assert after.unfinished()
    assert {a: r.status for a, r in folded.resources.items()} == {"pins.p": "pending", "pins.q": "created"}
    after.recover(folded)
    assert not after.unfinished()
    assert set(open_store(state_location).read().resources) == {"pins.p", "pins.q"}


def test_a_new_journal_is_refused_while_an_unfinished_one_is_there(state_location):
    store = open_store(state_location)
    store.write(State(resources={"boards.a": _record(id="1")}), expected_serial=0)
    subprocess.run([sys.executable, "-c", _CRASHING_APPLY, state_location], check=False)
    with pytest.raises(StateError, match="an unfinished apply's journal is here"):
        open_store(state_location).journal(open_store(state_location).read())


def test_a_corrupted_state_is_a_clear_error_naming_where_it_is(state_location, request):
    store = open_store(state_location)
    store.write(State(), expected_serial=0)
    backend = request.node.callspec.params["state_location"]
    if backend == "local":
        Path(state_location).write_text("{ not json")
    elif backend == "postgres":
        import psycopg

        with psycopg.connect(state_location.split("?")[0], autocommit=True) as connection:
            name = state_location.split("name=")[1]
            connection.execute("UPDATE publisher.publisher_states SET document = '{ not json' WHERE name = %s", (name,))
    else:
        bucket = state_location.split("/")[2]
        request.getfixturevalue("s3_server").client().put_object(Bucket=bucket, Key="catalog/state.json", Body=b"{ not json")
    with pytest.raises(StateError, match="the state is not valid JSON") as raised:
        open_store(state_location).read()
    assert "publisher-test-secret" not in str(raised.value)


def _with_a_board(state_location):
    store = open_store(state_location)
    state = store.read()
    state.resources["boards.a"] = _record(id="1")
    store.write(state, expected_serial=0)
    return store, store.read()


_APPENDING = """
import json, sys
from publisher.state.locations import open_store
backend = open_store(sys.argv[1]).backend
for number, event in enumerate(json.loads(sys.argv[2])):
    backend.append(number, event)
"""


def _appended_by_a_run_that_dies(location: str, *events: str) -> None:
    """Journal events written by another process, which then ends without finishing."""
    subprocess.run([sys.executable, "-c", _APPENDING, location, json.dumps(events)], check=True)


def _header(state) -> str:
    return json.dumps({"journal": 1, "lineage": state.lineage, "base_serial": state.serial})


def _set(address: str, status: str = "pending") -> str:
    return json.dumps({"op": "set", "address": address, "record": _record(status=status).to_json()})


def test_a_torn_last_event_and_an_empty_journal_are_harmless(state_location):
    store, state = _with_a_board(state_location)
    torn = '{"op": "set", "address": "pins.q", "rec'  # killed while writing it
    _appended_by_a_run_that_dies(state_location, _header(state), _set("pins.p"), torn)
    assert set(open_store(state_location).read().resources) == {"boards.a", "pins.p"}
    store.backend.drop_events()
    assert set(open_store(state_location).read().resources) == {"boards.a"}


def test_a_journal_already_folded_before_a_crash_is_ignored(state_location):
    store, state = _with_a_board(state_location)
    events = [_header(state), _set("pins.p", "created")]
    _appended_by_a_run_that_dies(state_location, *events)
    store.write(store.read(), expected_serial=1)  # folded and written...
    _appended_by_a_run_that_dies(state_location, *events)  # ...but that run died before dropping it
    again = open_store(state_location)
    assert again.read().serial == 2 and set(again.read().resources) == {"boards.a", "pins.p"}
    again.recover(again.read())
    assert not again.unfinished()


def test_a_journal_of_another_state_is_refused(state_location):
    _with_a_board(state_location)
    _appended_by_a_run_that_dies(state_location, json.dumps({"journal": 1, "lineage": "other", "base_serial": 1}))
    with pytest.raises(StateError, match="belongs to serial 1 of lineage other"):
        open_store(state_location).read()


def test_a_journal_that_is_not_publishers_is_named(state_location):
    _with_a_board(state_location)
    _appended_by_a_run_that_dies(state_location, '{"op": "set", "address": "pins.x"}')
    with pytest.raises(StateError, match="not a publisher journal"):
        open_store(state_location).read()


def test_queue_slots_and_record_sources_are_kept_by_every_backend(state_location):
    store = open_store(state_location)
    state = store.read()
    state.resources["pins.a"] = _record(id="1", source="products.csv")
    state.queues = {"shop-pins": {"pins.b": "2027-03-01T09:00:00Z", "pins.c": "2027-03-01T13:00:00Z"}}
    store.write(state, expected_serial=0)
    again = open_store(state_location).read()
    assert again.queues == state.queues and again.resources["pins.a"].source == "products.csv"
    again.queues = {}
    open_store(state_location).write(again, expected_serial=again.serial)
    assert open_store(state_location).read().queues == {}


def _proposal(proposal_id: str, *messages: str):
    from publisher.state.reviews import Proposal, ProposedChange

    changes = [ProposedChange(f"posts.{m}", "create", "sha256:" + format(i, "064x")) for i, m in enumerate(messages)]
    return Proposal(proposal_id, "2026-12-03T10:00:00Z", "alice@laptop", "c0ffee", changes)


def test_review_documents_and_record_provenance_are_kept_by_every_backend(state_location):
    import datetime as dt

    reviews = open_store(state_location).reviews
    assert reviews.proposals() == [] and reviews.break_glass() == []
    reviews.propose(_proposal("github-pr-2", "b"))
    reviews.propose(_proposal("github-pr-10", "a", "c"))
    approved = reviews.approve(reviews.proposal("github-pr-10"), "bob", dt.datetime(2026, 12, 3, 11, tzinfo=dt.UTC))
    again = open_store(state_location).reviews
    assert [p.id for p in again.proposals()] == ["github-pr-10", "github-pr-2"]
    assert again.approval(again.proposal("github-pr-10")) == approved
    # A new push to the pull request replaces the proposal, and the approval was of the old one.
    again.propose(_proposal("github-pr-10", "a", "c", "d"))
    assert len(again.proposal("github-pr-10").changes) == 3 and again.approval(again.proposal("github-pr-10")) is None
    store = open_store(state_location)
    state = store.read()
    state.resources["posts.a"] = _record(id="1", proposal="github-pr-10", commit="c0ffee", change="sha256:" + "1" * 64)
    store.write(state, expected_serial=0)
    kept = open_store(state_location).read().resources["posts.a"]
    assert (kept.proposal, kept.commit, kept.change) == ("github-pr-10", "c0ffee", "sha256:" + "1" * 64)


# A run that proposes again and again (a busy pull request) until it is killed.
_PROPOSING = """
import sys
sys.path.insert(0, sys.argv[2])
from test_state_backends import _proposal
from publisher.state.locations import open_store
reviews = open_store(sys.argv[1]).reviews
reviews.propose(_proposal("github-pr-1", "a"))
print("ready", flush=True)
n = 0
while True:
    n += 1
    reviews.propose(_proposal("github-pr-1", *[f"m{i}" for i in range(n % 50 + 1)]))
"""


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.2])
def test_a_proposal_written_when_sigkill_strikes_is_the_old_or_the_new_one(state_location, delay):
    import time

    child = subprocess.Popen(
        [sys.executable, "-c", _PROPOSING, state_location, str(Path(__file__).parent)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None and child.stdout.readline() == "ready\n"
    time.sleep(delay)  # any moment will do: every one must leave a whole proposal
    child.kill()
    child.wait()
    reviews = open_store(state_location).reviews
    [proposal] = reviews.proposals()
    assert proposal.id == "github-pr-1" and 1 <= len(proposal.changes) <= 50


def test_takedowns_are_kept_by_every_backend(state_location):
    store = open_store(state_location)
    state = store.read()
    state.resources["posts.a"] = _record(id="1", labels=("spring-sale",))
    state.takedowns = {
        "posts.b": {"by": "alice@laptop", "at": "2026-12-03T12:00:00Z", "reason": "pricing error", "commit": "c0ffee"}
    }
    store.write(state, expected_serial=0)
    again = open_store(state_location).read()
    assert again.takedowns == state.takedowns and again.resources["posts.a"].labels == ("spring-sale",)
    again.takedowns = {}
    open_store(state_location).write(again, expected_serial=again.serial)
    assert open_store(state_location).read().takedowns == {}
