"""Every resource type through `apply` against the sandbox: create, update, replace, delete, forget, blocked.

The expected paths and bodies are written out here, from the API's documentation, independently of the
registry in publisher/resources.py.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from publisher.resource_types import TYPES

from conftest import PIN_TOKEN

OTHER_TOKEN = "0b6f3c1e-1111-4a4a-9b9b-123456789abc"
PIC = "https://cdn.example.com/pic.jpg"
VID = "https://cdn.example.com/video.mp4"


@dataclass
class Case:
    address: str
    entry: dict[str, Any]
    path: str  # create path below /push/identities/<token>/; {id:ADDR} is the id of ADDR
    body: dict[str, Any]  # request.push as sent
    setup: dict[str, dict[str, Any]] = field(default_factory=dict)  # other resources it needs
    update: tuple[str, Any] | None = None  # (field, new value) the API can update
    update_path: str = ""  # below /update/identities/<token>/
    update_body: dict[str, Any] = field(default_factory=dict)  # request.update as sent
    immutable: tuple[str, Any] = ("identity", OTHER_TOKEN)  # a change the API cannot update
    delete_path: str = ""  # below /update/identities/<token>/; empty: cannot be deleted


BOARD = {"boards.b": {"name": "Board"}}
PLAYLIST = {"boards.pl": {"type": "youtube/playlist", "title": "Best goals"}}
YT_VIDEO = {"posts.v": {"type": "youtube/video", "video_url": VID, "title": "Goal"}}
FB_PICTURE = {"posts.pic": {"type": "facebook/picture", "url": PIC, "create_post": False}}
TW_PICTURE = {"posts.tpic": {"type": "twitter/picture", "url": PIC}}

CASES = [
    Case(
        "posts.fb",
        {"type": "facebook/post", "message": "Match day!", "attachments": [{"ref": "posts.pic"}]},
        "facebook/post.json",
        {"post": {"message": "Match day!", "attachments": ["{id:posts.pic}"]}},
        setup=FB_PICTURE,
        immutable=("message", "Kick-off"),
    ),
    Case(
        "posts.fbpic",
        {"type": "facebook/picture", "url": PIC, "description": "Team", "create_post": True},
        "facebook/picture.json",
        {"picture": {"url": PIC, "description": "Team", "create_post": True}},
        immutable=("description", "Squad"),
    ),
    Case(
        "posts.fbvid",
        {"type": "facebook/video", "url": VID, "description": "Goal"},
        "facebook/video.json",
        {"video": {"url": VID, "description": "Goal"}},
        immutable=("description", "Save"),
    ),
    Case(
        "posts.gpost",
        {"type": "facebook/group/post", "group_id": "555", "message": "Hi group"},
        "facebook/group/post.json",
        {"group": {"id": "555", "message": "Hi group"}},
        immutable=("message", "Bye"),
    ),
    Case(
        "posts.gpic",
        {"type": "facebook/group/picture", "group_id": "555", "url": PIC},
        "facebook/group/picture.json",
        {"group": {"id": "555", "url": PIC}},
        immutable=("group_id", "556"),
    ),
    Case(
        "posts.gvid",
        {"type": "facebook/group/video", "group_id": "555", "url": VID},
        "facebook/group/video.json",
        {"group": {"id": "555", "url": VID}},
        immutable=("url", VID + "?v=2"),
    ),
    Case(
        "posts.ppost",
        {"type": "facebook/page/post", "page_id": "777", "message": "Hello fans", "link": "https://club.example.com/"},
        "facebook/page/post.json",
        {"page": {"id": "777", "message": "Hello fans", "link": "https://club.example.com/"}},
        update=("message", "Hello again"),
        update_path="facebook/page/777/post/{id}.json",
        update_body={"post": {"message": "Hello again"}},
        immutable=("page_id", "778"),
        delete_path="facebook/page/777/post/{id}.json",
    ),
    Case(
        "posts.ppic",
        {"type": "facebook/page/picture", "page_id": "777", "url": PIC, "description": "Crest"},
        "facebook/page/picture.json",
        {"page": {"id": "777", "url": PIC, "description": "Crest"}},
        immutable=("description", "New crest"),
        delete_path="facebook/page/777/picture/{id}.json",
    ),
    Case(
        "posts.pvid",
        {"type": "facebook/page/video", "page_id": "777", "url": VID},
        "facebook/page/video.json",
        {"page": {"id": "777", "url": VID}},
        immutable=("url", VID + "?v=2"),
        delete_path="facebook/page/777/video/{id}.json",
    ),
    Case(
        "posts.li",
        {"type": "linkedin/post", "link": "https://club.example.com/", "title": "News", "message": "Read it"},
        "linkedin/post.json",
        {"post": {"link": "https://club.example.com/", "title": "News", "message": "Read it"}},
        immutable=("message", "Read it now"),
    ),
    Case(
        "posts.lic",
        {"type": "linkedin/company/post", "company": "2414183", "link": "https://club.example.com/jobs"},
        "linkedin/company/post.json",
        {"post": {"company": "2414183", "link": "https://club.example.com/jobs"}},
        immutable=("link", "https://club.example.com/careers"),
    ),
    Case(
        "boards.b",
        {"name": "Stadium", "description": "Photos", "privacy": "SECRET"},
        "pinterest/board.json",
        {"board": {"name": "Stadium", "description": "Photos", "privacy": "SECRET"}},
        immutable=("privacy", "PUBLIC"),
    ),
    Case(
        "pins.p",
        {"board": {"ref": "boards.b"}, "description": "Pitch", "link": "https://club.example.com/", "picture": PIC},
        "pinterest/board/{id:boards.b}/pin.json",
        {"pin": {"description": "Pitch", "link": "https://club.example.com/", "picture": PIC}},
        setup=BOARD,
        update=("description", "The pitch"),
        update_path="pinterest/pin/{id}.json",
        update_body={"pin": {"description": "The pitch"}},
        immutable=("picture", PIC + "?v=2"),
        delete_path="pinterest/pin/{id}.json",
    ),
    Case(
        "posts.tw",
        {"type": "twitter/post", "message": "Goal!", "attachments": [{"ref": "posts.tpic"}]},
        "twitter/post.json",
        {"post": {"message": "Goal!", "attachments": ["{id:posts.tpic}"]}},
        setup=TW_PICTURE,
        immutable=("message", "GOAL!"),
        delete_path="twitter/post/{id}.json",
    ),
    Case(
        "posts.tpic",
        {"type": "twitter/picture", "url": PIC, "description": "Team"},
        "twitter/picture.json",
        {"picture": {"url": PIC, "description": "Team"}},
        immutable=("description", "Squad"),
    ),
    Case(
        "posts.tvid",
        {"type": "twitter/video", "video_url": VID},
        "twitter/video.json",
        {"video": {"video_url": VID}},
        immutable=("video_url", VID + "?v=2"),
    ),
    Case(
        "posts.ytv",
        {"type": "youtube/video", "video_url": VID, "title": "Goal", "description": "Matchday 12"},
        "youtube/video.json",
        {"video": {"video_url": VID, "title": "Goal", "description": "Matchday 12"}},
        immutable=("title", "Goal!"),
    ),
    Case(
        "boards.pl",
        {"type": "youtube/playlist", "title": "Best goals", "privacy_status": "public"},
        "youtube/playlist.json",
        {"playlist": {"title": "Best goals", "privacy_status": "public"}},
        update=("privacy_status", "unlisted"),
        update_path="youtube/playlist/{id}.json",
        update_body={"playlist": {"title": "Best goals", "privacy_status": "unlisted"}},
        delete_path="youtube/playlist/{id}.json",
    ),
    Case(
        "posts.entry",
        {"type": "youtube/playlist/video", "playlist": {"ref": "boards.pl"}, "video": {"ref": "posts.v"}},
        "youtube/playlist/{id:boards.pl}/video.json",
        {"video": {"id": "{id:posts.v}"}},
        setup={**PLAYLIST, **YT_VIDEO},
        immutable=("video_id", "dQw4w9WgXcQ"),
        delete_path="youtube/playlist/{id:boards.pl}/video/{id}.json",
    ),
    Case(
        "posts.section",
        {"type": "youtube/channel/section", "section_type": "recentUploads", "style": "horizontalRow"},
        "youtube/channel/section.json",
        {"channel": {"section": {"type": "recentUploads", "style": "horizontalRow"}}},
        update=("title", "Highlights"),
        update_path="youtube/channel/section/{id}.json",
        update_body={"channel": {"section": {"title": "Highlights"}}},
        delete_path="youtube/channel/section/{id}.json",
    ),
]
BY_TYPE = {
    (c.entry.get("type") or {"boards": "pinterest/board", "pins": "pinterest/pin"}[c.address.split(".")[0]]): c for c in CASES
}


def test_every_registered_type_has_a_case():
    assert sorted(BY_TYPE) == sorted(TYPES)


def _manifest(case: Case, entry: dict[str, Any]) -> str:
    doc: dict[str, Any] = {"identities": {"club": PIN_TOKEN}}
    for address, item in {**case.setup, case.address: entry}.items():
        section, name = address.split(".")
        doc.setdefault(section, {})[name] = {"identity": "club", **item}
    return yaml.safe_dump(doc, sort_keys=False)


def _state(tmp_path: Path) -> dict[str, Any]:
    return json.loads((tmp_path / "catalog" / "publisher.state.json").read_text())["resources"]


def _fill(template: Any, case: Case, resources: dict[str, Any]) -> Any:
    """Replace {id:ADDR} by the id recorded for ADDR, and {id} by the case's own id."""
    if isinstance(template, dict):
        return {k: _fill(v, case, resources) for k, v in template.items()}
    if isinstance(template, list):
        return [_fill(v, case, resources) for v in template]
    if isinstance(template, str):
        own = resources.get(case.address, {}).get("id", "?")
        filled = re.sub(r"\{id:([^}]+)\}", lambda m: resources[m.group(1)]["id"], template)
        return filled.replace("{id}", own)
    return template


