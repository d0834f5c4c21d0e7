"""The planner as a pure function of catalog and state."""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher.loading.catalog import Catalog
from publisher.loading.documents import Document
from publisher.model import Ref, Resource, State, StateRecord, token_digest
from publisher.planning.planner import make_plan
from publisher.resource_types import TYPES

from conftest import PIN_TOKEN

HERE = (Document("catalog.yaml", {}), ())  # a resource's document and path


def _board(**lifecycle) -> Resource:
    return Resource("boards.b", TYPES["pinterest/board"], PIN_TOKEN, {"name": "B"}, {}, lifecycle, *HERE)


def _pin(description: str = "d", picture: str = "https://x/p.jpg", **lifecycle) -> Resource:
    body = {"description": description, "picture": picture}
    return Resource("pins.p", TYPES["pinterest/pin"], PIN_TOKEN, body, {"board_id": Ref("boards.b")}, lifecycle, *HERE)


def _catalog(*resources: Resource, identities: dict[str, str] | None = None) -> Catalog:
    known = {"club": PIN_TOKEN} if identities is None else identities
    return Catalog(Path("."), [], resources={r.address: r for r in resources}, identities=known)


def _record(resource: Resource, remote_id: str, ids: dict | None = None) -> StateRecord:
    return StateRecord(
        type=resource.type.name,
        identity=token_digest(resource.identity),
        status="created",
        inputs=resource.body,
        ids=ids or {},
        id=remote_id,
        dependencies=sorted(resource.dependencies),
    )


def _applied(*resources: Resource) -> State:
    state = State()
    state.resources["boards.b"] = _record(_board(), "1")
    for resource in resources:
        state.resources[resource.address] = _record(resource, "2", {"board_id": "1"})
    return state


def _actions(plan) -> dict[str, str]:
    return {c.address: c.action for c in plan.changes}


def test_everything_new_is_created_and_refs_are_unknown_until_apply():
    plan = make_plan(_catalog(_board(), _pin()), State())
    assert _actions(plan) == {"boards.b": "create", "pins.p": "create"}
    pin = next(c for c in plan.changes if c.address == "pins.p")
    assert repr(pin.after["board_id"]) == "(known after apply)"


def test_applied_catalog_is_no_op():
    plan = make_plan(_catalog(_board(), _pin()), _applied(_pin()))
    assert _actions(plan) == {"boards.b": "no-op", "pins.p": "no-op"}
    assert not plan.has_changes


def test_updatable_field_is_an_update_of_that_field():
    plan = make_plan(_catalog(_board(), _pin(description="new")), _applied(_pin()))
    change = next(c for c in plan.changes if c.address == "pins.p")
    assert (change.action, change.changed, change.forces) == ("update", ["description"], [])


def test_immutable_field_replaces_a_deletable_type():
    plan = make_plan(_catalog(_board(), _pin(picture="https://x/q.jpg")), _applied(_pin()))
    change = next(c for c in plan.changes if c.address == "pins.p")
    assert (change.action, change.forces) == ("replace", ["picture"])


def test_prevent_destroy_blocks_a_replace():
    plan = make_plan(_catalog(_board(), _pin(picture="https://x/q.jpg", prevent_destroy=True)), _applied(_pin()))
    change = next(c for c in plan.changes if c.address == "pins.p")
    assert change.action == "blocked"
    assert "prevent_destroy" in change.reason


def test_ignore_changes_hides_a_field():
    plan = make_plan(_catalog(_board(), _pin(picture="https://x/q.jpg", ignore_changes=["picture"])), _applied(_pin()))
    assert _actions(plan)["pins.p"] == "no-op"


def test_recreate_keeps_the_old_object():
    plan = make_plan(_catalog(_board(), _pin(picture="https://x/q.jpg", on_immutable_change="recreate")), _applied(_pin()))
    change = next(c for c in plan.changes if c.address == "pins.p")
    assert (change.action, change.keep_old) == ("replace", True)


