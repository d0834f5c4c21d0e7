"""Posting queues make a cadence real: queued entries are published one per slot, keep their
slot from the first apply on, and a late apply publishes what is due, never skipping it.
Driven by PUBLISHER_NOW against the sandbox."""

from __future__ import annotations

import json

import pytest

from conftest import TWEET_TOKEN

QUEUE = """
queues:
  - name: tweets
    match: {type: "twitter/*"}
    slots: ["09:00", "13:00", "18:00"]
    time_zone: UTC
"""


def _tweets(names: list[str]) -> str:
    return "posts:\n" + "".join(
        f"  {name}:\n    type: twitter/post\n    identity: {TWEET_TOKEN}\n    message: {name}\n" for name in names
    )


def _posted(sandbox) -> list[str]:
    return sorted(o["message"] for o in sandbox.objects())


def _apply_at(cli, catalog, monkeypatch, moment: str):
    monkeypatch.setenv("PUBLISHER_NOW", moment)
    run = cli("apply", catalog, "--auto-approve")
    assert run.code == 0, run.output
    return run


def test_seven_tweets_go_out_one_per_slot_and_a_new_one_joins_the_end(sandbox, cli, write, tmp_path, monkeypatch):
    write("publisher.yaml", QUEUE)
    names = [f"t{i}" for i in range(1, 8)]
    catalog = write("posts.yaml", _tweets(names)).parent
    monkeypatch.setenv("PUBLISHER_NOW", "2027-03-01T08:00:00Z")
    plan = cli("plan", catalog)
    assert "queued for Mon 1 Mar 09:00 UTC (tweets)" in plan.out and "queued for Tue 2 Mar 18:00 UTC (tweets)" in plan.out
    _apply_at(cli, catalog, monkeypatch, "2027-03-01T08:00:00Z")
    assert _posted(sandbox) == []
    state = json.loads((catalog / "publisher.state.json").read_text())
    assert state["queues"]["tweets"]["posts.t1"] == "2027-03-01T09:00:00Z"  # kept from the first apply
    # A new entry at the top of the file joins the end of the queue, after the seventh.
    write("posts.yaml", _tweets(["t0", *names]))
    _apply_at(cli, catalog, monkeypatch, "2027-03-01T09:05:00Z")
    assert _posted(sandbox) == ["t1"]
    _apply_at(cli, catalog, monkeypatch, "2027-03-01T18:05:00Z")  # 13:00 passed with no apply: late, not skipped
    assert _posted(sandbox) == ["t1", "t2", "t3"]
    state = json.loads((catalog / "publisher.state.json").read_text())
    assert state["queues"]["tweets"]["posts.t0"] == "2027-03-03T13:00:00Z"  # after t7 (Wed 09:00), at Wed 13:00
    _apply_at(cli, catalog, monkeypatch, "2027-03-04T08:00:00Z")
    assert _posted(sandbox) == sorted(["t0", *names])  # each once
    assert "queues" not in json.loads((catalog / "publisher.state.json").read_text())


def test_removing_a_queued_item_frees_its_slot_without_moving_the_others(sandbox, cli, write, tmp_path, monkeypatch):
    write("publisher.yaml", QUEUE)
    catalog = write("posts.yaml", _tweets(["a", "b", "c"])).parent
    _apply_at(cli, catalog, monkeypatch, "2027-03-01T08:00:00Z")
    write("posts.yaml", _tweets(["a", "c"]))
    _apply_at(cli, catalog, monkeypatch, "2027-03-01T08:30:00Z")
    slots = json.loads((catalog / "publisher.state.json").read_text())["queues"]["tweets"]
    assert slots == {"posts.a": "2027-03-01T09:00:00Z", "posts.c": "2027-03-01T18:00:00Z"}


def test_the_calendar_shows_each_queued_item_at_its_slot_before_any_apply(cli, write, tmp_path, monkeypatch):
    write("publisher.yaml", QUEUE)
    catalog = write("posts.yaml", _tweets(["a", "b", "c", "d"])).parent
    monkeypatch.setenv("PUBLISHER_NOW", "2027-03-01T10:00:00Z")
    run = cli("calendar", catalog, "--from", "2027-03-01", "--days", "3", "--format", "json")
    assert run.code == 0, run.output
    items = json.loads(run.out)["items"]
    assert [(item["address"], item["utc"]) for item in items] == [
        ("posts.a", "2027-03-01T13:00:00Z"),
        ("posts.b", "2027-03-01T18:00:00Z"),
        ("posts.c", "2027-03-02T09:00:00Z"),
        ("posts.d", "2027-03-02T13:00:00Z"),
    ]


