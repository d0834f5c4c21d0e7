"""`make demo` as a newcomer runs it: it ends with pages and a calendar that are what their
names say. Found: the HTML plan began with the demo's own `$ publisher plan` line, so Chromium
rendered it in quirks mode with its security policy ignored."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO

OUTPUT = REPO / "tests" / "output"


def test_the_demo_leaves_valid_pages_and_a_calendar_that_reads_back(browser, tmp_path):
    # As CI runs it (CI=true): found, the demo's own applies were refused a throwaway state.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", "CI": "true"}
    done = subprocess.run(["bash", str(REPO / "scripts" / "demo.sh")], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    built = REPO / "build" / "demo"
    for name in ("plan-club.html", "calendar-club.html"):
        assert (built / name).read_text(encoding="utf-8").startswith("<!doctype html>"), name

    import icalendar

    calendar = icalendar.Calendar.from_ical((built / "calendar-club.ics").read_bytes())
    assert [event for event in calendar.walk("VEVENT")]

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto((built / "plan-club.html").as_uri())
    assert page.evaluate("document.compatMode") == "CSS1Compat"  # standards mode, not quirks
    assert page.query_selector('head meta[http-equiv="Content-Security-Policy"]') is not None
    cards = page.query_selector_all("article.card")
    assert cards
    # No card overflows into the next: each one's box ends before the next one's starts.
    boxes = [card.bounding_box() for card in cards]
    for box in boxes:
        assert box is not None and box["width"] > 0
    for card in cards:
        overflowing = card.evaluate("c => c.scrollHeight > c.clientHeight + 1 || c.scrollWidth > c.clientWidth + 1")
        assert not overflowing, card.get_attribute("data-address")
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "demo-plan-club.png"), full_page=True)
