"""Apply results for people and programs, and pictures in the pull-request comment."""

from __future__ import annotations

import json

from conftest import CAMP_NOU, HELLO_TWEET, PIN_TOKEN, STADIUM


def test_apply_json_has_one_record_per_address_with_id_url_and_error(sandbox, cli, write, tmp_path):
    write("a.yaml", STADIUM + CAMP_NOU + HELLO_TWEET.replace("posts:", "posts:", 1))
    sandbox.fault(status=400, info="Twitter refused the text", count=1, path_contains="twitter")
    run = cli("apply", tmp_path / "catalog", "--auto-approve", "--format", "json")
    assert run.code == 1
    report = json.loads(run.out)  # standard output is the JSON document only
    assert report["ok"] is False
    records = {r["address"]: r for r in report["resources"]}
    assert set(records) == {"boards.stadium", "pins.camp-nou", "posts.hello"}
    pin = records["pins.camp-nou"]
    assert pin["action"] == "create" and pin["outcome"] == "done" and pin["error"] is None
    assert pin["url"] == f"https://www.pinterest.com/pin/{pin['id']}/"
    tweet = records["posts.hello"]
    assert tweet["outcome"] == "failed" and "Twitter refused the text" in tweet["error"] and tweet["id"] is None
    assert "publisher will perform these actions" in run.err  # the plan, for the log

    again = json.loads(cli("apply", tmp_path / "catalog", "--auto-approve", "--format", "json").out)
    assert [(r["address"], r["outcome"]) for r in again["resources"]] == [("posts.hello", "done")]
    assert again["resources"][0]["url"].startswith("https://twitter.com/i/web/status/")
    nothing = cli("apply", tmp_path / "catalog", "--auto-approve", "--format", "json")
    assert nothing.code == 0 and json.loads(nothing.out) == {"format_version": 1, "ok": True, "aborted": None, "resources": []}


def test_the_text_summary_lists_what_was_just_published(sandbox, cli, write, tmp_path):
    write("a.yaml", STADIUM + CAMP_NOU)
    run = cli("apply", tmp_path / "catalog", "--auto-approve")
    assert run.code == 0, run.err
    published = run.out.split("Published:\n", 1)[1].splitlines()
    board_url = next(o for o in sandbox.objects() if "name" in o)["location"]
    assert published[0] == f"  boards.stadium  {board_url}"
    assert published[1].startswith("  pins.camp-nou  https://www.pinterest.com/pin/")


def test_the_markdown_plan_shows_a_thumbnail_of_each_picture(cli, write, tmp_path):
    write("a.yaml", STADIUM + CAMP_NOU.replace("camp-nou.jpg", 'camp-nou.jpg?a="b"&c=<d>'))
    run = cli("plan", tmp_path / "catalog", "--state", tmp_path / "s.json", "--format", "markdown")
    assert '<img src="https://cdn.example.com/camp-nou.jpg?a=&quot;b&quot;&amp;c=&lt;d&gt;" width="120" ' in run.out
    assert 'alt="picture of pins.camp-nou">' in run.out
    assert run.out.count("<img") == 1  # the board has no picture


def test_a_saved_plan_shows_as_html_in_the_catalogs_time_zone(cli, write, tmp_path):
    write("publisher.yaml", f"identities:\n  club: {PIN_TOKEN}\ntime_zone: America/New_York\n")
    write("a.yaml", STADIUM.replace("identities:\n  club: " + PIN_TOKEN + "\n", "") + "    publish_at: 2027-07-04T16:00:00Z\n")
    saved = tmp_path / "plan.json"
    assert cli("plan", tmp_path / "catalog", "--state", tmp_path / "s.json", "--out", saved).code == 0
    page = cli("show", saved, "--format", "html").out
    assert page.startswith("<!doctype html>") and 'data-address="boards.stadium"' in page
    live = cli("plan", tmp_path / "catalog", "--state", tmp_path / "s.json", "--format", "html").out
    assert "Publishes Sun 04 Jul 2027, 12:00 America/New_York" in live
