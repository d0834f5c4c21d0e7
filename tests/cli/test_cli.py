"""The command line contract: exit codes, confirmation, locks, and no secrets in output."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import publisher.workflows.plan
from publisher import cli as cli_module
from publisher.state.locations import open_store

from conftest import HELLO_TWEET, PIN_TOKEN, STADIUM, TWEET_TOKEN

CATALOG = STADIUM + HELLO_TWEET


def test_plan_detailed_exitcode(sandbox, cli, write, tmp_path):
    write("c.yaml", CATALOG)
    assert cli("plan", tmp_path / "catalog", "--detailed-exitcode").code == 2
    assert cli("plan", tmp_path / "catalog").code == 0
    assert cli("apply", tmp_path / "catalog", "--auto-approve").code == 0
    assert cli("plan", tmp_path / "catalog", "--detailed-exitcode").code == 0


def test_apply_without_a_terminal_needs_auto_approve(sandbox, cli, write, tmp_path):
    write("c.yaml", CATALOG)
    run = cli("apply", tmp_path / "catalog")
    assert run.code == 1
    assert "refusing to apply without --auto-approve" in run.err
    assert sandbox.requests() == []
    assert not (tmp_path / "catalog" / "publisher.state.json").exists()


def test_usage_errors_exit_1_not_2(cli):
    run = cli("plan", "--no-such-flag")
    assert run.code == 1
    assert "No such option" in run.err


def test_missing_path_is_one_clear_message(cli):
    run = cli("validate", "nowhere/")
    assert (run.code, run.err.strip()) == (1, "nowhere: no such file or directory")


def test_an_internal_error_exits_3_and_suggests_debug(cli, write, tmp_path, monkeypatch):
    write("c.yaml", CATALOG)

    def broken(*args, **kwargs):
        raise RuntimeError(f"boom {PIN_TOKEN}")

    monkeypatch.setattr(publisher.workflows.plan, "make_plan", broken)
    run = cli("plan", tmp_path / "catalog")
    assert run.code == 3
    assert "rerun with --debug" in run.err
    assert PIN_TOKEN not in run.err
    with pytest.raises(RuntimeError):
        cli_module.main(["plan", str(tmp_path / "catalog"), "--debug"])


def test_a_held_lock_stops_apply_and_names_the_holder(sandbox, cli, write, tmp_path):
    write("c.yaml", CATALOG)
    store = open_store(str(tmp_path / "catalog" / "publisher.state.json"))
    with store.lock("publisher apply (other run)") as lock_id:
        run = cli("apply", tmp_path / "catalog", "--auto-approve")
    assert run.code == 1
    assert "locked by 'publisher apply (other run)'" in run.err
    assert f"publisher unlock {lock_id}" in run.err
    assert sandbox.requests() == []


def test_no_key_and_no_full_token_in_any_output(sandbox, cli, write, tmp_path):
    write("c.yaml", CATALOG)
    outputs = [
        cli("validate", tmp_path / "catalog"),
        cli("plan", tmp_path / "catalog"),
        cli("apply", tmp_path / "catalog", "--auto-approve"),
        cli("plan", tmp_path / "catalog"),
    ]
    state_file = tmp_path / "catalog" / "publisher.state.json"
    outputs += [cli("state", "list", "--state", state_file), cli("state", "show", "boards.stadium", "--state", state_file)]
    for run in outputs:
        assert run.code == 0, run.output
        for secret in ("test-public", "test-private", PIN_TOKEN, TWEET_TOKEN):
            assert secret not in run.output
    assert "identity club)" in outputs[1].out  # an alias where there is one, else the token masked
    assert "7c9e…0ae7" in outputs[1].out
    # Not even the state holds a token: an identity is its alias and the token's digest.
    identity = json.loads(state_file.read_text())["resources"]["boards.stadium"]["identity"]
    assert identity["alias"] == "club" and identity["digest"].startswith("sha256:")
    assert PIN_TOKEN not in state_file.read_text() and TWEET_TOKEN not in state_file.read_text()
    assert "test-private" not in state_file.read_text()


def test_validate_and_plan_start_without_the_libraries_they_do_not_need(write, tmp_path):
    """requests, jsonschema and jinja2 are half of publisher's start-up; commands that send
    nothing, find nothing wrong and render only names never import them."""
    write("c.yaml", STADIUM)
    script = (
        "import sys\nfrom publisher.cli import main\n"
        "for command in (['validate', sys.argv[1]], ['plan', sys.argv[1]]):\n"
        "    try:\n        main(command)\n    except SystemExit as done:\n        assert done.code in (0, None), done.code\n"
        "print(sorted(m for m in ('requests', 'urllib3', 'jsonschema', 'referencing', 'jinja2') if m in sys.modules))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PUBLISHER_CACHE"}
    run = subprocess.run([sys.executable, "-c", script, str(tmp_path / "catalog")], capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().splitlines()[-1] == "[]"


def test_plan_reports_the_catalog_before_a_broken_state(write, cli, tmp_path):
    """The manifests' problems come first: a broken state is reported once they are fixed."""
    write("c.yaml", CATALOG)
    write("more.yaml", "boards:\n  other:\n    identity: club\n    name: Other\n")
    state = tmp_path / "catalog" / "publisher.state.json"
    state.write_text("{ not json")

    broken_state = cli("plan", tmp_path / "catalog")
    assert broken_state.code == 1 and "the state is not valid JSON" in broken_state.err

    write("more.yaml", "boards:\n  other:\n    identity: club\n    privacy: SOMETIMES\n")
    both = cli("plan", tmp_path / "catalog")
    assert both.code == 1 and "more.yaml:4:5" in both.err and "not valid JSON" not in both.err
