"""The sandbox speaks the OneAll envelopes and refuses what the API refuses."""

from __future__ import annotations

import json

import requests

from conftest import PIN_TOKEN

AUTH = ("test-public", "test-private")


def _post(sandbox, path: str, payload, **kwargs) -> requests.Response:
    return requests.post(sandbox.url + path, auth=AUTH, data=json.dumps(payload), timeout=5, **kwargs)


def test_board_create_returns_the_seed_envelope(sandbox):
    path = f"/push/identities/{PIN_TOKEN}/pinterest/board.json"
    response = _post(sandbox, path, {"request": {"push": {"board": {"name": "OneAll"}}}})
    assert response.status_code == 200
    body = response.json()["response"]
    assert body["request"]["resource"] == path
    assert body["request"]["status"] == {"flag": "success", "code": 200, "info": "Your request has been processed successfully"}
    data = body["result"]["data"]
    assert (data["provider"], data["object"], data["board_name"], data["board_privacy"]) == (
        "pinterest",
        "board",
        "OneAll",
        "PUBLIC",
    )
    assert data["board_id"].isdigit() and len(data["board_id"]) == 18


def test_unknown_privacy_is_a_400_with_the_error_envelope(sandbox):
    path = f"/push/identities/{PIN_TOKEN}/pinterest/board.json"
    response = _post(sandbox, path, {"request": {"push": {"board": {"name": "x", "privacy": "public"}}}})
    assert response.status_code == 400
    status = response.json()["response"]["request"]["status"]
    assert status == {"flag": "error", "code": 400, "info": "Invalid value for 'privacy'"}
    assert "result" not in response.json()["response"]


def test_wrong_keys_are_a_401(sandbox):
    response = requests.post(
        sandbox.url + f"/push/identities/{PIN_TOKEN}/pinterest/board.json", auth=("a", "b"), data="{}", timeout=5
    )
    assert response.status_code == 401
    assert response.json()["response"]["request"]["status"]["info"].startswith(
        "Authentication credentials are missing or incorrect"
    )


def test_a_pin_on_an_unknown_board_is_a_404(sandbox):
    response = _post(
        sandbox,
        f"/push/identities/{PIN_TOKEN}/pinterest/board/1/pin.json",
        {"request": {"push": {"pin": {"picture": "https://x/p.jpg"}}}},
    )
    assert response.status_code == 404


def test_body_is_json_whatever_the_content_type(sandbox):
    response = _post(
        sandbox,
        f"/push/identities/{PIN_TOKEN}/pinterest/board.json",
        {"request": {"push": {"board": {"name": "x"}}}},
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200


def test_older_picture_key_is_accepted_and_pins_can_be_updated_and_deleted(sandbox):
    board = _post(
        sandbox, f"/push/identities/{PIN_TOKEN}/pinterest/board.json", {"request": {"push": {"board": {"name": "photos"}}}}
    )
    board_id = board.json()["response"]["result"]["data"]["board_id"]
    pin = _post(
        sandbox,
        f"/push/identities/{PIN_TOKEN}/pinterest/board/{board_id}/pin.json",
        {"request": {"push": {"pin": {"image_url": "https://x/p.jpg", "description": "a"}}}},
    ).json()["response"]["result"]["data"]
    assert pin["pin_picture"] == "https://x/p.jpg"
    path = f"/update/identities/{PIN_TOKEN}/pinterest/pin/{pin['pin_id']}.json"
    updated = requests.put(sandbox.url + path, auth=AUTH, json={"request": {"update": {"pin": {"description": "b"}}}}, timeout=5)
    assert updated.json()["response"]["result"]["data"]["pin_description"] == "b"
    assert requests.delete(sandbox.url + path, auth=AUTH, timeout=5).status_code == 200
    assert requests.delete(sandbox.url + path, auth=AUTH, timeout=5).status_code == 404


def test_unsupported_method_and_unknown_path(sandbox):
    assert (
        requests.put(sandbox.url + f"/update/identities/{PIN_TOKEN}/twitter/post/1.json", auth=AUTH, timeout=5).status_code == 405
    )
    assert requests.get(sandbox.url + "/nothing.json", auth=AUTH, timeout=5).status_code == 404


def test_requests_are_logged_for_tests(sandbox):
    _post(sandbox, f"/push/identities/{PIN_TOKEN}/pinterest/board.json", {"request": {"push": {"board": {"name": "x"}}}})
    assert sandbox.requests() == [
        {
            "method": "POST",
            "path": f"/push/identities/{PIN_TOKEN}/pinterest/board.json",
            "body": {"request": {"push": {"board": {"name": "x"}}}},
            "status": 200,
        }
    ]


def test_objects_can_be_kept_in_a_json_file_across_restarts(tmp_path):
    from publisher.sandbox import Sandbox

    data = tmp_path / "sandbox.json"
    first = Sandbox(public_key="k", private_key="s", data_file=data).start()
    try:
        created = requests.post(
            first.url + f"/push/identities/{PIN_TOKEN}/pinterest/board.json",
            auth=("k", "s"),
            json={"request": {"push": {"board": {"name": "Kept"}}}},
            timeout=5,
        ).json()["response"]["result"]["data"]
    finally:
        first.stop()
    second = Sandbox(public_key="k", private_key="s", data_file=data).start()
    try:
        listed = requests.get(second.url + f"/pull/identities/{PIN_TOKEN}/pinterest/boards.json", auth=("k", "s"), timeout=5)
        boards = listed.json()["response"]["result"]["data"]["boards"]
        assert [b["board_id"] for b in boards] == [created["board_id"]]
        another = requests.post(
            second.url + f"/push/identities/{PIN_TOKEN}/pinterest/board.json",
            auth=("k", "s"),
            json={"request": {"push": {"board": {"name": "New"}}}},
            timeout=5,
        ).json()["response"]["result"]["data"]
        assert another["board_id"] != created["board_id"]
    finally:
        second.stop()
