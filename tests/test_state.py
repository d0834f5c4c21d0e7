"""The state file: atomic writes, serial checks, the lock."""

from __future__ import annotations

import json
import os
import re

import pytest

from publisher.errors import StateError
from publisher.model import State, StateRecord
from publisher.state.local import LocalStateStore


def _record(type_name: str, status: str = "created", **fields) -> StateRecord:
    return StateRecord(type=type_name, identity="sha256:" + "0" * 64, status=status, inputs={}, **fields)


def test_missing_state_reads_as_empty_with_a_fresh_lineage(tmp_path):
    store = LocalStateStore(tmp_path / "s.json")
    first, second = store.read(), store.read()
    assert first.resources == {} and first.serial == 0
    assert first.lineage != second.lineage
    assert not (tmp_path / "s.json").exists()


def test_write_is_sorted_pretty_and_bumps_the_serial(tmp_path):
    store = LocalStateStore(tmp_path / "s.json")
    state = State(resources={"pins.b": _record("pinterest/pin"), "boards.a": _record("pinterest/board")})
    store.write(state, expected_serial=0)
    text = (tmp_path / "s.json").read_text()
    data = json.loads(text)
    assert data["serial"] == 1 and data["format_version"] == 1
    assert text.index('"boards.a"') < text.index('"pins.b"')
    assert text.startswith("{\n  ")
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]  # no temporary file left


def test_dependencies_are_written_only_where_there_are_some_and_read_back(tmp_path):
    store = LocalStateStore(tmp_path / "s.json")
    pin = _record("pinterest/pin", dependencies=("boards.a",))
    store.write(State(resources={"pins.b": pin, "boards.a": _record("pinterest/board")}), expected_serial=0)
    records = json.loads((tmp_path / "s.json").read_text())["resources"]
    assert "dependencies" not in records["boards.a"] and records["pins.b"]["dependencies"] == ["boards.a"]
    read = store.read().resources
    assert read["pins.b"].dependencies == ("boards.a",) and read["boards.a"].dependencies == ()


def test_write_refuses_when_someone_else_wrote_in_between(tmp_path):
    store = LocalStateStore(tmp_path / "s.json")
    mine = State()
    store.write(mine, expected_serial=0)
    theirs = store.read()
    store.write(theirs, expected_serial=theirs.serial)
    before = (tmp_path / "s.json").read_text()
    with pytest.raises(StateError, match="changed while publisher was running"):
        store.write(mine, expected_serial=1)
    assert (tmp_path / "s.json").read_text() == before


def test_corrupt_state_is_a_clear_error(tmp_path):
    (tmp_path / "s.json").write_text('{"format_version": 1, "lineage": ')
    with pytest.raises(StateError, match=r"s.json:1:\d+: the state is not valid JSON"):
        LocalStateStore(tmp_path / "s.json").read()


def test_state_that_is_not_utf8_is_a_clear_error(tmp_path):
    (tmp_path / "s.json").write_bytes(b'{"format_version": 1, "lineage": "\xff"}')
    with pytest.raises(StateError, match=r"s.json: the state is not UTF-8 text \(byte 34\)"):
        LocalStateStore(tmp_path / "s.json").read()


def test_unknown_format_version_is_refused(tmp_path):
    (tmp_path / "s.json").write_text('{"format_version": 9}')
    with pytest.raises(StateError, match="unsupported state format_version 9"):
        LocalStateStore(tmp_path / "s.json").read()


def test_lock_names_its_holder_and_unlock_needs_its_id(tmp_path):
    store = LocalStateStore(tmp_path / "s.json")
    with store.lock("publisher apply") as lock_id:
        with pytest.raises(StateError) as held, store.lock("publisher apply"):
            pass
        message = str(held.value)
        assert "locked by 'publisher apply'" in message
        assert f"pid {os.getpid()}" in message
        assert f"publisher unlock {lock_id}" in message
        with pytest.raises(StateError, match="nothing removed"):
            store.unlock("another-id")
        assert store.lock_path.exists()
    assert not store.lock_path.exists()


def test_stale_lock_is_removed_by_unlock(cli, tmp_path):
    store = LocalStateStore(tmp_path / "publisher.state.json")
    store.lock_path.write_text(json.dumps({"id": "abc", "pid": 1, "host": "ci", "command": "publisher apply", "time": "t"}))
    run = cli("unlock", "abc")
    assert run.code == 0, run.output
    assert not store.lock_path.exists()


def _journal_store(tmp_path):
    store = LocalStateStore(tmp_path / "s.json")
    state = State(resources={"boards.a": _record("pinterest/board", id="1")})
    store.write(state, expected_serial=0)
    return store, store.read()


