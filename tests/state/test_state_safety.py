"""A state is never rolled back, and a run that lost its lock writes nothing more: unlock of a
live lock, migrate over a newer state, and the smaller ways a state could be wedged. Every
case on every backend (a file, PostgreSQL, SeaweedFS)."""

from __future__ import annotations

import os

import pytest

from publisher.errors import InvalidInput, StateError
from publisher.model import State, StateRecord
from publisher.state.locations import open_store, shown
from publisher.workflows import state_edits


def _record(status: str = "created", **fields) -> StateRecord:
    return StateRecord(type="pinterest/pin", identity="sha256:" + "0" * 64, status=status, inputs={"description": "d"}, **fields)


def _seed(location: str, *addresses: str) -> State:
    store = open_store(location)
    state = store.read()
    for number, address in enumerate(addresses):
        state.resources[address] = _record(id=str(number))
    store.write(state, expected_serial=state.serial)
    return state


def test_unlock_refuses_a_live_holder_and_force_fences_every_later_write(state_location):
    holder = open_store(state_location)
    with holder.lock("publisher apply (live)") as lock_id:
        journal = holder.journal(holder.read())
        journal.set("pins.sent", _record(id="1"))
        with pytest.raises(StateError, match="nothing removed") as refused:
            open_store(state_location).unlock(lock_id)
        assert "--force" in str(refused.value)
        open_store(state_location).unlock(lock_id, force=True)
        # The live run finds out at its next write: its intent to create is refused, so the
        # create is never sent; nothing is appended without a header for the next run.
        with pytest.raises(StateError, match="no longer holds the state's lock"):
            journal.set("pins.next", _record(status="pending"))
        with pytest.raises(StateError, match="no longer holds the state's lock"):
            journal.remove("pins.sent")
        with pytest.raises(StateError, match="no longer holds the state's lock"):
            journal.finish()
        nxt = open_store(state_location)
        with nxt.lock("publisher apply (next)"):
            state = nxt.read()
            nxt.recover(state)
    state = open_store(state_location).read()
    assert set(state.resources) == {"pins.sent"}  # what the fenced run sent is kept, once
    assert not open_store(state_location).unfinished()


def test_a_lost_lock_refuses_a_state_write_too(state_location):
    _seed(state_location, "pins.a")
    holder = open_store(state_location)
    with holder.lock("publisher state rm") as lock_id:
        state = holder.read()
        open_store(state_location).unlock(lock_id, force=True)
        state.resources.pop("pins.a")
        with pytest.raises(StateError, match="no longer holds"):
            holder.write(state, expected_serial=state.serial)
    assert set(open_store(state_location).read().resources) == {"pins.a"}


def test_unlock_force_with_the_wrong_id_removes_nothing(state_location):
    holder = open_store(state_location)
    with holder.lock("publisher apply") as lock_id:
        with pytest.raises(StateError, match="nothing removed"):
            open_store(state_location).unlock("0" * 8, force=True)
        holder.fence()  # still held
        assert lock_id


@pytest.fixture
def second_location(state_location, tmp_path, request):
    """Another state on the same kind of backend."""
    if state_location.startswith("postgresql://"):
        return state_location.replace("name=t", "name=u")
    if state_location.startswith("s3://"):
        return state_location.replace("catalog/state.json", "other/state.json")
    return str(tmp_path / "other" / "publisher.state.json")


def test_migrate_never_rolls_a_newer_state_back_and_keeps_the_serial(state_location, second_location, monkeypatch, tmp_path):
    _seed(state_location, "pins.a")
    copied = state_edits.migrate(state_location, second_location)
    assert copied.serial == open_store(state_location).read().serial == 1  # kept, not reset
    target = open_store(second_location)
    newer = target.read()
    newer.resources["pins.b"] = _record(id="2")  # the target moved on: an apply posted pins.b
    target.write(newer, expected_serial=newer.serial)
    with pytest.raises(StateError, match="newer version of this state") as refused:
        state_edits.migrate(state_location, second_location)
    assert "roll the state back" in str(refused.value)
    assert set(open_store(second_location).read().resources) == {"pins.a", "pins.b"}
    # The same serial with other records: refused too.
    stale = open_store(state_location)
    other = stale.read()
    other.resources["pins.c"] = _record(id="3")
    stale.write(other, expected_serial=other.serial)
    with pytest.raises(StateError, match="with other records"):
        state_edits.migrate(state_location, second_location)
    # Forced, the copy lands above the target's serial, never below it.
    forced = state_edits.migrate(state_location, second_location, force=True)
    assert forced.serial == 3 and set(open_store(second_location).read().resources) == {"pins.a", "pins.c"}


def test_migrate_of_a_copy_at_the_same_serial_and_content_does_nothing(state_location, second_location):
    _seed(state_location, "pins.a")
    state_edits.migrate(state_location, second_location)
    again = state_edits.migrate(state_location, second_location)
    assert again.serial == 1 and open_store(second_location).read().serial == 1


def test_migrate_to_the_same_postgresql_state_spelled_another_way_is_refused_at_once(pg_server):
    location = pg_server.url(query="name=same")
    _seed(location, "pins.a")
    other_spelling = location.replace("postgresql://", "postgres://", 1)
    with pytest.raises(StateError, match="that is where the state is already"):
        state_edits.migrate(location, other_spelling, timeout=0)


