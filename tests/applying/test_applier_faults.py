"""apply under faults: killed at random moments, racing another apply, 429 storms, lost answers.

In every case the sandbox must end with exactly one object per address and a state that
matches it: nothing lost, nothing posted twice.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from publisher.sandbox import Behaviour, Sandbox
from publisher.state.locations import open_store

from conftest import PIN_TOKEN

PINS = 200


def _catalog(root: Path, count: int = PINS) -> Path:
    catalog = root / "catalog"
    catalog.mkdir(parents=True, exist_ok=True)
    rows = ["n"] + [str(i) for i in range(count)]
    (catalog / "rows.csv").write_text("\n".join(rows) + "\n")
    (catalog / "c.yaml").write_text(
        f"""
boards:
  b:
    identity: {PIN_TOKEN}
    name: Board
pins:
  "p{{{{ each.n }}}}":
    for_each: "{{{{ data('rows.csv') }}}}"
    identity: {PIN_TOKEN}
    board: {{ref: boards.b}}
    description: "pin {{{{ each.n }}}}"
    picture: https://cdn.example.com/p.jpg
"""
    )
    return catalog


def _env(server: Sandbox) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONEALL_")}
    env.update(ONEALL_API_URL=server.url, ONEALL_PUBLIC_KEY=server.public_key, ONEALL_PRIVATE_KEY=server.private_key)
    return env


def _apply_process(catalog: Path, server: Sandbox, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "publisher", "apply", str(catalog), "--auto-approve", *extra],
        env=_env(server),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _pins_by_description(server: Sandbox) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for (_network, kind, object_id), obj in list(server.api.store.objects.items()):
        if kind == "pin":
            found.setdefault(obj["description"], []).append(object_id)
    return found


def _settle(cli, catalog: Path, server: Sandbox) -> None:
    """What a person does after a crash: apply (the killed run's lock ended with it), resolve
    what is pending, until done."""
    state_file = catalog / "publisher.state.json"
    for _ in range(10):
        run = cli("apply", catalog, "--auto-approve")
        if run.code == 0:
            return
        assert "publisher state resolve" in run.output, run.output
        # The journal of the killed run is folded in: read it as publisher does.
        state = open_store(str(state_file)).read()
        pins = _pins_by_description(server)
        for address, record in state.resources.items():
            if record.status != "pending":
                continue
            # Look on the network, as the user would, for the object the lost answer was about.
            matches = pins.get(record.inputs["description"], []) if "description" in record.inputs else []
            assert len(matches) <= 1
            args = ["--id", matches[0]] if matches else ["--absent"]
            assert cli("state", "resolve", address, *args, "--state", state_file).code == 0
    raise AssertionError("apply did not settle")


def _assert_exactly_once(catalog: Path, server: Sandbox, count: int = PINS) -> None:
    pins = _pins_by_description(server)
    assert sorted(pins) == sorted(f"pin {i}" for i in range(count))
    assert all(len(ids) == 1 for ids in pins.values()), {d: ids for d, ids in pins.items() if len(ids) > 1}
    state = json.loads((catalog / "publisher.state.json").read_text())["resources"]
    for i in range(count):
        record = state[f"pins.p{i}"]
        assert record["status"] == "created"
        assert [record["id"]] == pins[f"pin {i}"]
    assert not (catalog / "publisher.state.json.journal").exists()


@pytest.mark.slow
def test_sigkill_at_20_random_moments_loses_nothing_and_posts_nothing_twice(cli, tmp_path, monkeypatch):
    moments = random.Random(20261122)
    for round_number in range(20):
        # 15 ms per request: a run takes about 1.3 s here, start-up (about 0.35 s) included.
        server = Sandbox(behaviour=Behaviour(latency=0.015)).start()
        for name, value in _env(server).items():
            if name.startswith("ONEALL_"):
                monkeypatch.setenv(name, value)
        try:
            catalog = _catalog(tmp_path / f"round{round_number}")
            process = _apply_process(catalog, server, "--concurrency", "4")
            time.sleep(moments.uniform(0.35, 1.25))
            process.send_signal(signal.SIGKILL)
            process.wait()
            _settle(cli, catalog, server)
            _assert_exactly_once(catalog, server)
            assert cli("plan", catalog, "--detailed-exitcode").code == 0
        finally:
            server.stop()


def test_two_applies_at_once_one_runs_the_other_names_the_holder(tmp_path):
    # 100 ms a request: the winner holds the lock for about a second, far longer than the
    # gap between the two start-ups even on a loaded machine.
    server = Sandbox(behaviour=Behaviour(latency=0.1)).start()
    try:
        catalog = _catalog(tmp_path, count=40)
        first = _apply_process(catalog, server)
        second = _apply_process(catalog, server)
        results = [(p.wait(), p.stdout.read(), p.stderr.read()) for p in (first, second)]
    finally:
        server.stop()
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 1], results
    loser = next(err for code, _, err in results if code == 1)
    assert "the state is locked by 'publisher apply' (" in loser and ", pid " in loser
    assert "publisher unlock" in loser
    _assert_exactly_once(catalog, server, count=40)


def test_a_429_storm_and_a_503_burst_publish_everything_once(sandbox, cli, tmp_path):
    catalog = _catalog(tmp_path, count=30)
    sandbox.fault(status=429, info="Too many requests", count=6, retry_after=1, path_contains="/pin.json")
    sandbox.fault(status=503, info="Overloaded", count=6, path_contains="/pin.json")

    run = cli("apply", catalog, "--auto-approve")

    assert run.code == 0, run.output
    assert run.err.count("answered 429 (too many requests); retrying in 1.0 s") == 6
    assert run.err.count("answered 503 (the API is overloaded); retrying in") == 6
    _assert_exactly_once(catalog, sandbox.server, count=30)


def test_lost_answers_become_pending_and_are_settled(sandbox, cli, tmp_path):
    catalog = _catalog(tmp_path, count=10)
    sandbox.fault(drop=True, after_processing=True, count=2, path_contains="/pin.json")
    sandbox.fault(status=500, after_processing=True, count=1, path_contains="/pin.json")

    run = cli("apply", catalog, "--auto-approve")

    assert run.code == 1
    assert "Pending, outcome unknown:" in run.err
    state = json.loads((catalog / "publisher.state.json").read_text())["resources"]
    assert sum(1 for r in state.values() if r["status"] == "pending") == 3
    _settle(cli, catalog, sandbox.server)
    _assert_exactly_once(catalog, sandbox.server, count=10)


def test_a_failed_create_skips_its_dependents_and_the_rest_goes_on(sandbox, cli, tmp_path):
    catalog = _catalog(tmp_path, count=3)
    (catalog / "t.yaml").write_text(f"posts:\n  t:\n    type: twitter/post\n    identity: {PIN_TOKEN}\n    message: hi\n")
    sandbox.fault(status=409, info="Board name taken", path_contains="/board.json")

    run = cli("apply", catalog, "--auto-approve")

    assert run.code == 1
    assert "boards.b: create failed:" in run.err and "Board name taken" in run.err
    assert "Skipped, a dependency failed: pins.p0, pins.p1, pins.p2" in run.err
    assert "1 done" in run.err
    assert [o["object"] for o in sandbox.objects()] == ["post"]


def _wait_until_stopped(pid: int) -> None:
    """Until the kernel shows the process stopped (state T in /proc/PID/stat)."""
    for _ in range(3000):
        if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "T":
            return
        time.sleep(0.001)
    raise AssertionError(f"process {pid} did not stop")


def test_deleting_the_lock_file_during_an_apply_hands_nothing_over(cli, tmp_path, monkeypatch):
    """Found: a second apply took over and folded the first one's journal; 11 posts were later
    posted again. The journal belongs to the run writing it, and a run whose lock file was
    removed stops at its next write; the next apply finishes the work, each pin once."""
    server = Sandbox(behaviour=Behaviour(latency=0.02)).start()
    try:
        catalog = _catalog(tmp_path, count=40)
        first = _apply_process(catalog, server)
        journal = catalog / "publisher.state.json.journal"
        for _ in range(3000):  # until the first run is sending
            if journal.exists() and journal.read_text().count("\n") > 3:
                break
            time.sleep(0.01)
        first.send_signal(signal.SIGSTOP)  # mid-apply, for as long as the second one runs
        _wait_until_stopped(first.pid)  # a signal lands a moment later: it must not see the unlink yet
        try:
            (catalog / "publisher.state.json.lock").unlink()
            second = _apply_process(catalog, server)
            _, second_err = second.communicate(timeout=120)
        finally:
            first.send_signal(signal.SIGCONT)
        _, first_err = first.communicate(timeout=120)
        assert second.returncode == 1 and "another apply is running on this state" in second_err
        assert first.returncode == 1 and "no longer holds the state's lock" in first_err
        # What was in flight when it stopped is pending: resolved as after a crash.
        for name, value in _env(server).items():
            if name.startswith("ONEALL_"):
                monkeypatch.setenv(name, value)
        _settle(cli, catalog, server)
        _assert_exactly_once(catalog, server, count=40)
    finally:
        server.stop()


def test_unlock_refuses_a_lock_whose_process_is_running(cli, tmp_path):
    state_file = tmp_path / "publisher.state.json"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from publisher.state.locations import open_store as S\n"
         "with S(sys.argv[1]).lock('publisher apply (live)') as i:\n"
         "    print(i, flush=True); time.sleep(600)", str(state_file)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None
        lock_id = holder.stdout.readline().strip()
        refused = cli("unlock", lock_id, "--state", state_file)
        assert refused.code == 1 and "held by a running process" in refused.err
        holder.kill()
        holder.wait()
        with open_store(str(state_file)).lock("publisher apply (next)"):
            pass  # free at once after the kill: nothing to unlock
    finally:
        holder.kill()
        holder.wait()