def _apply(cli, tmp_path: Path, expect: int = 0):
    run = cli("apply", tmp_path / "catalog", "--auto-approve")
    assert run.code == expect, run.output
    assert "Traceback" not in run.output
    return run


def _token(entry: dict[str, Any]) -> str:
    return OTHER_TOKEN if entry.get("identity") == OTHER_TOKEN else PIN_TOKEN


@pytest.mark.parametrize("case", CASES, ids=[c.address + ":" + t for t, c in BY_TYPE.items()])
def test_create_sends_the_exact_path_and_body(case: Case, sandbox, cli, write, tmp_path):
    write("catalog.yaml", _manifest(case, case.entry))
    _apply(cli, tmp_path)
    resources = _state(tmp_path)
    expected_path = f"/push/identities/{PIN_TOKEN}/" + _fill(case.path, case, resources)
    calls = [r for r in sandbox.requests() if r["path"] == expected_path]
    assert len(calls) == 1, sandbox.requests()
    assert calls[0]["method"] == "POST"
    assert calls[0]["body"] == {"request": {"push": _fill(case.body, case, resources)}}
    assert resources[case.address]["status"] == "created"
    sandbox.clear()
    assert cli("plan", tmp_path / "catalog", "--detailed-exitcode").code == 0
    assert sandbox.requests() == []


