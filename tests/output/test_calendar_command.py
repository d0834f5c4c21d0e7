"""`publisher calendar`: what a catalog schedules, by day, in its time zone; ICS for calendar apps."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import icalendar
import pytest

from conftest import REPO, TWEET_TOKEN

ROOT = REPO


@pytest.fixture
def club(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "examples" / "club", tmp_path / "club")
    return tmp_path / "club"


def test_the_calendar_lists_scheduled_and_expiring_items_by_day_with_what_for_each_makes(cli, club):
    run = cli("calendar", club, "--from", "2027-03-01", "--days", "21")
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert lines[0] == "Calendar from 2027-03-01 to 2027-03-21 (Europe/Madrid): 8 items"  # the kit launch: 3 networks
    assert "Sat 06 Mar 2027" in lines
    assert any("10:00  publish" in line and "posts.matchday-sevilla" in line and "club-twitter" in line for line in lines)
    assert any("00:00  delete (expire_at) posts.early-bird" in line for line in lines)


def test_the_window_is_days_from_the_first_day(cli, club):
    data = json.loads(cli("calendar", club, "--from", "2027-03-06", "--days", "7", "--format", "json").out)
    assert data["time_zone"] == "Europe/Madrid" and data["from"] == "2027-03-06" and data["days"] == 7
    assert [(i["kind"], i["address"]) for i in data["items"]] == [
        ("publish", "posts.kit-launch.facebook"),
        ("publish", "posts.kit-launch.linkedin"),
        ("publish", "posts.kit-launch.twitter"),
        ("publish", "posts.matchday-sevilla"),
        ("expire", "posts.early-bird"),
    ]
    assert data["items"][3]["time"] == "2027-03-06T10:00:00+01:00" and data["items"][3]["utc"] == "2027-03-06T09:00:00Z"
    nothing = cli("calendar", club, "--from", "2030-01-01", "--days", "3")
    assert "Nothing is scheduled or expires in these days." in nothing.out


def test_ics_parses_with_one_event_per_item_stable_ids_and_utc_times(cli, club):
    first = cli("calendar", club, "--from", "2027-03-01", "--days", "21", "--format", "ics").out
    again = cli("calendar", club, "--from", "2027-02-01", "--days", "60", "--format", "ics").out
    assert "\r\n" in first and all(len(line.encode()) <= 75 for line in first.split("\r\n"))
    calendar = icalendar.Calendar.from_ical(first)
    events = calendar.walk("VEVENT")
    assert len(events) == 8
    starts = {str(e["UID"]): e.decoded("DTSTART") for e in events}
    assert starts["publish.posts.matchday-sevilla@content-catalog-publisher"] == dt.datetime(2027, 3, 6, 9, 0, tzinfo=dt.UTC)
    assert starts["expire.posts.early-bird@content-catalog-publisher"] == dt.datetime(2027, 3, 7, 23, 0, tzinfo=dt.UTC)
    assert all(start.utcoffset() == dt.timedelta(0) for start in starts.values())
    summaries = {str(e["UID"]): str(e["SUMMARY"]) for e in events}
    assert summaries["publish.posts.early-bird@content-catalog-publisher"].startswith(
        "Publish Twitter: Early-bird season tickets"
    )
    later = {str(e["UID"]) for e in icalendar.Calendar.from_ical(again).walk("VEVENT")}
    assert set(starts) <= later  # the same ids in another export: calendar apps update, never duplicate


def test_ics_escapes_text_that_would_break_its_lines(cli, write, tmp_path):
    message = "One; two, three\\\\ four\\nBEGIN:VEVENT"
    write("publisher.yaml", "time_zone: UTC\n")
    write("t.yaml", f'posts:\n  t:\n    type: twitter/post\n    identity: {TWEET_TOKEN}\n    message: "{message}"\n'
                    "    publish_at: 2027-01-01T10:00:00Z\n")  # fmt: skip
    out = cli("calendar", tmp_path / "catalog", "--from", "2027-01-01", "--format", "ics").out
    events = icalendar.Calendar.from_ical(out).walk("VEVENT")
    assert len(events) == 1
    assert str(events[0]["SUMMARY"]) == "Publish Twitter: One; two, three\\ four BEGIN:VEVENT"


def test_bad_calendar_options_are_errors(cli, club, write, tmp_path):
    assert "Invalid value for '--from'" in cli("calendar", club, "--from", "March 1st").err
    assert cli("calendar", club, "--days", "0").code == 1
    write("publisher.yaml", "time_zone: Europe/Madird\n")
    run = cli("calendar", tmp_path / "catalog")
    assert run.code == 1 and "publisher.yaml:1:1: time_zone: unknown time zone 'Europe/Madird'" in run.err


def test_items_already_published_say_so_with_their_link(sandbox, cli, write, tmp_path, monkeypatch):
    write("publisher.yaml", "time_zone: UTC\n")
    write("t.yaml", f"posts:\n  t:\n    type: twitter/post\n    identity: {TWEET_TOKEN}\n    message: Kick-off\n"
                    "    publish_at: 2026-12-01T10:00:00Z\n")  # fmt: skip
    catalog = tmp_path / "catalog"
    before = cli("calendar", catalog, "--from", "2026-12-01", "--days", "1")
    assert "publish" in before.out and "published" not in before.out
    assert cli("apply", catalog, "--auto-approve").code == 0  # its time has come (it is 3 Dec)
    text = cli("calendar", catalog, "--from", "2026-12-01", "--days", "1").out
    assert "published" in text and "https://twitter.com/i/web/status/" in text
    data = json.loads(cli("calendar", catalog, "--from", "2026-12-01", "--days", "1", "--format", "json").out)
    assert data["items"][0]["published"] is True and data["items"][0]["url"].startswith("https://")
    page = cli("calendar", catalog, "--from", "2026-12-01", "--days", "1", "--format", "html", "--view", "list").out
    assert 'Published (<a href="https://twitter.com/i/web/status/' in page
    (catalog / "publisher.state.json").write_text("not json")
    broken = cli("calendar", catalog, "--from", "2026-12-01", "--days", "1")
    assert broken.code == 0 and "the state could not be read" in broken.err
