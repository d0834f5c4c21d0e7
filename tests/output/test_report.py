"""Plan renderings: JSON against its schema, markdown for PR comments (capped), text."""

from __future__ import annotations

import json
import re

import jsonschema

from publisher.loading import schema
from publisher.model import Action, Change, Plan
from publisher.output.markdown import MARKER, plan_markdown
from publisher.output.text import plan_text
from publisher.planning.plan_document import plan_to_json

from conftest import CAMP_NOU, HELLO_TWEET, PIN_TOKEN, STADIUM

CATALOG = (
    STADIUM
    + CAMP_NOU.replace("Camp Nou at night", '"Camp Nou <b>at night</b> with @everyone | #1"')
    + HELLO_TWEET.replace("message: Hello", "message: Hello https://www.fcbarcelona.com/")
)


def test_json_plan_follows_its_schema(cli, write, tmp_path):
    write("c.yaml", CATALOG)
    run = cli("plan", tmp_path / "catalog", "--format", "json")
    assert run.code == 0, run.output
    document = json.loads(run.out)
    jsonschema.Draft7Validator(schema.load_schema("plan.schema.json")).validate(document)
    pin = next(c for c in document["changes"] if c["address"] == "pins.camp-nou")
    assert pin["action"] == "create"
    assert pin["after"]["board_id"] == {"$unknown": True}
    assert pin["identity"] == "2af2…aae6"
    assert document["summary"]["create"] == 3


def test_markdown_is_a_sticky_comment_with_inert_previews(cli, write, tmp_path):
    write("c.yaml", CATALOG)
    run = cli("plan", tmp_path / "catalog", "--format", "markdown")
    assert run.code == 0
    lines = run.out.splitlines()
    assert lines[0] == MARKER
    assert "**Plan: 3 to create, 0 to update" in run.out
    assert "<details><summary><b>Pinterest</b>: 2 create</summary>" in run.out
    assert "<details><summary><b>Twitter</b>: 1 create</summary>" in run.out
    assert "<b>at night</b>" not in run.out  # user text is not HTML
    assert "@everyone" not in run.out  # and pings nobody
    assert "\\<b\\>at night\\</b\\>" in run.out
    assert "29/280 as Twitter counts" in run.out  # "Hello " (6) + a link counted as 23


def test_the_markdown_plan_names_the_board_a_pin_goes_to(sandbox, cli, write, tmp_path):
    write("c.yaml", STADIUM.replace("name: Stadium", 'name: "Sta*dium* <i>@everyone</i>"') + CAMP_NOU)
    run = cli("plan", tmp_path / "catalog", "--format", "markdown")
    assert run.code == 0, run.output
    assert "> board: Sta\\*dium\\* \\<i\\>@&#8203;everyone\\</i\\> (`boards.stadium`)" in run.out  # inert, like all user text

    # The board exists and only the pin changes: the comment still says which board it goes on.
    write("c.yaml", STADIUM + CAMP_NOU)
    assert cli("apply", tmp_path / "catalog", "--auto-approve", "--target", "boards.stadium").code == 0
    run = cli("plan", tmp_path / "catalog", "--format", "markdown")
    assert "**Plan: 1 to create, 0 to update" in run.out
    assert "> board: Stadium (`boards.stadium`)" in run.out


def _big_plan(count: int) -> Plan:
    changes = [
        Change(
            f"posts.tweet-{i:05d}", "twitter/post", Action.CREATE, PIN_TOKEN, after={"message": f"Tweet number {i} " + "x" * 80}
        )
        for i in range(count)
    ]
    return Plan("lineage", 0, changes)


def test_a_5000_change_plan_is_cut_under_the_cap_with_the_summary_kept():
    text = plan_markdown(_big_plan(5000))
    assert len(text) < 65_000
    assert text.startswith(MARKER)
    assert "**Plan: 5000 to create, 0 to update, 0 to replace, 0 to delete, 0 to forget, 0 unchanged.**" in text
    shown = len(re.findall(r"\*\*`\+ posts\.tweet-", text))
    assert 0 < shown < 5000
    assert f"**{5000 - shown} of 5000 changes are not shown**" in text
    assert text.count("<details>") == text.count("</details>")


def test_small_plans_are_not_cut():
    text = plan_markdown(_big_plan(10))
    assert "not shown" not in text
    assert len(re.findall(r"\*\*`\+ posts\.tweet-", text)) == 10


def test_text_has_no_colour_off_a_terminal(cli, write, tmp_path):
    write("c.yaml", CATALOG)
    run = cli("plan", tmp_path / "catalog")
    assert "\x1b[" not in run.out
    assert "+ pins.camp-nou" in run.out


def test_colour_on_a_terminal_unless_no_color():
    plan = _big_plan(1)
    assert "\x1b[" in plan_text(plan, color=True)
    assert "\x1b[" not in plan_text(plan, color=False)


def test_plan_appends_to_the_github_step_summary(cli, write, tmp_path, monkeypatch):
    write("c.yaml", CATALOG)
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert cli("plan", tmp_path / "catalog").code == 0
    text = summary.read_text()
    assert text.startswith("earlier step\n" + MARKER)


def test_json_of_a_plan_in_memory_masks_tokens():
    document = plan_to_json(_big_plan(2))
    assert PIN_TOKEN not in json.dumps(document)


SECTION = f"""
identities:
  club: {PIN_TOKEN}
posts:
  section:
    type: youtube/channel/section
    identity: club
    section_type: recentUploads
    style: horizontalRow
  page:
    type: facebook/page/post
    identity: club
    page_id: "777"
    message: Hello fans
"""


def test_plans_name_fields_as_the_manifest_does(sandbox, cli, write, tmp_path):
    path = write("c.yaml", SECTION)
    assert cli("apply", tmp_path / "catalog", "--auto-approve").code == 0
    path.write_text(SECTION.replace("recentUploads", "popularUploads").replace('"777"', '"778"'))

    text = cli("plan", tmp_path / "catalog").out
    assert 'section_type : "recentUploads" -> "popularUploads"' in text
    assert "the API can update section_type" in text
    assert "type changed" not in text  # a field, not the resource's type
    assert 'page_id : "777" -> "778"   # forces replacement' in text
    assert "page_id cannot be updated" in text
    markdown = cli("plan", tmp_path / "catalog", "--format", "markdown").out
    assert '| section_type | "recentUploads" | "popularUploads" |' in markdown
    assert '| page_id ⚠ forces replacement | "777" | "778" |' in markdown
    # JSON says what is sent: its keys are the API's, like its before and after.
    changes = {c["address"]: c for c in json.loads(cli("plan", tmp_path / "catalog", "--format", "json").out)["changes"]}
    assert changes["posts.section"]["changed"] == ["type"] and changes["posts.section"]["after"]["type"] == "popularUploads"
    assert changes["posts.page"]["changed"] == ["id"] and changes["posts.page"]["after"]["id"] == "778"