UPDATABLE = [c for c in CASES if c.update]
DELETABLE = [c for c in CASES if c.delete_path]
PERMANENT = [c for c in CASES if not c.delete_path]


def test_capabilities_match_the_registry():
    assert {c.address for c in UPDATABLE} == {c.address for t, c in BY_TYPE.items() if TYPES[t].can_update}
    assert {c.address for c in DELETABLE} == {c.address for t, c in BY_TYPE.items() if TYPES[t].can_delete}


@pytest.mark.parametrize("case", UPDATABLE, ids=[c.address for c in UPDATABLE])
def test_update_sends_one_put_with_only_what_the_api_accepts(case: Case, sandbox, cli, write, tmp_path):
    path = write("catalog.yaml", _manifest(case, case.entry))
    _apply(cli, tmp_path)
    assert case.update is not None
    key, new = case.update
    path.write_text(_manifest(case, {**case.entry, key: new}))
    sandbox.clear()

    _apply(cli, tmp_path)

    resources = _state(tmp_path)
    assert sandbox.requests() == [
        {
            "method": "PUT",
            "path": f"/update/identities/{PIN_TOKEN}/" + _fill(case.update_path, case, resources),
            "body": {"request": {"update": _fill(case.update_body, case, resources)}},
            "status": 200,
        }
    ]
    sandbox.clear()
    assert cli("plan", tmp_path / "catalog", "--detailed-exitcode").code == 0