def test_a_queue_with_days_skips_the_others_across_a_dst_change(cli, write, tmp_path, monkeypatch):
    write(
        "publisher.yaml",
        "queues:\n  - name: weekdays\n    match: {address: 'posts.*'}\n    slots: ['09:00']\n    days: [fri, mon]\n"
        "    time_zone: Europe/Madrid\n",
    )
    catalog = write("posts.yaml", _tweets(["a", "b", "c"])).parent
    monkeypatch.setenv("PUBLISHER_NOW", "2027-03-26T10:00:00Z")  # Friday; Madrid moves to summer time on Sunday 28
    items = json.loads(cli("calendar", catalog, "--from", "2027-03-26", "--days", "14", "--format", "json").out)["items"]
    assert [item["utc"] for item in items] == [
        "2027-03-29T07:00:00Z",  # Monday, summer time: still 09:00 in Madrid (it was 08:00Z before Sunday)
        "2027-04-02T07:00:00Z",  # Friday
        "2027-04-05T07:00:00Z",  # Monday
    ]


def test_an_explicit_publish_at_is_never_queued(sandbox, cli, write, tmp_path, monkeypatch):
    write("publisher.yaml", QUEUE)
    catalog = write("posts.yaml", _tweets(["a"]) + '    publish_at: "2027-03-01T08:30:00Z"\n').parent
    _apply_at(cli, catalog, monkeypatch, "2027-03-01T08:31:00Z")
    assert _posted(sandbox) == ["a"]


@pytest.mark.parametrize(
    "queue, message",
    [
        ("slots: ['25:00']", "must be a time of day, HH:MM"),
        ("slots: ['09:00']\n    days: [someday]", "is not one of mon, tue"),
        ("slots: []", "slots"),
        ("slots: ['09:00']\n    time_zone: Mars/Olympus", "unknown time zone 'Mars/Olympus'"),
    ],
)
def test_a_bad_queue_is_one_message_at_its_line(queue, message, cli, write, tmp_path):
    write("publisher.yaml", f"queues:\n  - name: q\n    match: {{type: twitter/post}}\n    {queue}\n")
    catalog = write("posts.yaml", _tweets(["a"])).parent
    run = cli("validate", catalog)
    assert run.code == 1 and "publisher.yaml:" in run.err and message in run.err, run.err


def test_two_queues_matching_one_entry_is_an_error_and_a_queue_matching_nothing_a_warning(cli, write, tmp_path):
    write(
        "publisher.yaml",
        "queues:\n  - name: one\n    match: {type: twitter/post}\n    slots: ['09:00']\n"
        "  - name: two\n    match: {address: 'posts.*'}\n    slots: ['10:00']\n"
        "  - name: pins\n    match: {type: pinterest/pin}\n    slots: ['11:00']\n",
    )
    catalog = write("posts.yaml", _tweets(["a"])).parent
    run = cli("validate", catalog)
    assert run.code == 1 and "posts.a: is matched by more than one queue: one, two" in run.err
    assert "queues.pins: warning: matches no entry without publish_at" in run.err


def test_max_per_day_counts_queued_entries_on_their_slots_days(sandbox, cli, write, tmp_path, monkeypatch):
    write(
        "publisher.yaml",
        QUEUE + "policies:\n  - name: cadence\n    schedule: {max_per_day: 2, per: network, time_zone: UTC}\n",
    )
    catalog = write("posts.yaml", _tweets(["a", "b", "c"])).parent
    monkeypatch.setenv("PUBLISHER_NOW", "2027-03-01T08:00:00Z")
    run = cli("plan", catalog)
    assert run.code == 1, run.output  # three slots on Monday 1 March: one more than the policy allows
    assert "policy cadence: 3 resources are scheduled on 2027-03-01" in run.err
    assert cli("apply", catalog, "--auto-approve").code == 1 and sandbox.requests() == []