def test_a_postgresql_row_whose_serial_column_disagrees_with_its_document_is_named(pg_server):
    import psycopg

    location = pg_server.url(query="name=edited")
    _seed(location, "pins.a")
    with psycopg.connect(pg_server.url().split("?")[0], autocommit=True) as connection:
        connection.execute("UPDATE publisher.publisher_states SET serial = 7 WHERE name = 'edited'")
    with pytest.raises(StateError, match=r"serial and lineage columns \(7, .*\) disagree with its document \(1,"):
        open_store(location).read()


def test_a_garbage_s3_lock_is_named_expires_with_its_lease_and_unlock_force_removes_it(s3_server, s3_credentials):
    server = s3_server
    server.client().create_bucket(Bucket="garbage-lock")
    location = server.url("garbage-lock", "catalog/state.json", lease="2s")
    server.client().put_object(Bucket="garbage-lock", Key="catalog/state.json.lock", Body=b"\x00not json")
    with (
        pytest.raises(StateError, match="who holds it cannot be read.*publisher unlock --force"),
        open_store(location).lock("publisher apply"),
    ):
        pass
    open_store(location).unlock("unreadable", force=True)
    with open_store(location).lock("publisher apply"):
        pass
    # One older than its lease is taken over by the next run without any unlock.
    server.client().put_object(Bucket="garbage-lock", Key="catalog/state.json.lock", Body=b"garbage")
    with open_store(location).lock("publisher apply", timeout=10):
        pass


@pytest.mark.parametrize("key", ["a//b.json", "./state.json", "a/../b.json", "dir/", "a/\x07b"])
def test_an_s3_key_a_server_would_rewrite_is_refused(key, s3_credentials):
    with pytest.raises(InvalidInput, match="must be plain"):
        open_store(f"s3://bucket/{key}?endpoint=http://127.0.0.1:1")


def test_a_local_lock_and_journal_moved_aside_stop_the_run_at_its_next_write(tmp_path):
    location = str(tmp_path / "publisher.state.json")
    store = open_store(location)
    with store.lock("publisher apply"):
        journal = store.journal(store.read())
        journal.set("posts.one", _record(id="1"))
        os.rename(location + ".journal", location + ".journal.aside")
        with pytest.raises(StateError, match="no longer holds the state.s lock"):
            journal.set("posts.two", _record(status="pending"))
    with store.lock("publisher apply"):
        journal = store.journal(store.read())
        os.rename(location + ".lock", location + ".lock.aside")
        with pytest.raises(StateError, match="no longer holds the state's lock"):
            journal.set("posts.three", _record(status="pending"))


@pytest.mark.parametrize(
    "location, secret",
    [
        ("postgresql://postgres@db.example.com/db?password=hunter2-secret", "hunter2-secret"),
        ("postgresql://ci:p%40ss-w0rd@db.example.com/db", "p%40ss-w0rd"),
        ("s3://bucket/key?endpoint=http://AKIAKEYID:S3CRETKEY@127.0.0.1:1", "S3CRETKEY"),
        ("s3://bucket/key?endpoint=http%3A%2F%2FAKIAKEYID%3AS3CRETKEY%40127.0.0.1%3A1", "S3CRETKEY"),
        ("postgresql://db.example.com/db?sslpassword=keyfile-pass&name=x", "keyfile-pass"),
        ("s3://bucket/key?endpoint=http://AKIAKEYID:S3CRETKEY@127.0.0.1:1&lock_lease=soon", "S3CRETKEY"),
    ],
)
def test_no_message_shows_a_password_in_a_state_location(location, secret, cli, tmp_path, s3_credentials):
    assert secret not in shown(location) and "***" in shown(location)
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "c.yaml").write_text("posts: {}\n")
    runs = [
        cli("plan", tmp_path / "catalog", "--state", location),
        cli("state", "migrate", "--state", str(tmp_path / "none.json"), "--to", location),
        cli("state", "list", "--state", location),
    ]
    for run in runs:
        assert run.code == 1 and "Traceback" not in run.output
        assert secret not in run.output and "AKIAKEYID" not in run.output, run.output


def test_migrate_takes_the_review_proposals_and_the_log_along(state_location, second_location):
    import datetime as dt

    from publisher.state.reviews import BreakGlass, Proposal, ProposedChange

    _seed(state_location, "pins.a")
    reviews = open_store(state_location).reviews
    reviews.propose(
        Proposal("github-pr-1", "2026-12-03T10:00:00Z", "alice", None, [ProposedChange("pins.b", "create", "sha256:" + "2" * 64)])
    )
    now = dt.datetime(2026, 12, 3, 11, tzinfo=dt.UTC)
    reviews.approve(reviews.proposal("github-pr-1"), "bob", now)
    reviews.log_break_glass(BreakGlass("hotfix", "carol", "2026-12-03T12:00:00Z", None, []), now)
    state_edits.migrate(state_location, second_location)
    moved = open_store(second_location).reviews
    proposal = moved.proposal("github-pr-1")
    assert proposal is not None and moved.approval(proposal) is not None  # still approved there
    assert [entry.reason for entry in moved.break_glass()] == ["hotfix"]
