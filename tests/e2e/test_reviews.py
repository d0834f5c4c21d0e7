"""Reviews that bind: apply publishes exactly what an approved proposal holds, on every backend.
The sandbox over HTTP; PostgreSQL and SeaweedFS started by the tests."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest

from publisher.rules import timestamp
from publisher.state.locations import open_store
from publisher.state.reviews import Proposal

from conftest import TWEET_TOKEN

RULE = f"review: {{required: true, expires_after: 30d}}\nidentities:\n  club-twitter: {TWEET_TOKEN}\n"


def _tweets(write, **messages: str):
    """A catalog of tweets (name → message) under the review rule; its folder."""
    write("publisher.yaml", RULE)
    entries = "".join(
        f"  {name}:\n    type: twitter/post\n    identity: club-twitter\n    message: {message}\n"
        for name, message in messages.items()
    )
    return write("c.yaml", "posts:\n" + entries).parent


def _posted(sandbox) -> list[str]:
    return sorted(o.get("message", "") for o in sandbox.objects())


def _apply_json(cli, catalog, location, *extra):
    run = cli("apply", catalog, "--auto-approve", "--state", location, "--format", "json", *extra)
    assert run.code == 0, run.output
    return {r["address"]: r for r in json.loads(run.out)["resources"]}, run


def test_a_reviewed_tweet_is_published_and_an_unreviewed_one_is_held(state_location, sandbox, cli, write):
    catalog = _tweets(write, a="Reviewed")
    assert cli("plan", catalog, "--state", state_location, "--propose", "github-pr-1").code == 0
    assert cli("review", "approve", "github-pr-1", "--state", state_location, "--by", "alice").code == 0
    catalog = _tweets(write, a="Reviewed", b="Pushed to main without a review")
    records, run = _apply_json(cli, catalog, state_location)
    assert _posted(sandbox) == ["Reviewed"]
    assert records["posts.a"]["outcome"] == "done" and records["posts.a"]["proposal"] == "github-pr-1"
    assert records["posts.b"]["outcome"] == "held" and "no proposal holds this change" in records["posts.b"]["reason"]
    assert "held (not reviewed)" in run.err  # the plan on standard error says so
    shown = json.loads(cli("state", "show", "posts.a", "--state", state_location).out)
    assert shown["proposal"] == "github-pr-1"
    # The text output lists it, with the reason, and the summary counts it; still exit 0.
    text = cli("apply", catalog, "--auto-approve", "--state", state_location)
    assert text.code == 0 and "Held (not reviewed)" in text.out and "posts.b" in text.out and "1 held" in text.output
    assert _posted(sandbox) == ["Reviewed"]


def test_a_text_edited_after_the_review_is_held(state_location, sandbox, cli, write):
    catalog = _tweets(write, a="Tickets on sale at 10:00")
    cli("plan", catalog, "--state", state_location, "--propose", "github-pr-2")
    cli("review", "approve", "github-pr-2", "--state", state_location)
    catalog = _tweets(write, a="Tickets on sale at 09:00")  # a later push, never reviewed
    records, _ = _apply_json(cli, catalog, state_location)
    assert records["posts.a"]["outcome"] == "held"
    assert "differs from the one reviewed in github-pr-2" in records["posts.a"]["reason"]
    assert _posted(sandbox) == []


def test_two_prs_merged_in_the_other_order_with_an_apply_between_are_both_published(
    state_location, sandbox, cli, write, tmp_path
):
    base = _tweets(write)
    pr1, pr2 = tmp_path / "pr1", tmp_path / "pr2"
    for folder, names in ((pr1, {"a": "First PR"}), (pr2, {"b": "Second PR"})):
        shutil.copytree(base, folder)
        entries = "".join(
            f"  {n}:\n    type: twitter/post\n    identity: club-twitter\n    message: {m}\n" for n, m in names.items()
        )
        (folder / "c.yaml").write_text("posts:\n" + entries)
    assert cli("plan", pr1, "--state", state_location, "--propose", "github-pr-1").code == 0
    assert cli("plan", pr2, "--state", state_location, "--propose", "github-pr-2").code == 0
    # The second is merged first and applied; then the first lands on top of it.
    _apply_json(cli, pr2, state_location, "--approve", "github-pr-2")
    both = _tweets(write, a="First PR", b="Second PR")
    records, _ = _apply_json(cli, both, state_location, "--approve", "github-pr-1")
    assert records["posts.a"]["outcome"] == "done"
    assert _posted(sandbox) == ["First PR", "Second PR"]


def test_a_scheduled_tweet_approved_at_merge_is_published_when_due(state_location, sandbox, cli, write, monkeypatch):
    due = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=40)  # past expires_after from the proposal
    write("publisher.yaml", RULE)
    catalog = write(
        "c.yaml",
        f"posts:\n  later:\n    type: twitter/post\n    identity: {TWEET_TOKEN}\n    message: Season opener\n"
        f'    publish_at: "{timestamp(due)}"\n',
    ).parent
    cli("plan", catalog, "--state", state_location, "--propose", "github-pr-3")
    assert json.loads(cli("review", "show", "github-pr-3", "--state", state_location, "--format", "json").out)["changes"][0][
        "due"
    ]
    _apply_json(cli, catalog, state_location, "--approve", "github-pr-3")  # at merge: not due yet
    assert _posted(sandbox) == []
    monkeypatch.setenv("PUBLISHER_NOW", timestamp(due + dt.timedelta(hours=1)))  # a scheduled run, once due
    records, _ = _apply_json(cli, catalog, state_location)
    assert records["posts.later"]["outcome"] == "done" and _posted(sandbox) == ["Season opener"]
    shown = json.loads(cli("review", "show", "github-pr-3", "--state", state_location, "--format", "json").out)
    assert shown["changes"][0]["done"] is True


def test_a_delete_is_held_until_a_proposal_holds_it(state_location, sandbox, cli, write):
    catalog = _tweets(write, a="Soon gone")
    cli("plan", catalog, "--state", state_location, "--propose", "github-pr-4")
    _apply_json(cli, catalog, state_location, "--approve", "github-pr-4")
    assert _posted(sandbox) == ["Soon gone"]
    catalog = _tweets(write)  # a nightly export came out empty
    records, _ = _apply_json(cli, catalog, state_location)
    assert records["posts.a"]["outcome"] == "held" and records["posts.a"]["action"] == "delete"
    assert _posted(sandbox) == ["Soon gone"]
    cli("plan", catalog, "--state", state_location, "--propose", "github-pr-5")
    records, _ = _apply_json(cli, catalog, state_location, "--approve", "github-pr-5")
    assert records["posts.a"]["outcome"] == "done" and _posted(sandbox) == []


def test_the_break_glass_carries_out_everything_and_is_logged(state_location, sandbox, cli, write, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTOR", "oncall-bob")
    catalog = _tweets(write, a="Pricing correction")
    records, _ = _apply_json(cli, catalog, state_location, "--unreviewed", "pricing error on the live site")
    assert records["posts.a"]["outcome"] == "done" and records["posts.a"]["proposal"] == "break-glass"
    listing = json.loads(cli("review", "list", "--state", state_location, "--format", "json").out)
    [entry] = listing["break_glass"]
    assert entry["reason"] == "pricing error on the live site" and entry["by"] == "oncall-bob"
    assert [c["address"] for c in entry["changes"]] == ["posts.a"]
    assert "pricing error on the live site" in cli("review", "list", "--state", state_location).out


def test_an_expired_proposal_approves_nothing(state_location, sandbox, cli, write):
    catalog = _tweets(write, a="Old news")
    cli("plan", catalog, "--state", state_location, "--propose", "github-pr-6")
    reviews = open_store(state_location).reviews
    proposal = reviews.proposal("github-pr-6")
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=31)
    reviews.propose(Proposal(proposal.id, timestamp(old), proposal.proposed_by, proposal.commit, proposal.changes))
    refused = cli("review", "approve", "github-pr-6", "--state", state_location)
    assert refused.code == 1 and "expired" in refused.err and "cannot be approved" in refused.err
    assert cli("apply", catalog, "--auto-approve", "--state", state_location, "--approve", "github-pr-6").code == 1
    # Approved in time, then expired before the apply: held, and says why.
    reviews.approve(reviews.proposal("github-pr-6"), "alice", old + dt.timedelta(days=1))
    records, _ = _apply_json(cli, catalog, state_location)
    assert records["posts.a"]["outcome"] == "held" and "github-pr-6 expired" in records["posts.a"]["reason"]
    assert _posted(sandbox) == []
    assert (
        json.loads(cli("review", "list", "--state", state_location, "--format", "json").out)["proposals"][0]["status"]
        == "approved"
    )


def test_a_proposal_from_one_checkout_is_applied_from_another_on_one_postgresql_state(pg_server, sandbox, cli, write, tmp_path):
    location = pg_server.url(query="name=checkouts")
    pr = _tweets(write, a="From the PR runner")
    cli("plan", pr, "--state", location, "--propose", "gitlab-mr-7")
    runner = tmp_path / "apply-runner"
    shutil.copytree(pr, runner)
    records, _ = _apply_json(cli, runner, location, "--approve", "gitlab-mr-7")
    assert records["posts.a"]["outcome"] == "done" and _posted(sandbox) == ["From the PR runner"]


def test_no_proposal_holds_a_token_or_an_api_key(state_location, sandbox, cli, write):
    catalog = _tweets(write, a="Nothing secret")
    cli("plan", catalog, "--state", state_location, "--propose", "github-pr-8", "--var", "x=1")
    cli("apply", catalog, "--auto-approve", "--state", state_location, "--approve", "github-pr-8")
    cli("apply", catalog, "--auto-approve", "--state", state_location, "--unreviewed", "test")
    backend = open_store(state_location).backend
    stored = b"".join(
        backend.get_document(kind, name) or b""
        for kind in ("proposals", "approvals", "break-glass")
        for name in backend.document_names(kind)
    )
    assert b"github-pr-8" in stored
    for secret in (TWEET_TOKEN, "test-private", "test-public"):
        assert secret.encode() not in stored


@pytest.mark.parametrize("bad", ["github pr 1", "pr\x07bell", "pr\n1", "../etc", "pr-\u202e1", "x" * 65, ""])
def test_a_proposal_id_must_be_a_short_printable_name(bad, cli, write, tmp_path):
    catalog = _tweets(write, a="Hi")
    for command in (["plan", catalog, "--propose", bad], ["review", "approve", bad], ["review", "show", bad]):
        run = cli(*command, "--state", tmp_path / "s.json")
        assert run.code == 1 and "proposal id" in run.err and "Traceback" not in run.err, run.output
    assert not (tmp_path / "s.json.proposals").exists()


def test_unknown_proposals_and_bad_settings_are_one_clear_message(cli, write, tmp_path):
    catalog = _tweets(write, a="Hi")
    state = tmp_path / "s.json"
    unknown = cli("review", "approve", "github-pr-404", "--state", state)
    assert unknown.code == 1 and "no proposal 'github-pr-404'" in unknown.err
    assert cli("review", "show", "github-pr-404", "--state", state).code == 1
    write("publisher.yaml", "review: {required: true, expires_after: soon}\n")
    bad = cli("plan", catalog, "--state", state)
    assert bad.code == 1 and "publisher.yaml:1" in bad.err and "expires_after" in bad.err and "30d" in bad.err, bad.err
    write("publisher.yaml", RULE)
    both = cli("apply", catalog, "--auto-approve", "--state", state, "--reviewed-only", "--unreviewed", "why")
    assert both.code == 1 and "contradict" in both.err
    empty = cli("apply", catalog, "--auto-approve", "--state", state, "--unreviewed", "  ")
    assert empty.code == 1 and "--unreviewed REASON" in empty.err


def test_without_the_rule_nothing_changes(sandbox, cli, write, tmp_path):
    catalog = write(
        "c.yaml", f"posts:\n  a:\n    type: twitter/post\n    identity: {TWEET_TOKEN}\n    message: As before\n"
    ).parent
    run = cli("apply", catalog, "--auto-approve", "--state", tmp_path / "s.json")
    assert run.code == 0 and _posted(sandbox) == ["As before"] and "held" not in run.output
    held = cli("apply", catalog, "--auto-approve", "--state", tmp_path / "t.json", "--reviewed-only")
    assert held.code == 0 and "Held (not reviewed)" in held.out and _posted(sandbox) == ["As before"]


def test_hostile_names_reasons_and_documents_are_refused_with_one_message(cli, write, tmp_path):
    catalog = _tweets(write, a="Hi")
    state = tmp_path / "s.json"
    assert cli("plan", catalog, "--state", state, "--propose", "github-pr-1").code == 0
    for by in ("alice\x1b[31m", "", "x" * 101):
        run = cli("review", "approve", "github-pr-1", "--state", state, "--by", by)
        assert run.code == 1 and "--by" in run.err and "Traceback" not in run.err
    for reason in ("line one\nline two", "\x07", "x" * 501):
        run = cli("apply", catalog, "--auto-approve", "--state", state, "--unreviewed", reason)
        assert run.code == 1 and "--unreviewed REASON" in run.err
    (tmp_path / "s.json.proposals" / "github-pr-1.json").write_text('{"format_version": 1, "id": "github-pr-1"}')
    broken = cli("review", "list", "--state", state)
    assert broken.code == 1 and "proposals/github-pr-1" in broken.err and "missing field" in broken.err, broken.err
    (tmp_path / "s.json.proposals" / "github-pr-1.json").write_text("not json")
    assert "not a publisher review document" in cli("review", "show", "github-pr-1", "--state", state).err


def test_prune_removes_only_proposals_that_can_approve_nothing(state_location, cli, write):
    from publisher.state.reviews import ProposedChange

    _tweets(write, a="Hi")
    reviews = open_store(state_location).reviews
    now = dt.datetime.now(dt.UTC)
    old, recent = timestamp(now - dt.timedelta(days=45)), timestamp(now - dt.timedelta(days=1))
    change = ProposedChange("posts.a", "create", "sha256:" + "1" * 64)
    later = ProposedChange("posts.b", "create", "sha256:" + "2" * 64, due=timestamp(now + dt.timedelta(days=3)))
    reviews.propose(Proposal("github-pr-1", old, "alice", None, [change]))  # expired
    reviews.propose(Proposal("github-pr-2", recent, "alice", None, [change]))  # still open
    reviews.propose(Proposal("github-pr-3", old, "alice", None, [change, later]))  # a post still to come
    reviews.approve(reviews.proposal("github-pr-1"), "bob", now - dt.timedelta(days=44))
    run = cli("review", "prune", "--state", state_location)
    assert run.code == 0 and "Removed 1 proposal(s): github-pr-1" in run.out, run.output
    assert [p.id for p in open_store(state_location).reviews.proposals()] == ["github-pr-2", "github-pr-3"]
    assert open_store(state_location).backend.get_document("approvals", "github-pr-1") is None