def test_a_killed_apply_leaves_pending_records_that_read_folds_in(tmp_path):
    store, state = _journal_store(tmp_path)
    journal = store.journal(state)
    journal.set("pins.p", _record("pinterest/pin", "pending"))
    journal._stream.close()  # the process dies here: no finish()

    folded = LocalStateStore(tmp_path / "s.json").read()
    assert folded.resources["pins.p"].status == "pending"
    assert folded.serial == 1
    store.recover(folded)
    assert json.loads((tmp_path / "s.json").read_text())["resources"]["pins.p"]["status"] == "pending"
    assert not store.journal_path.exists()


def test_a_torn_last_line_and_an_empty_journal_are_harmless(tmp_path):
    store, state = _journal_store(tmp_path)
    journal = store.journal(state)
    journal.set("pins.p", _record("pinterest/pin", "pending"))
    journal._stream.write('{"op": "set", "address": "pins.q", "rec')
    journal._stream.close()
    assert set(store.read().resources) == {"boards.a", "pins.p"}
    store.journal_path.write_text("")
    assert set(store.read().resources) == {"boards.a"}


def test_a_journal_already_folded_before_a_crash_is_ignored(tmp_path):
    store, state = _journal_store(tmp_path)
    journal = store.journal(state)
    journal.set("pins.p", _record("pinterest/pin"))
    journal._stream.close()
    text = store.journal_path.read_text()
    store.write(store.read(), expected_serial=1)  # folded and written...
    store.journal_path.write_text(text)  # ...but the process died before removing it
    again = store.read()
    assert again.serial == 2 and set(again.resources) == {"boards.a", "pins.p"}


def test_a_journal_of_another_state_is_refused(tmp_path):
    store, state = _journal_store(tmp_path)
    store.journal_path.write_text(json.dumps({"journal": 1, "lineage": "other", "base_serial": 1}) + "\n")
    with pytest.raises(StateError, match="belongs to serial 1 of lineage other"):
        store.read()


def test_state_file_mode_is_kept(tmp_path):
    store = LocalStateStore(tmp_path / "s.json")
    store.write(State(), expected_serial=0)
    os.chmod(tmp_path / "s.json", 0o640)
    store.write(State(lineage=store.read().lineage), expected_serial=1)
    assert (os.stat(tmp_path / "s.json").st_mode & 0o777) == 0o640


def test_the_local_file_is_one_state_store_among_possible_others(tmp_path):
    from publisher.state.store import StateStore

    assert isinstance(LocalStateStore(tmp_path / "s.json"), StateStore)


def test_a_hostile_state_file_is_a_clear_error(tmp_path):
    (tmp_path / "s.json").write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(StateError, match="nested too deeply"):
        LocalStateStore(tmp_path / "s.json").read()


@pytest.mark.parametrize(
    "record, message",
    [
        ("[]", "resources.pins.p: a record must be a JSON object"),
        (
            '{"type": "pinterest/pin", "identity": IDENTITY, "status": "created"}',
            "resources.pins.p: missing field 'inputs'",
        ),
        (
            '{"type": 1, "identity": IDENTITY, "status": "created", "inputs": {}}',
            "resources.pins.p.type: must be a string",
        ),
        (
            '{"type": "pinterest/pin", "identity": IDENTITY, "status": "done", "inputs": {}}',
            "resources.pins.p.status: must be 'created' or 'pending'",
        ),
        (
            '{"type": "pinterest/pin", "identity": IDENTITY, "status": "created", "inputs": []}',
            "resources.pins.p.inputs: must be a JSON object",
        ),
        (
            '{"type": "p", "identity": IDENTITY, "status": "created", "inputs": {}, "dependencies": [1]}',
            "dependencies: must be a list of addresses",
        ),
        (
            '{"type": "pinterest/pin", "identity": IDENTITY, "status": "created", "inputs": {}, "x": 1}',
            "resources.pins.p: unknown field 'x'",
        ),
    ],
)
def test_a_malformed_record_is_refused_naming_the_record_and_the_field(tmp_path, record, message):
    record = record.replace("IDENTITY", '{"alias": null, "digest": "sha256:0"}')
    (tmp_path / "s.json").write_text(f'{{"format_version": 1, "lineage": "l", "serial": 1, "resources": {{"pins.p": {record}}}}}')
    with pytest.raises(StateError, match=re.escape(message)):
        LocalStateStore(tmp_path / "s.json").read()


@pytest.mark.parametrize("field, value", [("resources", "[]"), ("serial", '"1"'), ("lineage", "null")])
def test_a_malformed_state_is_never_read_as_empty(tmp_path, field, value):
    document = {"format_version": "1", "lineage": '"l"', "serial": "1", "resources": "{}", field: value}
    (tmp_path / "s.json").write_text("{" + ", ".join(f'"{k}": {v}' for k, v in document.items()) + "}")
    with pytest.raises(StateError, match=field):
        LocalStateStore(tmp_path / "s.json").read()
