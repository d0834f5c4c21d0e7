"""The calendar as month and week grids, opened in headless Chromium at 1280 px and at 390 px
(a phone): every item on its day, chips in network colours, the filter, "+N more", nothing
overflowing its cell. Screenshots are kept in tests/output/."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import REPO

OUTPUT = REPO / "tests" / "output"
COLOURS = {"twitter": "rgb(29, 155, 240)", "facebook": "rgb(24, 119, 242)", "linkedin": "rgb(10, 102, 194)"}


@pytest.fixture
def club(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "examples" / "club", tmp_path / "club")
    return tmp_path / "club"


def _open(browser, cli, club, tmp_path, *view: str, width: int = 1280):
    run = cli("calendar", club, "--from", "2027-03-01", "--format", "html", *view)
    assert run.code == 0, run.err
    assert run.out.startswith("<!doctype html>") and "<script" not in run.out
    path = tmp_path / "calendar.html"
    path.write_text(run.out, encoding="utf-8")
    page = browser.new_page(viewport={"width": width, "height": 900})
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(path.as_uri())
    return page, dialogs


def _march(cli, club) -> list[dict]:
    return json.loads(cli("calendar", club, "--from", "2027-03-01", "--days", "31", "--format", "json").out)["items"]


def _inside(page, chip_selector: str, box_selector: str) -> None:
    """Every visible chip lies within the cell that holds it."""
    for chip in page.query_selector_all(chip_selector):
        if not chip.is_visible():
            continue
        cell = chip.evaluate_handle(f"c => c.closest('{box_selector}')").as_element()
        inner, outer = chip.bounding_box(), cell.bounding_box()
        assert outer["x"] - 0.5 <= inner["x"] and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 0.5, (
            chip.get_attribute("data-address")
        )


@pytest.mark.parametrize("width", [1280, 390])
def test_the_month_grid_puts_every_item_on_its_day(width, browser, cli, club, tmp_path):
    page, dialogs = _open(browser, cli, club, tmp_path, width=width)
    items = _march(cli, club)
    cells = page.query_selector_all(".month .cell")
    assert len(cells) == 35  # five weeks, Monday first: 1 March 2027 is a Monday
    assert [d.inner_text() for d in page.query_selector_all(".month .dow")] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    found = sorted(
        (chip.evaluate("c => c.closest('.cell').dataset.date"), chip.get_attribute("data-address"))
        for chip in page.query_selector_all(".month .chip")
    )
    assert found == sorted((item["date"], item["address"]) for item in items)
    for chip in page.query_selector_all(".month .chip"):  # each in its network's colour
        colour = chip.evaluate("c => getComputedStyle(c).borderLeftColor")
        assert colour == COLOURS[chip.get_attribute("data-network")]
    saturday = page.query_selector('.cell[data-date="2027-03-06"]')
    assert len(saturday.query_selector_all(":scope > ul > .chip")) == 3
    assert saturday.query_selector(".more summary").inner_text() == "+1 more"
    saturday.query_selector(".more summary").click()  # opens the rest
    _inside(page, ".month .chip", ".cell")
    name = "calendar-month.png" if width == 1280 else "calendar-month-phone.png"
    page.screenshot(path=str(OUTPUT / name), full_page=True)
    page.click('label[for="show-linkedin"]')
    shown = [c.get_attribute("data-address") for c in page.query_selector_all(".month .chip") if c.is_visible()]
    assert shown == ["posts.kit-launch.linkedin"]
    assert dialogs == []


def test_the_week_grid_puts_every_item_at_its_hour(browser, cli, club, tmp_path):
    page, dialogs = _open(browser, cli, club, tmp_path, "--view", "week", "--days", "14")
    items = [i for i in _march(cli, club) if i["date"] < "2027-03-15"]
    assert [h.inner_text() for h in page.query_selector_all(".week h2")] == ["Week of 01 March 2027", "Week of 08 March 2027"]
    found = sorted(
        (chip.evaluate("c => c.closest('.slot').dataset.date"), int(chip.evaluate("c => c.closest('.slot').dataset.hour")),
         chip.get_attribute("data-address"))
        for chip in page.query_selector_all(".week .chip")
    )  # fmt: skip
    assert found == sorted((i["date"], int(i["time"][11:13]), i["address"]) for i in items)
    _inside(page, ".week .chip", ".slot")
    page.screenshot(path=str(OUTPUT / "calendar-week.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 900})
    _inside(page, ".week .chip", ".slot")
    assert dialogs == []


def test_the_grids_print_without_the_filter(browser, cli, club, tmp_path):
    page, _ = _open(browser, cli, club, tmp_path)
    page.emulate_media(media="print")
    assert not page.query_selector(".filters").is_visible()
    assert page.query_selector(".month").is_visible()


def test_the_text_calendar_has_a_compact_month(cli, club):
    run = cli("calendar", club, "--from", "2027-03-01", "--view", "month")
    assert run.code == 0
    lines = run.out.splitlines()
    assert lines[2].split() == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert lines[3].split()[:2] == ["1", "·1"] and "6 ·4" in lines[3]  # Saturday: the launch and a matchday
    assert cli("calendar", club, "--view", "week").code == 1  # a page only
    assert cli("calendar", club, "--view", "month", "--format", "ics").code == 1
