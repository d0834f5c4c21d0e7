"""Variants: one post written once, tailored per network, one object per variant. Against the
sandbox over HTTP."""

from __future__ import annotations

import json

import pytest

from conftest import TWEET_TOKEN

LAUNCH = f"""
identities:
  club-twitter: {TWEET_TOKEN}
  club-linkedin: 9b2e7c1a-6d4f-4e8b-a1c3-5f7d9e0b2a4c
  club-facebook: 3f2504e0-4f89-41d3-9a0c-0305e82c3301
posts:
  launch:
    variants:
      twitter:  {{type: twitter/post, identity: club-twitter, message: "New season on Saturday! https://www.fcbarcelona.com/"}}
      linkedin: {{type: linkedin/post, identity: club-linkedin, title: A new season}}
      facebook: {{type: facebook/page/post, identity: club-facebook, page_id: "104512345678901"}}
    message: The new season starts on Saturday.
    link: https://www.fcbarcelona.com/
    labels: [launch]
"""


def _bodies(sandbox) -> dict[str, dict]:
    """The body each network was sent, by network."""
    sent = {}
    for request in sandbox.requests():
        if request["method"] == "POST":
            network = request["path"].split("/")[4]
            sent[network] = next(iter(request["body"]["request"]["push"].values()))
    return sent


def test_a_launch_written_once_makes_one_object_per_network(sandbox, cli, write, tmp_path):
    catalog = write("c.yaml", LAUNCH).parent
    state = tmp_path / "s.json"
    planned = json.loads(cli("plan", catalog, "--state", state, "--format", "json").out)
    assert [c["address"] for c in planned["changes"]] == [
        "posts.launch.facebook",
        "posts.launch.linkedin",
        "posts.launch.twitter",
    ]
    assert cli("apply", catalog, "--auto-approve", "--state", state).code == 0
    sent = _bodies(sandbox)
    assert sent["twitter"] == {"message": "New season on Saturday! https://www.fcbarcelona.com/"}
    assert sent["linkedin"]["message"] == "The new season starts on Saturday." and sent["linkedin"]["title"] == "A new season"
    assert sent["linkedin"]["link"] == "https://www.fcbarcelona.com/"
    assert sent["facebook"]["message"] == "The new season starts on Saturday."
    assert sent["facebook"]["link"] == "https://www.fcbarcelona.com/"
    assert cli("plan", catalog, "--state", state, "--detailed-exitcode").code == 0  # the next plan is empty
    records = json.loads((state).read_text())["resources"]
    assert all(records[a]["labels"] == ["launch"] for a in records)


def test_a_too_long_shared_text_fails_on_the_tweet_only_at_its_line(cli, write, tmp_path):
    long = "A" * 300
    text = LAUNCH.replace('message: "New season on Saturday! https://www.fcbarcelona.com/"', "title: x").replace(
        "message: The new season starts on Saturday.", f"message: {long}"
    )
    text = text.replace("{type: twitter/post, identity: club-twitter, title: x}", "{type: twitter/post, identity: club-twitter}")
    catalog = write("c.yaml", text).parent
    run = cli("validate", catalog)
    lines = [line for line in run.err.splitlines() if ": posts." in line]
    assert run.code == 1 and len(lines) == 1, run.err
    line_of_message = text.lstrip("\n").splitlines().index(f"    message: {long}") + 1
    assert lines[0].startswith(f"catalog/c.yaml:{line_of_message}:") and "posts.launch.twitter.message" in lines[0]


def test_a_shared_field_no_variant_accepts_fails_at_its_line(cli, write):
    text = LAUNCH.replace("    labels: [launch]\n", "    board: {ref: boards.stadium}\n")
    catalog = write("c.yaml", text).parent
    run = cli("validate", catalog)
    line = text.lstrip("\n").splitlines().index("    board: {ref: boards.stadium}") + 1
    assert run.code == 1 and f"c.yaml:{line}:" in run.err and "posts.launch.board: no variant's type has field 'board'" in run.err


@pytest.mark.parametrize(
    ("variant", "said"),
    [
        ("Twitter: {type: twitter/post, identity: club-twitter}", "a variant name is lower-case"),
        ("mastodon: {identity: club-twitter}", "a variant needs its own 'type'"),
        ("pin: {type: pinterest/pin, identity: club-twitter}", "cannot be declared under posts"),
    ],
)
def test_bad_variants_are_one_clear_message(variant, said, cli, write):
    text = LAUNCH.replace("      facebook: {", f"      {variant}\n      facebook: {{")
    run = cli("validate", write("c.yaml", text).parent)
    assert run.code == 1 and said in run.err and "Traceback" not in run.err, run.err


def test_a_target_selects_one_variant_or_all_of_an_entry(sandbox, cli, write, tmp_path):
    catalog = write("c.yaml", LAUNCH).parent
    state = tmp_path / "s.json"
    assert cli("apply", catalog, "--auto-approve", "--state", state, "--target", "posts.launch.linkedin").code == 0
    assert list(_bodies(sandbox)) == ["linkedin"]
    planned = json.loads(cli("plan", catalog, "--state", state, "--target", "posts.launch", "--format", "json").out)
    assert sorted(c["address"] for c in planned["changes"] if c["action"] == "create") == [
        "posts.launch.facebook",
        "posts.launch.twitter",
    ]


def test_moving_an_entry_into_variants_recreates_nothing(sandbox, cli, write, tmp_path):
    catalog = write(
        "c.yaml",
        f"identities:\n  club-twitter: {TWEET_TOKEN}\nposts:\n  launch:\n    type: twitter/post\n    identity: club-twitter\n"
        "    message: New season on Saturday! https://www.fcbarcelona.com/\n",
    ).parent
    state = tmp_path / "s.json"
    assert cli("apply", catalog, "--auto-approve", "--state", state).code == 0
    sandbox.clear()
    write("c.yaml", LAUNCH + "moved:\n  - {from: posts.launch, to: posts.launch.twitter}\n")
    planned = json.loads(cli("plan", catalog, "--state", state, "--format", "json").out)
    actions = {c["address"]: c["action"] for c in planned["changes"]}
    assert actions["posts.launch.twitter"] == "no-op" and "posts.launch" not in actions
    assert cli("apply", catalog, "--auto-approve", "--state", state).code == 0
    assert sorted(_bodies(sandbox)) == ["facebook", "linkedin"]  # the tweet stays as it was
