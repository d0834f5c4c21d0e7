"""The state's format as a file holds it: sorted and pretty, modes kept, every malformed
document refused. What every backend promises is in test_state_backends.py."""

from __future__ import annotations

import json
import os
import re

import pytest

from publisher.errors import StateError
from publisher.model import State, StateRecord
from publisher.state.locations import open_store

from conftest import REPO


def _record(type_name: str, status: str = "created", **fields) -> StateRecord:
    return StateRecord(type=type_name, identity="sha256:" + "0" * 64, status=status, inputs={}, **fields)


def test_write_is_sorted_pretty_and_bumps_the_serial(tmp_path):
    store = open_store(str(tmp_path / "s.json"))
    state = State(resources={"pins.b": _record("pinterest/pin"), "boards.a": _record("pinterest/board")})
    store.write(state, expected_serial=0)
    text = (tmp_path / "s.json").read_text()
    data = json.loads(text)
    assert data["serial"] == 1 and data["format_version"] == 1
    assert text.index('"boards.a"') < text.index('"pins.b"')
    assert text.startswith("{\n  ")
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]  # no temporary file left


def test_dependencies_are_written_only_where_there_are_some_and_read_back(tmp_path):
    store = open_store(str(tmp_path / "s.json"))
    pin = _record("pinterest/pin", dependencies=("boards.a",))
    store.write(State(resources={"pins.b": pin, "boards.a": _record("pinterest/board")}), expected_serial=0)
    records = json.loads((tmp_path / "s.json").read_text())["resources"]
    assert "dependencies" not in records["boards.a"] and records["pins.b"]["dependencies"] == ["boards.a"]
    read = store.read().resources
    assert read["pins.b"].dependencies == ("boards.a",) and read["boards.a"].dependencies == ()


def test_corrupt_state_is_a_clear_error(tmp_path):
    (tmp_path / "s.json").write_text('{"format_version": 1, "lineage": ')
    with pytest.raises(StateError, match=r"s.json:1:\d+: the state is not valid JSON"):
        open_store(str(tmp_path / "s.json")).read()


def test_state_that_is_not_utf8_is_a_clear_error(tmp_path):
    (tmp_path / "s.json").write_bytes(b'{"format_version": 1, "lineage": "\xff"}')
    with pytest.raises(StateError, match=r"s.json: the state is not UTF-8 text \(byte 34\)"):
        open_store(str(tmp_path / "s.json")).read()


def test_unknown_format_version_is_refused(tmp_path):
    (tmp_path / "s.json").write_text('{"format_version": 9}')
    with pytest.raises(StateError, match="unsupported state format_version 9"):
        open_store(str(tmp_path / "s.json")).read()


def test_stale_lock_is_removed_by_unlock(cli, tmp_path):
    lock_file = tmp_path / "publisher.state.json.lock"
    lock_file.write_text(json.dumps({"id": "abc", "pid": 1, "host": "ci", "command": "publisher apply", "time": "t"}))
    run = cli("unlock", "abc")
    assert run.code == 0, run.output
    assert not lock_file.exists()


def test_state_file_mode_is_kept(tmp_path):
    store = open_store(str(tmp_path / "s.json"))
    store.write(State(), expected_serial=0)
    os.chmod(tmp_path / "s.json", 0o640)
    store.write(State(lineage=store.read().lineage), expected_serial=1)
    assert (os.stat(tmp_path / "s.json").st_mode & 0o777) == 0o640


def test_a_hostile_state_file_is_a_clear_error(tmp_path):
    (tmp_path / "s.json").write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(StateError, match="nested too deeply"):
        open_store(str(tmp_path / "s.json")).read()


@pytest.mark.parametrize(
    "record, message",
    [
        ("[]", "resources.pins.p: must be a JSON object"),
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
            "resources.pins.p.dependencies[0]: must be a string",
        ),
        (
            '{"type": "pinterest/pin", "identity": IDENTITY, "status": "created", "inputs": {}, "x": 1}',
            "resources.pins.p: unknown field 'x'",
        ),
        *(
            (
                f'{{"type": "pinterest/pin", "identity": {identity}, "status": "created", "inputs": {{}}}}',
                'resources.pins.p.identity: must be {"alias": ALIAS, "digest": "sha256:..."}',
            )
            for identity in (
                '{"alias": null, "digest": "md5:0"}',
                '{"alias": 1, "digest": "sha256:0"}',
                '{"alias": "shop"}',
                '{"digest": "sha256:0", "token": "2af20011-8965-471b-8f6b-8b66a611aae6"}',
                '"not-a-token"',
                "7",
            )
        ),
    ],
)
def test_a_malformed_record_is_refused_naming_the_record_and_the_field(tmp_path, record, message):
    record = record.replace("IDENTITY", '{"alias": null, "digest": "sha256:0"}')
    (tmp_path / "s.json").write_text(f'{{"format_version": 1, "lineage": "l", "serial": 1, "resources": {{"pins.p": {record}}}}}')
    with pytest.raises(StateError, match=re.escape(message)):
        open_store(str(tmp_path / "s.json")).read()


@pytest.mark.parametrize("field, value", [("resources", "[]"), ("serial", '"1"'), ("lineage", "null")])
def test_a_malformed_state_is_never_read_as_empty(tmp_path, field, value):
    document = {"format_version": "1", "lineage": '"l"', "serial": "1", "resources": "{}", field: value}
    (tmp_path / "s.json").write_text("{" + ", ".join(f'"{k}": {v}' for k, v in document.items()) + "}")
    with pytest.raises(StateError, match=field):
        open_store(str(tmp_path / "s.json")).read()


def test_every_state_publisher_writes_is_valid_against_its_schema(tmp_path):
    import jsonschema

    store = open_store(str(tmp_path / "s.json"))
    state = State(resources={"pins.a": _record("pinterest/pin", id="1", dependencies=("boards.b",)), "boards.b": _record("x")})
    state.commit = "0" * 40
    store.write(state, expected_serial=0)
    schema = json.loads((REPO / "schemas" / "state.schema.json").read_text())
    jsonschema.Draft7Validator(schema).validate(json.loads((tmp_path / "s.json").read_text()))
