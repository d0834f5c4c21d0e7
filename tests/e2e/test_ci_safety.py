"""CI that would post twice or early: a missing state secret, PUBLISHER_NOW against a real
API, one file taken for the whole catalog, a plan written through a symlink."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from test_ci_templates import run_step

from conftest import HELLO_TWEET, REPO, TWEET_TOKEN

LATER = f"""
posts:
  embargoed:
    type: twitter/post
    identity: {TWEET_TOKEN}
    message: Not before the 20th
    publish_at: "2026-12-20T09:00:00Z"
"""


@pytest.mark.parametrize("ci", [{"CI": "true"}, {"GITHUB_ACTIONS": "true"}, {"GITLAB_CI": "true"}])
def test_under_ci_apply_starts_no_throwaway_state_file(ci, sandbox, cli, write, tmp_path, monkeypatch):
    """Found: an unset PUBLISHER_STATE secret fell back to a file in the runner, and every
    scheduled run posted everything again."""
    for name, value in ci.items():
        monkeypatch.setenv(name, value)
    catalog = write("c.yaml", HELLO_TWEET).parent
    refused = cli("apply", catalog, "--auto-approve")
    assert refused.code == 1 and "PUBLISHER_STATE" in refused.err and "--state" in refused.err
    assert sandbox.requests() == [] and not (catalog / "publisher.state.json").exists()
    # Named on purpose, a local state is started: with --state, PUBLISHER_STATE or publisher.yaml.
    assert cli("apply", catalog, "--auto-approve", "--state", tmp_path / "mine.json").code == 0
    monkeypatch.setenv("PUBLISHER_STATE", str(tmp_path / "shared.json"))
    assert cli("apply", catalog, "--auto-approve").code == 0
    monkeypatch.delenv("PUBLISHER_STATE")
    write("publisher.yaml", "state: kept/publisher.state.json\n")
    assert cli("apply", catalog, "--auto-approve").code == 0
    assert len(sandbox.requests()) == 3  # one per state: each started on purpose


@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_publisher_state_is_an_error_for_every_command(value, sandbox, cli, write, monkeypatch):
    monkeypatch.setenv("PUBLISHER_STATE", value)
    catalog = write("c.yaml", HELLO_TWEET).parent
    for command in (["plan", catalog], ["apply", catalog, "--auto-approve"], ["state", "list"]):
        run = cli(*command)
        assert run.code == 1 and "PUBLISHER_STATE is set but empty" in run.err, run.output
    assert sandbox.requests() == [] and not (catalog / "publisher.state.json").exists()


def test_publisher_now_previews_and_applies_only_against_the_sandbox(sandbox, cli, write, monkeypatch, tmp_path):
    """Found: an embargoed tweet went out on the 3rd with PUBLISHER_NOW set to the 20th."""
    catalog = write("c.yaml", LATER).parent
    monkeypatch.setenv("PUBLISHER_NOW", "2026-12-21T00:00:00Z")
    assert "posts.embargoed" in cli("plan", catalog).out  # a preview: due on the 21st
    monkeypatch.setenv("ONEALL_API_URL", "https://club.api.oneall.com")
    refused = cli("apply", catalog, "--auto-approve")
    assert refused.code == 1 and "PUBLISHER_NOW" in refused.err and "never a real API" in refused.err
    assert "2026-12-21" not in refused.err  # no value read from the environment is shown
    monkeypatch.setenv("ONEALL_API_URL", sandbox.url)
    allowed = cli("apply", catalog, "--auto-approve")
    assert allowed.code == 0 and "applying as of 2026-12-21T00:00:00Z against the API on this machine" in allowed.err
    assert [o["message"] for o in sandbox.objects()] == ["Not before the 20th"]


def test_a_saved_plan_made_for_a_later_time_is_not_applied_early(sandbox, cli, write, monkeypatch, tmp_path):
    catalog = write("c.yaml", LATER).parent
    monkeypatch.setenv("PUBLISHER_NOW", "2026-12-21T00:00:00Z")
    assert cli("plan", catalog, "--out", tmp_path / "plan.json").code == 0
    monkeypatch.delenv("PUBLISHER_NOW")
    refused = cli("apply", tmp_path / "plan.json", "--auto-approve")
    assert refused.code == 1 and "a time still to come" in refused.err
    assert sandbox.requests() == []


@pytest.mark.parametrize("command", [["plan"], ["apply", "--auto-approve"], ["calendar"]])
def test_one_file_is_never_taken_for_the_whole_catalog(command, sandbox, cli, write, tmp_path):
    """Found: `publisher plan catalog/posts.yaml` planned to delete everything in the other files."""
    write("posts.yaml", HELLO_TWEET)
    catalog = write("more.yaml", HELLO_TWEET.replace("hello", "again")).parent
    assert cli("apply", catalog, "--auto-approve").code == 0
    run = cli(command[0], catalog / "posts.yaml", *command[1:])
    assert run.code == 1 and "takes the catalog folder, not a file" in run.err and "--target" in run.err
    two = cli(command[0], catalog, tmp_path, *command[1:])
    assert two.code == 1 and "one catalog folder" in two.err
    assert len(sandbox.requests()) == 2  # the two creates of the first apply, nothing deleted
    assert cli("validate", catalog / "posts.yaml").code == 0  # validate still takes files


def test_the_action_writes_its_plan_files_anew_never_through_a_symlink(sandbox, tmp_path):
    """Found: a PR committed publisher-plan.md as a symlink, and the plan step wrote outside the checkout."""
    club = tmp_path / "club"
    club.mkdir()
    (club / "c.yaml").write_text(HELLO_TWEET)
    outside = tmp_path.parent / f"{tmp_path.name}-outside.txt"
    outside.write_text("untouched\n")
    for name in ("publisher-plan.md", "publisher-plan.html", "publisher-plan.json"):
        os.symlink(outside, tmp_path / name)
    plan = run_step("plan", {"command": "plan", "path": "club"}, tmp_path, tmp_path / "out")
    assert plan.returncode == 0, plan.stderr
    assert outside.read_text() == "untouched\n"
    assert not (tmp_path / "publisher-plan.md").is_symlink()
    assert (tmp_path / "publisher-plan.md").read_text().startswith("<!-- publisher-plan -->")


def test_the_gitlab_template_fetches_the_whole_history():
    import yaml

    template = yaml.safe_load((REPO / "examples" / "gitlab" / "publisher.gitlab-ci.yml").read_text())
    assert template["variables"]["GIT_DEPTH"] == 0
    assert any("rm -f publisher-plan.md" in line for line in template["publisher-plan"]["script"])


def test_validate_runs_as_the_pre_commit_hook_with_no_secret_at_all(write, tmp_path):
    write("publisher.yaml", "identities:\n  club: \"{{ env('CLUB_TWITTER_TOKEN') }}\"\n")
    catalog = write("c.yaml", HELLO_TWEET.replace(TWEET_TOKEN, "club")).parent
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ONEALL_", "CLUB_"))}
    done = subprocess.run(
        [sys.executable, "-m", "publisher", "validate", "--changed", str(catalog / "c.yaml")],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
