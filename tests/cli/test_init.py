"""`publisher init`: a scaffold that validates, plans against the sandbox, and never overwrites."""

from __future__ import annotations

import json

import yaml

TOKENS = {
    "TWITTER_IDENTITY_TOKEN": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    "FACEBOOK_IDENTITY_TOKEN": "3f2504e0-4f89-41d3-9a0c-0305e82c3301",
    "LINKEDIN_IDENTITY_TOKEN": "9b2e7c1a-6d4f-4e8b-a1c3-5f7d9e0b2a4c",
    "PINTEREST_IDENTITY_TOKEN": "2af20011-8965-471b-8f6b-8b66a611aae6",
    "YOUTUBE_IDENTITY_TOKEN": "0b7f3c2e-5d1a-4c9e-8f2b-6a4d3e1c9e11",
}
NETWORKS = ["twitter", "facebook", "linkedin", "pinterest", "youtube"]


def test_the_scaffold_validates_plans_and_applies_against_the_sandbox(sandbox, cli, tmp_path, monkeypatch):
    args = [arg for network in NETWORKS for arg in ("--network", network)]
    run = cli("init", "catalog", *args)
    assert run.code == 0, run.output
    assert "TWITTER_IDENTITY_TOKEN" in run.out and "publisher validate catalog" in run.out
    assert cli("validate", "catalog").code == 0  # no secret needed
    for name, token in TOKENS.items():
        monkeypatch.setenv(name, token)
    planned = json.loads(cli("plan", "catalog", "--format", "json").out)
    assert planned["summary"]["create"] == 6  # a tweet, page post, LinkedIn post, board and pin, playlist
    assert cli("apply", "catalog", "--auto-approve").code == 0
    assert len(sandbox.objects()) == 6
    assert (tmp_path / "catalog" / "schemas" / "manifest.json").is_file()
    first = (tmp_path / "catalog" / "twitter.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=schemas/manifest.json"
    workflow = yaml.safe_load((tmp_path / ".github" / "workflows" / "publisher.yml").read_text())
    paths = [s["with"]["path"] for job in workflow["jobs"].values() for s in job["steps"] if "with" in s and "path" in s["with"]]
    assert paths and set(paths) == {"catalog/"}
    assert "7c9e6679" not in (tmp_path / "catalog" / "publisher.yaml").read_text()  # tokens stay out of git


def test_init_never_overwrites(cli, tmp_path):
    assert cli("init", "catalog").code == 0
    (tmp_path / "catalog" / "twitter.yaml").write_text("# mine\n")
    again = cli("init", "catalog", "--network", "pinterest")
    assert again.code == 1 and "already exist" in again.err and "nothing was written" in again.err
    assert (tmp_path / "catalog" / "twitter.yaml").read_text() == "# mine\n"
    assert not (tmp_path / "catalog" / "pinterest.yaml").exists()


def test_init_for_gitlab_and_bad_choices(cli, tmp_path):
    assert cli("init", "content", "--ci", "gitlab").code == 0
    template = yaml.safe_load((tmp_path / "publisher.gitlab-ci.yml").read_text())
    assert template["variables"]["PUBLISHER_CATALOG"] == "content/"
    assert cli("init", "other", "--network", "myspace").code == 1
    outside = cli("init", str(tmp_path.parent / "elsewhere"))
    assert outside.code == 1 and "inside the working directory" in outside.err
