"""End to end: `publisher apply` against the sandbox over loopback, checked by what the API saw."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import PIN_TOKEN, TWEET_TOKEN

CATALOG = f"""
identities:
  club-pinterest: {PIN_TOKEN}
  club-twitter: {TWEET_TOKEN}
boards:
  stadium:
    identity: club-pinterest
    name: Stadium
    description: Photo of the stadium
    privacy: PUBLIC
pins:
  camp-nou:
    identity: club-pinterest
    board: {{ref: boards.stadium}}
    description: Camp Nou at night
    link: https://www.fcbarcelona.com/
    picture: https://cdn.example.com/camp-nou.jpg
posts:
  launch:
    type: twitter/post
    identity: club-twitter
    message: Season tickets are on sale
"""


def _state(tmp_path: Path) -> dict:
    return json.loads((tmp_path / "catalog" / "publisher.state.json").read_text())


def test_board_and_pin_are_created_with_the_seed_paths_and_bodies(sandbox, cli, write, tmp_path):
    write("catalog.yaml", CATALOG)
    run = cli("apply", tmp_path / "catalog", "--auto-approve")
    assert run.code == 0, run.output

    sent = sandbox.requests()
    board_call = next(r for r in sent if r["path"].endswith("/pinterest/board.json"))
    assert board_call["method"] == "POST"
    assert board_call["path"] == f"/push/identities/{PIN_TOKEN}/pinterest/board.json"
    assert board_call["body"] == {
        "request": {"push": {"board": {"name": "Stadium", "description": "Photo of the stadium", "privacy": "PUBLIC"}}}
    }
    board_id = _state(tmp_path)["resources"]["boards.stadium"]["id"]
    pin_call = next(r for r in sent if r["path"].endswith("/pin.json"))
    assert sent.index(pin_call) > sent.index(board_call)
    assert pin_call["path"] == f"/push/identities/{PIN_TOKEN}/pinterest/board/{board_id}/pin.json"
    assert pin_call["body"] == {
        "request": {
            "push": {
                "pin": {
                    "description": "Camp Nou at night",
                    "link": "https://www.fcbarcelona.com/",
                    "picture": "https://cdn.example.com/camp-nou.jpg",
                }
            }
        }
    }
    assert sorted(o["object"] for o in sandbox.objects()) == ["board", "pin", "post"]


def test_second_apply_sends_no_request(sandbox, cli, write, tmp_path):
    write("catalog.yaml", CATALOG)
    assert cli("apply", tmp_path / "catalog", "--auto-approve").code == 0
    serial = _state(tmp_path)["serial"]
    sandbox.clear()

    run = cli("apply", tmp_path / "catalog", "--auto-approve")

    assert run.code == 0, run.output
    assert "No changes" in run.out
    assert sandbox.requests() == []
    assert _state(tmp_path)["serial"] == serial


def test_changing_a_pin_description_sends_one_put_with_the_update_envelope(sandbox, cli, write, tmp_path):
    path = write("catalog.yaml", CATALOG)
    assert cli("apply", tmp_path / "catalog", "--auto-approve").code == 0
    pin_id = _state(tmp_path)["resources"]["pins.camp-nou"]["id"]
    path.write_text(path.read_text().replace("Camp Nou at night", "Camp Nou by night"))
    sandbox.clear()

    plan = cli("plan", tmp_path / "catalog")
    assert "~ pins.camp-nou" in plan.out
    assert '"Camp Nou at night" -> "Camp Nou by night"' in plan.out
    run = cli("apply", tmp_path / "catalog", "--auto-approve")

    assert run.code == 0, run.output
    assert sandbox.requests() == [
        {
            "method": "PUT",
            "path": f"/update/identities/{PIN_TOKEN}/pinterest/pin/{pin_id}.json",
            "body": {"request": {"update": {"pin": {"description": "Camp Nou by night"}}}},
            "status": 200,
        }
    ]
    pin = next(o for o in sandbox.objects() if o["object"] == "pin")
    assert pin["description"] == "Camp Nou by night"
    assert _state(tmp_path)["resources"]["pins.camp-nou"]["inputs"]["description"] == "Camp Nou by night"
    assert cli("plan", tmp_path / "catalog").out.startswith("No changes")


def test_changing_a_tweet_deletes_and_reposts_it(sandbox, cli, write, tmp_path):
    path = write("catalog.yaml", CATALOG)
    assert cli("apply", tmp_path / "catalog", "--auto-approve").code == 0
    old_id = _state(tmp_path)["resources"]["posts.launch"]["id"]
    path.write_text(path.read_text().replace("Season tickets are on sale", "Season tickets, last days"))
    sandbox.clear()

    plan = cli("plan", tmp_path / "catalog")
    assert "-/+ posts.launch" in plan.out
    assert "forces replacement" in plan.out
    run = cli("apply", tmp_path / "catalog", "--auto-approve")

    assert run.code == 0, run.output
    sent = [(r["method"], r["path"], r["body"]) for r in sandbox.requests()]
    assert sent == [
        ("DELETE", f"/update/identities/{TWEET_TOKEN}/twitter/post/{old_id}.json", None),
        (
            "POST",
            f"/push/identities/{TWEET_TOKEN}/twitter/post.json",
            {"request": {"push": {"post": {"message": "Season tickets, last days"}}}},
        ),
    ]
    tweets = [o for o in sandbox.objects() if o["object"] == "post"]
    assert [t["message"] for t in tweets] == ["Season tickets, last days"]
    assert _state(tmp_path)["resources"]["posts.launch"]["id"] == tweets[0]["id"]


def test_removing_a_pin_from_the_manifest_deletes_it(sandbox, cli, write, tmp_path):
    path = write("catalog.yaml", CATALOG)
    assert cli("apply", tmp_path / "catalog", "--auto-approve").code == 0
    pin_id = _state(tmp_path)["resources"]["pins.camp-nou"]["id"]
    text = path.read_text()
    path.write_text(text[: text.index("pins:")] + text[text.index("posts:") :])
    sandbox.clear()

    run = cli("apply", tmp_path / "catalog", "--auto-approve")

    assert run.code == 0, run.output
    assert [(r["method"], r["path"]) for r in sandbox.requests()] == [
        ("DELETE", f"/update/identities/{PIN_TOKEN}/pinterest/pin/{pin_id}.json")
    ]
    assert "pins.camp-nou" not in _state(tmp_path)["resources"]
    assert not [o for o in sandbox.objects() if o["object"] == "pin"]


def test_removing_a_board_forgets_it_and_leaves_it_on_pinterest(sandbox, cli, write, tmp_path):
    path = write("catalog.yaml", CATALOG)
    assert cli("apply", tmp_path / "catalog", "--auto-approve").code == 0
    path.write_text(CATALOG[: CATALOG.index("boards:")] + CATALOG[CATALOG.index("posts:") :])
    sandbox.clear()

    plan = cli("plan", tmp_path / "catalog")
    assert "forget boards.stadium" in plan.out
    assert "stays on Pinterest: the API cannot delete it" in plan.out
    run = cli("apply", tmp_path / "catalog", "--auto-approve")

    assert run.code == 0, run.output
    assert [r["method"] for r in sandbox.requests()] == ["DELETE"]  # the pin only
    assert set(_state(tmp_path)["resources"]) == {"posts.launch"}
    assert sorted(o["object"] for o in sandbox.objects()) == ["board", "post"]


def test_changing_a_board_is_blocked_and_sends_nothing(sandbox, cli, write, tmp_path):
    path = write("catalog.yaml", CATALOG)
    assert cli("apply", tmp_path / "catalog", "--auto-approve").code == 0
    before = (tmp_path / "catalog" / "publisher.state.json").read_text()
    path.write_text(path.read_text().replace("privacy: PUBLIC", "privacy: SECRET"))
    sandbox.clear()

    run = cli("apply", tmp_path / "catalog", "--auto-approve")

    assert run.code == 1
    assert "! boards.stadium" in run.out
    assert "cannot update nor delete" in run.out or "can neither update nor delete" in run.out
    assert "on_immutable_change: recreate" in run.out
    assert sandbox.requests() == []
    assert (tmp_path / "catalog" / "publisher.state.json").read_text() == before


def test_recreate_posts_a_new_board_and_moves_its_pins(sandbox, cli, write, tmp_path):
    path = write(
        "catalog.yaml", CATALOG.replace("privacy: PUBLIC", "privacy: PUBLIC\n    lifecycle: {on_immutable_change: recreate}")
    )
    assert cli("apply", tmp_path / "catalog", "--auto-approve").code == 0
    old = _state(tmp_path)["resources"]
    path.write_text(path.read_text().replace("name: Stadium", "name: Arena"))
    sandbox.clear()

    plan = cli("plan", tmp_path / "catalog")
    assert "recreate posts a new one and leaves the old one on Pinterest" in plan.out
    assert "-/+ pins.camp-nou" in plan.out  # its board id changes
    assert cli("apply", tmp_path / "catalog", "--auto-approve").code == 0

    new = _state(tmp_path)["resources"]
    sent = [(r["method"], r["path"].rsplit("/", 2)[-2:]) for r in sandbox.requests()]
    delete_pin = ("DELETE", ["pin", f"{old['pins.camp-nou']['id']}.json"])
    post_board = ("POST", ["pinterest", "board.json"])
    post_pin = ("POST", [new["boards.stadium"]["id"], "pin.json"])
    assert sorted(sent) == sorted([delete_pin, post_board, post_pin])
    # The new pin needs the new board's id, and replaces the old pin.
    assert sent.index(post_pin) > max(sent.index(delete_pin), sent.index(post_board))
    boards = sorted(o["name"] for o in sandbox.objects() if o["object"] == "board")
    assert boards == ["Arena", "Stadium"]  # the old board stays: the API cannot delete it
    assert cli("plan", tmp_path / "catalog", "--detailed-exitcode").code == 0


def test_changing_a_posts_type_deletes_what_can_be_deleted_and_keeps_the_rest(sandbox, cli, write, tmp_path):
    tweet = f"posts:\n  news:\n    type: twitter/post\n    identity: {TWEET_TOKEN}\n    message: News\n"
    linkedin = f"posts:\n  news:\n    type: linkedin/post\n    identity: {TWEET_TOKEN}\n    link: https://club.example.com/\n"
    path = write("c.yaml", tweet)
    assert cli("apply", tmp_path / "catalog", "--auto-approve").code == 0
    path.write_text(linkedin)
    assert cli("apply", tmp_path / "catalog", "--auto-approve").code == 0
    assert [o["network"] for o in sandbox.objects()] == ["linkedin"]  # the tweet was deleted

    path.write_text(tweet)
    run = cli("apply", tmp_path / "catalog", "--auto-approve")
    assert run.code == 0, run.output
    assert "the old one stays on LinkedIn: the API cannot delete it" in run.out
    assert sorted(o["network"] for o in sandbox.objects()) == ["linkedin", "twitter"]
    assert _state(tmp_path)["resources"]["posts.news"]["type"] == "twitter/post"
    assert cli("plan", tmp_path / "catalog", "--detailed-exitcode").code == 0
