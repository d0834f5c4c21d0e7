"""Failures of the API: each ends in one clear message, exit 1, and an untouched state file."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from publisher.api.client import Client, api_url_from
from publisher.errors import PublisherError

from conftest import PIN_TOKEN

BOARD = f"""
boards:
  stadium:
    identity: {PIN_TOKEN}
    name: Stadium
    privacy: PUBLIC
"""
PIN = f"""
pins:
  camp-nou:
    identity: {PIN_TOKEN}
    board: {{ref: boards.stadium}}
    description: Camp Nou at night
    picture: https://cdn.example.com/camp-nou.jpg
"""


def _applied(cli, write, tmp_path: Path) -> tuple[Path, bytes]:
    """A catalog applied once (so there is a state), then one more pin to create."""
    write("boards.yaml", BOARD)
    assert cli("apply", tmp_path / "catalog", "--auto-approve").code == 0
    write("pins.yaml", PIN)
    state = tmp_path / "catalog" / "publisher.state.json"
    return state, state.read_bytes()


def _one_message(run) -> str:
    lines = [line for line in run.err.splitlines() if line.strip()]
    assert "Traceback" not in run.output
    return "\n".join(lines)


def test_bad_credentials(sandbox, cli, write, tmp_path, monkeypatch):
    state, before = _applied(cli, write, tmp_path)
    monkeypatch.setenv("ONEALL_PRIVATE_KEY", "wrong-private-key")

    run = cli("apply", tmp_path / "catalog", "--auto-approve")

    assert run.code == 1
    message = _one_message(run)
    assert "refused the credentials (401)" in message
    assert "check ONEALL_PUBLIC_KEY and ONEALL_PRIVATE_KEY" in message
    assert "wrong-private-key" not in run.output and "test-public" not in run.output
    assert state.read_bytes() == before


def test_unreachable_api(cli, write, tmp_path, monkeypatch, sandbox):
    state, before = _applied(cli, write, tmp_path)
    with socket.socket() as probe:  # a port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("ONEALL_API_URL", f"http://127.0.0.1:{port}")

    run = cli("apply", tmp_path / "catalog", "--auto-approve")

    assert run.code == 1
    assert f"cannot reach the OneAll API at http://127.0.0.1:{port}: connection refused" in _one_message(run)
    assert state.read_bytes() == before


def test_unreachable_api_before_any_state_creates_no_state_file(cli, write, tmp_path, monkeypatch):
    monkeypatch.setenv("ONEALL_API_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("ONEALL_PUBLIC_KEY", "k")
    monkeypatch.setenv("ONEALL_PRIVATE_KEY", "k")
    write("boards.yaml", BOARD)

    run = cli("apply", tmp_path / "catalog", "--auto-approve")

    assert run.code == 1
    assert "cannot reach the OneAll API" in run.err
    assert not (tmp_path / "catalog" / "publisher.state.json").exists()
    assert not (tmp_path / "catalog" / "publisher.state.json.lock").exists()


def test_a_400_from_the_api(sandbox, cli, write, tmp_path):
    state, before = _applied(cli, write, tmp_path)
    sandbox.fault(status=400, info="Invalid value for 'picture'", path_contains="/pin.json")

    run = cli("apply", tmp_path / "catalog", "--auto-approve")

    assert run.code == 1
    assert "the API refused it with 400: Invalid value for 'picture'" in run.err
    assert "Failed (see above): pins.camp-nou" in run.err
    assert PIN_TOKEN not in run.output  # the path is shown with the token masked
    assert "2af2…aae6" in run.err
    assert state.read_bytes() == before


def test_processed_then_500_becomes_pending_and_is_never_reposted(sandbox, cli, write, tmp_path):
    _applied(cli, write, tmp_path)
    sandbox.fault(status=500, info="Internal error", after_processing=True, path_contains="/pin.json")

    run = cli("apply", tmp_path / "catalog", "--auto-approve")
    assert run.code == 1
    assert "Pending, outcome unknown: pins.camp-nou" in run.err
    sandbox.clear()

    again = cli("apply", tmp_path / "catalog", "--auto-approve")
    assert again.code == 1
    assert "publisher state resolve pins.camp-nou" in again.out
    assert sandbox.requests() == []

    pin_id = next(o["id"] for o in sandbox.objects() if o["object"] == "pin")
    state = tmp_path / "catalog" / "publisher.state.json"
    resolved = cli("state", "resolve", "pins.camp-nou", "--id", pin_id, "--state", state)
    assert resolved.code == 0, resolved.output
    assert cli("plan", tmp_path / "catalog").out.startswith("No changes")
    assert len([o for o in sandbox.objects() if o["object"] == "pin"]) == 1


def test_resolve_absent_lets_the_next_apply_create_it(sandbox, cli, write, tmp_path):
    _applied(cli, write, tmp_path)
    sandbox.fault(status=504, info="Gateway timeout", path_contains="/pin.json")
    assert cli("apply", tmp_path / "catalog", "--auto-approve").code == 1
    state = tmp_path / "catalog" / "publisher.state.json"

    assert cli("state", "resolve", "pins.camp-nou", "--absent", "--state", state).code == 0
    assert cli("apply", tmp_path / "catalog", "--auto-approve").code == 0
    assert len([o for o in sandbox.objects() if o["object"] == "pin"]) == 1


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "set ONEALL_SUBDOMAIN"),
        ({"ONEALL_API_URL": "http://api.example.com"}, "plain http:// only for a loopback address"),
        ({"ONEALL_API_URL": "https://u:p@x.api.oneall.com"}, "must not contain credentials"),
        ({"ONEALL_API_URL": "ftp://x"}, "must be an http(s) URL"),
    ],
)
def test_api_url_is_checked(environ, expected):
    with pytest.raises(PublisherError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        api_url_from(environ)


def test_api_url_from_subdomain():
    assert api_url_from({"ONEALL_SUBDOMAIN": "club"}) == "https://club.api.oneall.com"


def test_missing_keys_are_named(cli, write, tmp_path, monkeypatch):
    monkeypatch.setenv("ONEALL_SUBDOMAIN", "club")
    write("boards.yaml", BOARD)
    run = cli("apply", tmp_path / "catalog", "--auto-approve")
    assert run.code == 1
    assert "set ONEALL_PUBLIC_KEY and ONEALL_PRIVATE_KEY" in run.err


def test_client_returns_result_data(sandbox):
    client = Client(sandbox.url, "test-public", "test-private")
    data = client.push(PIN_TOKEN, "pinterest/board.json", ("board",), {"name": "Stadium"})
    assert data["provider"] == "pinterest" and data["object"] == "board"
    assert data["board_name"] == "Stadium" and data["board_id"].isdigit()