@pytest.mark.parametrize("case", DELETABLE, ids=[c.address for c in DELETABLE])
def test_replace_then_delete(case: Case, sandbox, cli, write, tmp_path):
    path = write("catalog.yaml", _manifest(case, case.entry))
    _apply(cli, tmp_path)
    old = _state(tmp_path)
    key, new = case.immutable
    changed = {**case.entry, key: new}
    if key == "video_id":
        changed.pop("video")
    path.write_text(_manifest(case, changed))
    sandbox.clear()

    plan = cli("plan", tmp_path / "catalog")
    assert f"-/+ {case.address}" in plan.out
    _apply(cli, tmp_path)

    sent = sandbox.requests()
    assert [(r["method"], r["status"]) for r in sent] == [("DELETE", 200), ("POST", 200)]
    assert sent[0]["path"] == f"/update/identities/{_token(case.entry)}/" + _fill(case.delete_path, case, old)
    assert sent[0]["body"] is None
    new_state = _state(tmp_path)
    assert new_state[case.address]["id"] != old[case.address]["id"] or key == "video_id"

    # Removing it from the manifest deletes it.
    path.write_text(_without(case, changed))
    sandbox.clear()
    _apply(cli, tmp_path)
    sent = sandbox.requests()
    assert [r["method"] for r in sent] == ["DELETE"]
    expected = _fill(case.delete_path, case, new_state)
    if key == "page_id":  # the page it now lives on
        expected = expected.replace(f"/{case.entry['page_id']}/", f"/{new}/")
    assert sent[0]["path"] == f"/update/identities/{_token(changed)}/" + expected
    assert case.address not in _state(tmp_path)


def _without(case: Case, entry: dict[str, Any]) -> str:
    """The manifest with the case's entry removed (its dependencies, and its identity, stay:
    publisher deletes with the token of the identity that owns the object)."""
    doc = yaml.safe_load(_manifest(case, entry))
    section, name = case.address.split(".")
    owner = doc[section][name]["identity"]
    if owner != "club":
        doc["identities"]["owner"] = owner
    del doc[section][name]
    if not doc[section]:
        del doc[section]
    return yaml.safe_dump(doc, sort_keys=False)


@pytest.mark.parametrize("case", PERMANENT, ids=[c.address for c in PERMANENT])
def test_a_permanent_type_is_blocked_on_change_and_forgotten_on_removal(case: Case, sandbox, cli, write, tmp_path):
    path = write("catalog.yaml", _manifest(case, case.entry))
    _apply(cli, tmp_path)
    state_before = (tmp_path / "catalog" / "publisher.state.json").read_text()
    key, new = case.immutable
    path.write_text(_manifest(case, {**case.entry, key: new}))
    sandbox.clear()

    blocked = _apply(cli, tmp_path, expect=1)
    assert f"! {case.address}" in blocked.out
    assert "can neither update nor delete" in blocked.out
    assert "on_immutable_change: recreate" in blocked.out
    assert sandbox.requests() == []
    assert (tmp_path / "catalog" / "publisher.state.json").read_text() == state_before

    path.write_text(_without(case, case.entry))
    plan = cli("plan", tmp_path / "catalog")
    assert f"forget {case.address}" in plan.out
    assert "the API cannot delete it" in plan.out
    _apply(cli, tmp_path)
    assert sandbox.requests() == []
    assert case.address not in _state(tmp_path)
    assert any(o["id"] == json.loads(state_before)["resources"][case.address]["id"] for o in sandbox.objects())


def test_channel_section_playlists_are_resolved_references(sandbox, cli, write, tmp_path):
    case = Case(
        "posts.section",
        {
            "type": "youtube/channel/section",
            "section_type": "multiplePlaylists",
            "playlists": [{"ref": "boards.pl"}, {"ref": "boards.pl2"}],
        },
        "youtube/channel/section.json",
        {"channel": {"section": {"type": "multiplePlaylists", "playlists": ["{id:boards.pl}", "{id:boards.pl2}"]}}},
        setup={**PLAYLIST, "boards.pl2": {"type": "youtube/playlist", "title": "Saves"}},
    )
    write("catalog.yaml", _manifest(case, case.entry))
    _apply(cli, tmp_path)
    resources = _state(tmp_path)
    sent = sandbox.requests()
    assert [r["path"].rsplit("/", 1)[-1] for r in sent if r["method"] == "POST"][-1] == "section.json"
    assert sent[-1]["body"] == {"request": {"push": _fill(case.body, case, resources)}}
    assert set(resources["posts.section"]["dependencies"]) == {"boards.pl", "boards.pl2"}
