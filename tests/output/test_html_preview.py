"""The HTML plan and calendar, opened in a real headless Chromium: cards, counters, escaping,
the network filter; a screenshot of the club example's plan is kept in tests/output/."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from publisher.twitter_text import twitter_length

from conftest import REPO

ROOT = REPO
OUTPUT = ROOT / "tests" / "output"
XSS = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2"> & "quotes"'


@pytest.fixture
def club(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "examples" / "club", tmp_path / "club")
    return tmp_path / "club"


def open_page(browser, html: str, tmp_path: Path, name: str):
    path = tmp_path / name
    path.write_text(html, encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(path.as_uri())
    return page, dialogs


def visible_addresses(page, selector: str) -> list[str]:
    return [card.get_attribute("data-address") for card in page.query_selector_all(selector) if card.is_visible()]


def test_the_club_plan_has_a_card_per_change_and_filters_by_network(browser, cli, club, tmp_path):
    run = cli("plan", club, "--state", tmp_path / "state.json", "--format", "html")
    assert run.code == 0, run.err
    page, dialogs = open_page(browser, run.out, tmp_path, "plan.html")
    plan = json.loads(cli("plan", club, "--state", tmp_path / "state.json", "--format", "json").out)
    changes = [c["address"] for c in plan["changes"] if c["action"] != "no-op"]
    tweets = [c["address"] for c in plan["changes"] if c["type"].startswith("twitter/") and c["action"] != "no-op"]
    assert sorted(visible_addresses(page, "article.card")) == sorted(changes)

    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "plan-club.png"), full_page=True)

    page.click('label[for="show-twitter"]')
    shown = visible_addresses(page, "article.card")
    assert shown and all(page.get_attribute(f'article[data-address="{a}"]', "data-network") == "twitter" for a in shown)
    assert sorted(shown) == sorted(tweets)
    page.click('label[for="show-all"]')
    assert len(visible_addresses(page, "article.card")) == len(changes)
    assert dialogs == []


def test_a_tweet_card_counts_as_twitter_does(browser, cli, club, tmp_path):
    run = cli("plan", club, "--state", tmp_path / "state.json", "--format", "html")
    page, _ = open_page(browser, run.out, tmp_path, "plan.html")
    card = page.query_selector('article[data-address="posts.launch-tweet"]')
    message = card.query_selector(".field-message").inner_text()
    assert int(card.query_selector(".counter .count").inner_text()) == twitter_length(message) == 51
    assert "/ 280" in card.query_selector(".counter").inner_text()


def test_content_is_shown_as_text_never_run(browser, cli, write, tmp_path):
    write(
        "posts.yaml",
        f"""
        posts:
          hostile:
            type: twitter/post
            identity: 7c9e6679-7425-40de-944b-e07fc1f90ae7
            message: '{XSS}'
          page:
            type: facebook/page/post
            identity: 7c9e6679-7425-40de-944b-e07fc1f90ae7
            page_id: "123"
            message: '{XSS}'
            link: "https://example.com/?q=\\"><script>window.pwned=3</script>"
        """,
    )
    run = cli("plan", tmp_path / "catalog", "--state", tmp_path / "state.json", "--format", "html")
    assert run.code == 0, run.err
    page, dialogs = open_page(browser, run.out, tmp_path, "xss.html")
    assert page.evaluate("window.pwned") is None
    assert dialogs == []
    assert page.query_selector('article[data-address="posts.hostile"] .field-message').inner_text() == XSS
    assert page.query_selector_all("script") == []


def test_deletes_and_updates_are_stated_plainly(browser, cli, sandbox, write, tmp_path):
    write("a.yaml", "posts:\n  t:\n    type: twitter/post\n    identity: 7c9e6679-7425-40de-944b-e07fc1f90ae7\n    message: one\n"
          "  u:\n    type: twitter/post\n    identity: 7c9e6679-7425-40de-944b-e07fc1f90ae7\n    message: two\n")  # fmt: skip
    assert cli("apply", tmp_path / "catalog", "--auto-approve").code == 0
    write(
        "a.yaml", "posts:\n  u:\n    type: twitter/post\n    identity: 7c9e6679-7425-40de-944b-e07fc1f90ae7\n    message: three\n"
    )
    run = cli("plan", tmp_path / "catalog", "--format", "html")
    page, _ = open_page(browser, run.out, tmp_path, "changes.html")
    deleted = page.query_selector('article[data-address="posts.t"]')
    assert "will be deleted from the network" in deleted.inner_text()
    replaced = page.query_selector('article[data-address="posts.u"]')
    assert "deleted and published again" in replaced.inner_text()
    assert replaced.query_selector("td.before").inner_text() == '"two"'
    assert replaced.query_selector("td.after").inner_text() == '"three"'


def test_the_calendar_page_shows_each_item_and_filters(browser, cli, club, tmp_path):
    run = cli("calendar", club, "--from", "2027-03-01", "--days", "21", "--format", "html", "--view", "list")
    assert run.code == 0, run.err
    page, dialogs = open_page(browser, run.out, tmp_path, "calendar.html")
    items = visible_addresses(page, "article.item")
    assert items == ["posts.early-bird", "posts.kit-launch.facebook", "posts.kit-launch.linkedin", "posts.kit-launch.twitter",
                     "posts.matchday-sevilla", "posts.early-bird", "posts.matchday-valencia",
                     "posts.matchday-real-sociedad"]  # fmt: skip
    assert [h.inner_text() for h in page.query_selector_all(".day h2")][0] == "Monday 01 March 2027"
    page.click('label[for="show-twitter"]')
    assert len(visible_addresses(page, "article.item")) == 6
    page.screenshot(path=str(OUTPUT / "calendar-club.png"), full_page=True)
    assert dialogs == []


def test_the_variants_of_one_entry_are_shown_side_by_side(browser, cli, club, tmp_path):
    run = cli("plan", club, "--state", tmp_path / "state.json", "--target", "label:kit-launch", "--format", "html")
    assert run.code == 0, run.err
    page, dialogs = open_page(browser, run.out, tmp_path, "variants.html")
    group = page.query_selector('section.variants[data-entry="posts.kit-launch"]')
    cards = group.query_selector_all("article.card")
    assert [c.get_attribute("data-address") for c in cards] == [
        "posts.kit-launch.facebook", "posts.kit-launch.linkedin", "posts.kit-launch.twitter",
    ]  # fmt: skip
    boxes = [c.bounding_box() for c in cards]
    assert len({round(b["y"]) for b in boxes}) == 1 and boxes[0]["x"] < boxes[1]["x"] < boxes[2]["x"]  # one row
    page.screenshot(path=str(OUTPUT / "plan-variants.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 900})
    stacked = [c.bounding_box() for c in cards]
    assert stacked[0]["y"] < stacked[1]["y"] < stacked[2]["y"]  # a phone: one under the other
    assert all(b["x"] + b["width"] <= 390 for b in stacked)
    assert dialogs == []
    markdown = cli("plan", club, "--state", tmp_path / "state.json", "--target", "label:kit-launch", "--format", "markdown").out
    assert "<code>posts.kit-launch</code> (variants)</b>: 3 scheduled" in markdown


def test_plans_say_times_and_accounts_as_people_read_them(browser, cli, club, sandbox, tmp_path):
    """Found by a newcomer: scheduled times in UTC although time_zone is set, identities as
    masked tokens where the calendar shows aliases, a deleted pin without its picture, and a
    field name broken as "descriptio/n"."""
    state = tmp_path / "state.json"
    text = cli("plan", club, "--state", state).out
    assert "scheduled for Sat 06 Mar 2027, 10:00 Europe/Madrid" in text and "2027-03-06T09:00:00Z" not in text
    assert "identity club-twitter" in text and "7c9e…0ae7" not in text
    assert "identity `club-pinterest`" in cli("plan", club, "--state", state, "--format", "markdown").out
    first = cli("plan", club, "--state", state, "--format", "html").out
    assert "board: Stadium <code>(boards.stadium)</code>" in first  # a board by its name
    pins = club / "pinterest.yaml"
    assert cli("apply", club, "--auto-approve", "--state", state, "--target", "pins.*").code == 0
    original = pins.read_text()
    pins.write_text(original.replace("description: Camp Nou at night", "description: Camp Nou at night, from the stands"))
    run = cli("plan", club, "--state", state, "--format", "html", "--target", "pins.*")
    page, _ = open_page(browser, run.out, tmp_path, "people.html")
    page.set_viewport_size({"width": 390, "height": 900})
    field = page.query_selector("table.diff tr:nth-child(2) th")
    assert field.inner_text() == "description"
    lines = field.evaluate(
        "c => { const r = document.createRange(); r.selectNodeContents(c); return r.getClientRects().length; }"
    )
    assert lines == 1  # the name on one line: never "descriptio/n"
    pins.write_text("identities:\n  club-pinterest: 2af20011-8965-471b-8f6b-8b66a611aae6\n")
    gone = cli("plan", club, "--state", state, "--format", "html", "--target", "pins.*", "--allow-deletes", "10")
    page, _ = open_page(browser, gone.out, tmp_path, "gone.html")
    deleted = page.query_selector("article.action-delete")
    assert deleted is not None and deleted.query_selector("figure.picture img") is not None  # what goes, shown


def test_the_calendar_page_filter_leaves_no_empty_day_and_counts_the_network(browser, cli, club, tmp_path):
    run = cli("calendar", club, "--from", "2027-03-01", "--days", "21", "--format", "html", "--view", "list")
    page, _ = open_page(browser, run.out, tmp_path, "calendar.html")
    visible = [s for s in page.query_selector_all(".summary .count") if s.is_visible()]
    assert [s.inner_text() for s in visible] == ["8 items"]
    page.click('label[for="show-linkedin"]')
    assert [s.inner_text() for s in page.query_selector_all(".summary .count") if s.is_visible()] == ["1 item"]
    days = [d.query_selector("h2").inner_text() for d in page.query_selector_all(".day") if d.is_visible()]
    assert days == ["Saturday 06 March 2027"]
