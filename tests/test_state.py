"""The state file: atomic writes, serial checks, the lock."""

from __future__ import annotations

import json
import os

import pytest

from publisher.errors import StateError
from publisher.state import LocalStateStore, State


def test_missing_state_reads_as_empty_with_a_fresh_lineage(tmp_path):
    store = LocalStateStore(tmp_path / "s.json")
    first, second = store.read(), store.read()
    assert first.resources == {} and first.serial == 0
    assert first.lineage != second.lineage
    assert not (tmp_path / "s.json").exists()


def test_write_is_sorted_pretty_and_bumps_the_serial(tmp_path):
    store = LocalStateStore(tmp_path / "s.json")
    state = State(resources={"pins.b": {"type": "pinterest/pin"}, "boards.a": {"type": "pinterest/board"}})
    store.write(state, expected_serial=0)
    text = (tmp_path / "s.json").read_text()
    data = json.loads(text)
    assert data["serial"] == 1 and data["format_version"] == 1
    assert text.index('"boards.a"') < text.index('"pins.b"')
    assert text.startswith("{\n  ")
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]  # no temporary file left


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
    with pytest.raises(StateError, match=r"s.json:1:\d+: the state file is not valid JSON"):
        LocalStateStore(tmp_path / "s.json").read()


def test_unknown_format_version_is_refused(tmp_path):
    (tmp_path / "s.json").write_text('{"format_version": 9}')
    with pytest.raises(StateError, match="unsupported state format_version 9"):
        LocalStateStore(tmp_path / "s.json").read()


def test_lock_names_its_holder_and_unlock_needs_its_id(tmp_path):
    store = LocalStateStore(tmp_path / "s.json")
    with store.lock("publisher apply") as lock_id:
        with pytest.raises(StateError) as held:
            with store.lock("publisher apply"):
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