def test_explicit_error_blocks_even_a_deletable_type():
    plan = make_plan(_catalog(_board(), _pin(picture="https://x/q.jpg", on_immutable_change="error")), _applied(_pin()))
    assert _actions(plan)["pins.p"] == "blocked"


def test_non_deletable_change_is_blocked_and_removal_is_forget():
    changed = Resource("boards.b", TYPES["pinterest/board"], PIN_TOKEN, {"name": "C"}, {}, {}, *HERE)
    assert _actions(make_plan(_catalog(changed), _applied()))["boards.b"] == "blocked"
    removed = make_plan(_catalog(), _applied(_pin()))
    assert _actions(removed) == {"boards.b": "forget", "pins.p": "delete"}


def test_another_identity_forces_a_replace():
    other = _pin()
    other.identity = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
    change = next(c for c in make_plan(_catalog(_board(), other), _applied(_pin())).changes if c.address == "pins.p")
    assert (change.action, change.forces) == ("replace", ["identity"])


def test_pending_create_blocks_and_says_how_to_settle():
    state = _applied()
    state.resources["pins.p"] = StateRecord(type="pinterest/pin", identity=token_digest(PIN_TOKEN), status="pending", inputs={})
    change = next(c for c in make_plan(_catalog(_board(), _pin()), state).changes if c.address == "pins.p")
    assert change.action == "blocked"
    assert "publisher state resolve pins.p --id REMOTE_ID" in change.reason


def test_ignore_changes_takes_manifest_names():
    moved = _pin(ignore_changes=["board"])
    moved.ids = {"board_id": "999"}
    assert _actions(make_plan(_catalog(_board(), moved), _applied(_pin())))["pins.p"] == "no-op"


TWEET_BODY = {"message": "m"}
LINKEDIN_BODY = {"link": "https://x.example/"}


@pytest.mark.parametrize(
    ("old", "new", "keep_old"),
    [
        # A LinkedIn post cannot be deleted: it stays, and the tweet is posted beside it.
        (("linkedin/post", LINKEDIN_BODY), ("twitter/post", TWEET_BODY), True),
        # A tweet can be deleted: it is, and the LinkedIn post is created.
        (("twitter/post", TWEET_BODY), ("linkedin/post", LINKEDIN_BODY), False),
    ],
)
def test_a_type_change_replaces_through_the_recorded_type(old, new, keep_old):
    post = Resource("posts.x", TYPES[new[0]], PIN_TOKEN, new[1], {}, {}, *HERE)
    state = State()
    state.resources["posts.x"] = StateRecord(
        type=old[0], identity=token_digest(PIN_TOKEN), id="7", inputs=old[1], status="created"
    )
    change = make_plan(_catalog(post), state).changes[0]
    assert (change.action, change.keep_old) == ("replace", keep_old)
    if keep_old:
        assert "the old one stays on LinkedIn: the API cannot delete it" in change.reason


def test_a_type_change_is_never_an_update_even_where_type_is_an_updatable_field():
    """A channel section's body has a `type` (its section_type), which the API can update. A
    playlist moved to a channel section's address is still another object: it is replaced,
    and `type` is listed once."""
    section = Resource(
        "posts.s", TYPES["youtube/channel/section"], PIN_TOKEN, {"type": "singlePlaylist", "title": "T"}, {}, {}, *HERE
    )
    state = State()
    state.resources["posts.s"] = StateRecord(
        type="youtube/playlist", identity=token_digest(PIN_TOKEN), id="7", inputs={"title": "T"}, status="created"
    )
    change = make_plan(_catalog(section), state).changes[0]
    assert change.action == "replace"
    assert change.changed.count("type") == 1 and "type" in change.forces
    assert change.reason == "type cannot be updated, so it is deleted and posted again"


def test_a_removed_object_whose_identity_left_the_catalog_is_blocked_with_what_to_do():
    plan = make_plan(_catalog(identities={}), _applied(_pin()))
    change = next(c for c in plan.changes if c.address == "pins.p")
    assert change.action == "blocked"
    assert "no longer in the catalog" in change.reason and "publisher state rm pins.p" in change.reason
