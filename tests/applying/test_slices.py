"""A big first apply comes in slices (--max-changes, --max-duration): each run does part of the
work and says how much remains, the next goes on, and nothing is posted twice, even after a
SIGKILL in the middle of a slice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from publisher.sandbox import Behaviour, Sandbox

from conftest import TWEET_TOKEN


def _tweets(write, count: int) -> Path:
    entries = "".join(
        f"  t{i:02d}:\n    type: twitter/post\n    identity: {TWEET_TOKEN}\n    message: Tweet {i}\n" for i in range(count)
    )
    return write("posts.yaml", "posts:\n" + entries).parent


def _messages(objects: list[dict]) -> list[str]:
    return sorted(o["message"] for o in objects)


def test_twelve_creates_in_slices_of_five(sandbox, cli, write, tmp_path):
    catalog = _tweets(write, 12)
    posted = []
    for this_run, remain in ((5, 7), (5, 2), (2, 0)):
        run = cli("apply", catalog, "--auto-approve", "--max-changes", "5")
        assert run.code == 0, run.output
        posted.append(len(sandbox.objects()))
        assert f"Apply complete: {this_run} done" in run.out
        if remain:
            assert f"{remain} changes remain: run apply again" in run.out
        else:
            assert "remain" not in run.out
    assert posted == [5, 10, 12]
    assert _messages(sandbox.objects()) == sorted(f"Tweet {i}" for i in range(12))  # each once
    assert cli("plan", catalog, "--detailed-exitcode").code == 0


def test_the_json_record_marks_the_rest_not_attempted(sandbox, cli, write, tmp_path):
    catalog = _tweets(write, 4)
    run = cli("apply", catalog, "--auto-approve", "--max-changes", "1", "--format", "json")
    assert run.code == 0
    outcomes = [record["outcome"] for record in json.loads(run.out)["resources"]]
    assert sorted(outcomes) == ["done", "not attempted", "not attempted", "not attempted"]


def test_a_slice_by_time_posts_some_then_the_next_apply_the_rest(cli, write, tmp_path, monkeypatch):
    server = Sandbox(behaviour=Behaviour(latency=0.3)).start()  # each create takes 0.3 s
    monkeypatch.setenv("ONEALL_API_URL", server.url)
    monkeypatch.setenv("ONEALL_PUBLIC_KEY", server.public_key)
    monkeypatch.setenv("ONEALL_PRIVATE_KEY", server.private_key)
    try:
        catalog = _tweets(write, 20)
        first = cli("apply", catalog, "--auto-approve", "--max-duration", "0.5s", "--concurrency", "1")
        assert first.code == 0, first.output
        done = len(server.api.store.objects)
        assert 1 <= done < 20 and f"{20 - done} changes remain" in first.out  # what was sent finished
        assert cli("apply", catalog, "--auto-approve").code == 0
        messages = sorted(o["message"] for o in server.api.store.objects.values())
        assert messages == sorted(f"Tweet {i}" for i in range(20))
    finally:
        server.stop()


def test_sigkill_during_a_sliced_apply_loses_nothing(cli, write, tmp_path, monkeypatch):
    server = Sandbox(behaviour=Behaviour(latency=0.05)).start()
    env = {
        **os.environ,
        "ONEALL_API_URL": server.url,
        "ONEALL_PUBLIC_KEY": server.public_key,
        "ONEALL_PRIVATE_KEY": server.private_key,
    }
    for name in ("ONEALL_API_URL", "ONEALL_PUBLIC_KEY", "ONEALL_PRIVATE_KEY"):
        monkeypatch.setenv(name, env[name])
    try:
        catalog = _tweets(write, 30)
        command = [sys.executable, "-m", "publisher", "apply", str(catalog), "--auto-approve", "--max-changes", "20"]
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        journal = catalog / "publisher.state.json.journal"
        for _ in range(3000):  # until it is sending
            if journal.exists() and journal.read_text().count("\n") > 6:
                break
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
        process.wait()
        for _ in range(5):  # what a person does: apply until done, settling what is pending
            run = cli("apply", catalog, "--auto-approve", "--max-changes", "20")
            if run.code == 0 and "remain" not in run.out:
                break
            state = json.loads((catalog / "publisher.state.json").read_text())["resources"]
            for address, record in state.items():
                if record["status"] == "pending":
                    found = [
                        i for (_, _, i), o in server.api.store.objects.items() if o["message"] == record["inputs"]["message"]
                    ]
                    args = ["--id", found[0]] if found else ["--absent"]
                    assert cli("state", "resolve", address, *args, "--state", catalog / "publisher.state.json").code == 0
        messages = sorted(o["message"] for o in server.api.store.objects.values())
        assert messages == sorted(f"Tweet {i}" for i in range(30))  # every tweet, each once
    finally:
        server.stop()
