"""Labels and takedown: a campaign named once, selected by label, taken down now and kept down.
Against the sandbox over HTTP, on the local file, PostgreSQL and S3."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time

import pytest

from publisher.state.locations import open_store

from conftest import REPO, TWEET_TOKEN

LINKEDIN = "9b2e7c1a-6d4f-4e8b-a1c3-5f7d9e0b2a4c"
CAMPAIGN = f"""
identities:
  club-twitter: {TWEET_TOKEN}
  club-linkedin: {LINKEDIN}
posts:
  sale-1:
    type: twitter/post
    identity: club-twitter
    message: Spring sale, day one
    labels: [spring-sale]
  sale-2:
    type: twitter/post
    identity: club-twitter
    message: Spring sale, day two
    labels: [spring-sale, launch]
  sale-note:
    type: linkedin/post
    identity: club-linkedin
    message: Our spring sale is on
    link: https://www.fcbarcelona.com/
    labels: [spring-sale]
  other:
    type: twitter/post
    identity: club-twitter
    message: Not part of the sale
"""


def _messages(sandbox) -> list[str]:
    return sorted(o.get("message", "") for o in sandbox.objects())


def test_a_label_selects_entries_for_plan_and_policies(sandbox, cli, write, tmp_path):
    catalog = write("c.yaml", CAMPAIGN).parent
    targeted = cli("plan", catalog, "--state", tmp_path / "s.json", "--target", "label:launch", "--format", "json")
    assert [c["address"] for c in json.loads(targeted.out)["changes"]] == ["posts.sale-2"]
    assert cli("plan", catalog, "--state", tmp_path / "s.json", "--target", "label:nothing").code == 1
    write("publisher.yaml", "policies:\n  - name: sale-words\n    match: {label: spring-*}\n    text: {forbid: [free]}\n")
    write("c.yaml", CAMPAIGN.replace("Spring sale, day one", "Spring sale, free tickets"))
    refused = cli("plan", catalog, "--state", tmp_path / "s.json")
    assert refused.code == 1 and "posts.sale-1" in refused.err and "posts.other" not in refused.err
    write("publisher.yaml", "")
    write("c.yaml", CAMPAIGN.replace("labels: [spring-sale, launch]", "labels: [Spring Sale]"))
    bad = cli("plan", catalog, "--state", tmp_path / "s.json")
    assert bad.code == 1 and "c.yaml:" in bad.err and "posts.sale-2.labels" in bad.err and "spring-sale" in bad.err, bad.err


def test_a_takedown_by_label_deletes_lists_what_stays_and_keeps_it_down(state_location, sandbox, cli, write):
    catalog = write("c.yaml", CAMPAIGN).parent
    assert cli("apply", catalog, "--auto-approve", "--state", state_location).code == 0
    assert len(_messages(sandbox)) == 4
    run = cli("takedown", catalog, "--target", "label:spring-sale", "--reason", "pricing error", "--auto-approve",
              "--state", state_location, "--format", "json")  # fmt: skip
    assert run.code == 0, run.output
    done = json.loads(run.out)
    assert sorted(r["address"] for r in done["resources"] if r["outcome"] == "done") == [
        "posts.sale-1", "posts.sale-2", "posts.sale-note",
    ]  # fmt: skip
    [by_hand] = done["remove_by_hand"]
    assert by_hand == {"address": "posts.sale-note", "url": None}  # the API gives no LinkedIn URL to show
    assert _messages(sandbox) == ["Not part of the sale", "Our spring sale is on"]  # LinkedIn's stays: by hand
    # The next apply posts nothing of the campaign, and every plan says why.
    sandbox.clear()
    again = cli("apply", catalog, "--auto-approve", "--state", state_location)
    assert again.code == 0 and sandbox.requests() == []
    shown = cli("plan", catalog, "--state", state_location)
    assert "Taken down" in shown.out and "pricing error" in shown.out and "posts.sale-1" in shown.out
    assert "pricing error" in cli("plan", catalog, "--state", state_location, "--format", "html").out  # the page says why
    takedowns = open_store(state_location).read().takedowns
    assert set(takedowns) == {"posts.sale-1", "posts.sale-2", "posts.sale-note"}
    assert takedowns["posts.sale-1"]["reason"] == "pricing error" and takedowns["posts.sale-1"]["by"]
    # Released, the next apply publishes them again, as new objects.
    assert cli("takedown", catalog, "--release", "--target", "label:spring-sale", "--state", state_location).code == 0
    assert cli("apply", catalog, "--auto-approve", "--state", state_location).code == 0
    assert _messages(sandbox).count("Spring sale, day one") == 1 and _messages(sandbox).count("Our spring sale is on") == 2


def test_a_takedown_that_matches_nothing_is_an_error(sandbox, cli, write, tmp_path):
    catalog = write("c.yaml", CAMPAIGN).parent
    run = cli("takedown", catalog, "--target", "label:winter-sale", "--auto-approve", "--state", tmp_path / "s.json")
    assert run.code == 1 and "--target label:winter-sale matches no address" in run.err
    assert cli("takedown", catalog, "--auto-approve", "--state", tmp_path / "s.json").code == 1  # --target is required
    assert cli("takedown", catalog, "--release", "--target", "posts.other", "--state", tmp_path / "s.json").code == 1
    assert sandbox.requests() == []


def test_an_entry_taken_down_before_it_was_published_stays_down(sandbox, cli, write, tmp_path):
    catalog = write("c.yaml", CAMPAIGN).parent
    state = tmp_path / "s.json"
    assert cli("takedown", catalog, "--target", "posts.sale-*", "--auto-approve", "--state", state).code == 0
    assert cli("apply", catalog, "--auto-approve", "--state", state).code == 0
    assert _messages(sandbox) == ["Not part of the sale"]
    # Dropped from the catalog, the takedown has nothing left to keep down, and goes.
    write(
        "c.yaml",
        CAMPAIGN.split("  sale-1:")[0]
        + "  other:\n    type: twitter/post\n    identity: club-twitter\n    message: Not part of the sale\n",
    )
    assert cli("apply", catalog, "--auto-approve", "--state", state).code == 0
    assert open_store(str(state)).read().takedowns == {}


_TAKEDOWN = [sys.executable, "-m", "publisher", "takedown", "--target", "label:spring-sale", "--auto-approve"]


@pytest.mark.parametrize("seed", [1, 2])
def test_sigkill_during_a_takedown_loses_nothing_and_deletes_nothing_twice(seed, state_location, cli, write, monkeypatch):
    from servers import S3Server

    from publisher.sandbox import Behaviour, Sandbox

    server = Sandbox(public_key="k", private_key="s", behaviour=Behaviour(latency=0.05)).start()
    env = {"ONEALL_API_URL": server.url, "ONEALL_PUBLIC_KEY": "k", "ONEALL_PRIVATE_KEY": "s"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    try:
        entries = "".join(
            f"  t{i}:\n    type: twitter/post\n    identity: {TWEET_TOKEN}\n    message: Sale {i}\n    labels: [spring-sale]\n"
            for i in range(12)
        )
        catalog = write("c.yaml", "posts:\n" + entries).parent
        assert cli("apply", catalog, "--auto-approve", "--state", state_location).code == 0
        environment = {**_env(), **S3Server.environment(), **env}
        child = subprocess.Popen([*_TAKEDOWN, "--state", state_location, str(catalog)], env=environment, cwd=REPO,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        time.sleep(random.Random(seed).uniform(0.3, 1.2))  # any moment: each must leave it recoverable
        child.kill()
        child.wait()
        finished = cli("takedown", catalog, "--target", "label:spring-sale", "--auto-approve", "--state", state_location,
                       "--lock-timeout", "10s")  # fmt: skip
        assert finished.code == 0, finished.output
        deletes = [r for r in server.log if r["method"] == "DELETE"]
        succeeded = [r for r in deletes if r["status"] < 300]
        assert server.api.store.objects == {}  # every tweet of the sale is gone
        assert len({r["path"] for r in succeeded}) == len(succeeded) == 12  # each deleted once
        assert open_store(state_location).read().resources == {}
        assert cli("apply", catalog, "--auto-approve", "--state", state_location).code == 0
        assert len([r for r in server.log if r["method"] == "POST"]) == 12  # nothing posted again
    finally:
        server.stop()


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith(("ONEALL_", "PUBLISHER_"))}


def test_what_the_api_cannot_delete_is_named_with_remove_by_hand(sandbox, cli, write, tmp_path):
    catalog = write("c.yaml", CAMPAIGN).parent
    state = tmp_path / "s.json"
    assert cli("apply", catalog, "--auto-approve", "--state", state).code == 0
    run = cli("takedown", catalog, "--target", "posts.sale-note", "--reason", "wrong price", "--auto-approve", "--state", state)
    assert run.code == 0 and "posts.sale-note: the API cannot delete it: remove by hand" in run.out, run.output
    assert "posts.sale-note" not in open_store(str(state)).read().resources  # no longer tracked
    shown = json.loads(cli("state", "show", "posts.sale-note", "--state", state).out)
    assert shown["takedown"]["reason"] == "wrong price"
