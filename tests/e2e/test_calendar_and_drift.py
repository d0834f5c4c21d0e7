"""Content calendar, import, drift (--refresh) and renames, end to end against the sandbox."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import CAMP_NOU, PIN_TOKEN, STADIUM

BOARD, PIN = STADIUM, CAMP_NOU


def _state(catalog: Path) -> dict:
    return json.loads((catalog / "publisher.state.json").read_text())["resources"]


def test_a_scheduled_post_waits_for_its_time(sandbox, cli, write, tmp_path, monkeypatch):
    write(
        "c.yaml",
        BOARD
        + """
posts:
  launch:
    type: twitter/post
    identity: club
    message: Season tickets are on sale
    publish_at: 2026-12-01T09:00:00+01:00
""",
    )
    catalog = tmp_path / "catalog"
    monkeypatch.setenv("PUBLISHER_NOW", "2026-12-01T07:59:00Z")
    plan = cli("plan", catalog)
    assert "Scheduled, not published yet:" in plan.out
    assert "posts.launch  (twitter/post): scheduled for Tue 01 Dec 2026, 08:00 UTC" in plan.out  # the catalog's zone
    assert "1 scheduled." in plan.out
    assert cli("apply", catalog, "--auto-approve").code == 0
    assert [o["object"] for o in sandbox.objects()] == ["board"]
    assert "posts.launch" not in _state(catalog)

    monkeypatch.setenv("PUBLISHER_NOW", "2026-12-01T08:00:00Z")
    assert cli("apply", catalog, "--auto-approve").code == 0
    assert sorted(o["object"] for o in sandbox.objects()) == ["board", "post"]
    assert _state(catalog)["posts.launch"]["status"] == "created"


def test_what_depends_on_a_scheduled_entry_waits_too(sandbox, cli, write, tmp_path, monkeypatch):
    write("c.yaml", BOARD.replace("name: Stadium", "name: Stadium\n    publish_at: 2030-01-01T00:00:00Z") + PIN)
    plan = cli("plan", tmp_path / "catalog")
    assert "pins.camp-nou  (pinterest/pin): waits for boards.stadium, scheduled for 2030-01-01T00:00:00Z" in plan.out
    assert "No changes due now" in plan.out


def test_an_expired_pin_is_deleted_and_an_unpublished_one_never_posted(sandbox, cli, write, tmp_path, monkeypatch):
    write("c.yaml", BOARD + PIN.replace("picture:", "expire_at: 2026-12-31T23:00:00Z\n    picture:"))
    catalog = tmp_path / "catalog"
    monkeypatch.setenv("PUBLISHER_NOW", "2026-12-30T00:00:00Z")
    assert cli("apply", catalog, "--auto-approve").code == 0
    pin_id = _state(catalog)["pins.camp-nou"]["id"]
    sandbox.clear()

    monkeypatch.setenv("PUBLISHER_NOW", "2027-01-01T00:00:00Z")
    plan = cli("plan", catalog)
    assert "- pins.camp-nou" in plan.out and "expired at 2026-12-31T23:00:00Z" in plan.out
    assert cli("apply", catalog, "--auto-approve").code == 0
    assert [(r["method"], r["path"]) for r in sandbox.requests()] == [
        ("DELETE", f"/update/identities/{PIN_TOKEN}/pinterest/pin/{pin_id}.json")
    ]
    assert "pins.camp-nou" not in _state(catalog)
    # Expired and gone: it is not posted again.
    again = cli("plan", catalog)
    assert "Expired, never published:" in again.out and "No changes due now" in again.out


def test_an_imported_pin_is_no_op_on_the_next_plan(sandbox, cli, write, tmp_path):
    write("c.yaml", BOARD)
    catalog = tmp_path / "catalog"
    assert cli("apply", catalog, "--auto-approve").code == 0
    board_id = _state(catalog)["boards.stadium"]["id"]
    import requests

    existing = requests.post(
        f"{sandbox.url}/push/identities/{PIN_TOKEN}/pinterest/board/{board_id}/pin.json",
        auth=("test-public", "test-private"),
        json={
            "request": {"push": {"pin": {"description": "Camp Nou at night", "picture": "https://cdn.example.com/camp-nou.jpg"}}}
        },
        timeout=5,
    ).json()["response"]["result"]["data"]["pin_id"]
    write("p.yaml", PIN)
    sandbox.clear()

    run = cli("import", "pins.camp-nou", existing, catalog)

    assert run.code == 0, run.output
    assert f"pins.camp-nou: imported as pinterest/pin {existing} (found on the network)" in run.out
    assert [r["method"] for r in sandbox.requests()] == ["GET"]
    assert cli("plan", catalog, "--detailed-exitcode").code == 0
    wrong = cli("import", "pins.camp-nou", "1", catalog)
    assert wrong.code == 1 and "already in the state" in wrong.err


def test_importing_an_id_that_does_not_exist_is_refused(sandbox, cli, write, tmp_path):
    write("c.yaml", BOARD + PIN)
    catalog = tmp_path / "catalog"
    assert cli("apply", catalog, "--auto-approve", "--target", "boards.stadium").code == 0
    run = cli("import", "pins.camp-nou", "999", catalog)
    assert run.code == 1 and "there is no Pinterest pin 999 for this identity" in run.err
    assert "pins.camp-nou" not in _state(catalog)


def test_a_pin_deleted_on_the_network_shows_as_drift_and_is_recreated(sandbox, cli, write, tmp_path):
    write("c.yaml", BOARD + PIN)
    catalog = tmp_path / "catalog"
    assert cli("apply", catalog, "--auto-approve").code == 0
    pin_id = _state(catalog)["pins.camp-nou"]["id"]
    del sandbox.server.api.store.objects[("pinterest", "pin", pin_id)]  # someone deletes it on Pinterest

    assert cli("plan", catalog, "--detailed-exitcode").code == 0  # without --refresh nobody knows
    plan = cli("plan", catalog, "--refresh")
    assert "+ pins.camp-nou" in plan.out
    assert "deleted outside publisher: apply posts it again" in plan.out
    assert cli("apply", catalog, "--auto-approve", "--refresh").code == 0
    pins = [o for o in sandbox.objects() if o["object"] == "pin"]
    assert len(pins) == 1 and pins[0]["id"] == _state(catalog)["pins.camp-nou"]["id"] != pin_id


def test_a_pin_edited_on_the_network_is_put_back(sandbox, cli, write, tmp_path):
    write("c.yaml", BOARD + PIN)
    catalog = tmp_path / "catalog"
    assert cli("apply", catalog, "--auto-approve").code == 0
    pin_id = _state(catalog)["pins.camp-nou"]["id"]
    sandbox.server.api.store.objects[("pinterest", "pin", pin_id)]["description"] = "Edited by hand"
    plan = cli("plan", catalog, "--refresh")
    assert "~ pins.camp-nou" in plan.out
    assert "edited outside publisher (description)" in plan.out
    assert '"Edited by hand" -> "Camp Nou at night"' in plan.out


def test_a_revoked_identity_is_reported(sandbox, cli, write, tmp_path):
    write("c.yaml", BOARD + PIN)
    catalog = tmp_path / "catalog"
    assert cli("apply", catalog, "--auto-approve").code == 0
    sandbox.fault(status=403, info="The user revoked the consent", path_contains="/pull/", count=5)
    plan = cli("plan", catalog, "--refresh")
    assert plan.code == 1
    assert "the identity 2af2…aae6 is revoked or unknown" in plan.out


def test_a_rename_with_moved_sends_no_request(sandbox, cli, write, tmp_path):
    path = write("c.yaml", BOARD + PIN)
    catalog = tmp_path / "catalog"
    assert cli("apply", catalog, "--auto-approve").code == 0
    pin_id = _state(catalog)["pins.camp-nou"]["id"]
    path.write_text(
        path.read_text().replace("camp-nou:", "camp-nou-night:") + "moved:\n  - {from: pins.camp-nou, to: pins.camp-nou-night}\n"
    )
    sandbox.clear()

    plan = cli("plan", catalog)
    assert "pins.camp-nou has moved to pins.camp-nou-night (nothing is sent)" in plan.out
    assert "No changes." in plan.out
    assert cli("apply", catalog, "--auto-approve").code == 0
    assert sandbox.requests() == []
    assert _state(catalog)["pins.camp-nou-night"]["id"] == pin_id
    assert "pins.camp-nou" not in _state(catalog)


def test_refresh_offers_the_match_for_a_pending_create(sandbox, cli, write, tmp_path):
    write("c.yaml", BOARD)
    catalog = tmp_path / "catalog"
    assert cli("apply", catalog, "--auto-approve").code == 0
    write("p.yaml", PIN)
    sandbox.fault(status=500, after_processing=True, path_contains="/pin.json")
    assert cli("apply", catalog, "--auto-approve").code == 1
    pin_id = next(o["id"] for o in sandbox.objects() if o["object"] == "pin")

    plan = cli("plan", catalog, "--refresh")

    assert plan.code == 1
    assert f"The network has one that matches: `publisher state resolve pins.camp-nou --id {pin_id}`" in plan.out


def test_import_generate_prints_the_entry_to_declare(sandbox, cli, write, tmp_path):
    write("c.yaml", BOARD + PIN)
    catalog = tmp_path / "catalog"
    assert cli("apply", catalog, "--auto-approve").code == 0
    state = _state(catalog)
    board_id, pin_id = state["boards.stadium"]["id"], state["pins.camp-nou"]["id"]

    run = cli("import", "pins.other", pin_id, catalog, "--generate", "--identity", "club", "--id", f"board_id={board_id}")

    assert run.code == 0, run.output
    assert run.out == (
        "pins:\n  other:\n    identity: club\n"
        f"    board_id: '{board_id}'\n    description: Camp Nou at night\n    picture: https://cdn.example.com/camp-nou.jpg\n"
    )
    assert PIN_TOKEN not in run.out
    missing = cli("import", "pins.other", pin_id, catalog, "--generate", "--identity", "club")
    assert missing.code == 1 and "needs --id board_id=ID" in missing.err


def test_a_page_post_deleted_on_facebook_is_posted_again(sandbox, cli, write, tmp_path):
    write(
        "c.yaml",
        f"""
posts:
  news:
    type: facebook/page/post
    identity: {PIN_TOKEN}
    page_id: "777"
    message: Hello fans
  other-page:
    type: facebook/page/post
    identity: {PIN_TOKEN}
    page_id: "888"
    message: Hello other fans
""",
    )
    catalog = tmp_path / "catalog"
    assert cli("apply", catalog, "--auto-approve").code == 0
    post_id = _state(catalog)["posts.news"]["id"]
    del sandbox.server.api.store.objects[("facebook", "post", post_id)]

    plan = cli("plan", catalog, "--refresh")

    assert "+ posts.news" in plan.out and "deleted outside publisher" in plan.out
    assert "posts.other-page" not in plan.out
    assert "/pull/identities/" in " ".join(r["path"] for r in sandbox.requests())
