"""The pre-commit hook as users get it: `pre-commit try-repo` on a repository with a catalog."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import REPO, TWEET_TOKEN

ROOT = REPO
PRE_COMMIT = Path(sys.executable).with_name("pre-commit")


@pytest.fixture(scope="module")
def hook_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One pre-commit cache for the module: the hook's environment is built once."""
    return tmp_path_factory.mktemp("pre-commit-home")


def git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}  # fmt: skip
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def try_repo(repo: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    command = [str(PRE_COMMIT), "try-repo", str(ROOT), "publisher-validate", *args]
    return subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True, timeout=900, check=False)


def test_the_hook_finds_each_catalog_and_reports_file_and_line(tmp_path, hook_home):
    repo = tmp_path / "site"
    catalog = repo / "content" / "club"
    catalog.mkdir(parents=True)
    (catalog / "publisher.yaml").write_text(f"identities:\n  club: {TWEET_TOKEN}\n")
    tweets = textwrap.dedent("""\
        posts:
          hello:
            type: twitter/post
            identity: club
            message: Hello
        """)
    (catalog / "posts.yaml").write_text(tweets)
    (repo / "notes.yaml").write_text("not: a manifest\n")  # in no catalog: skipped
    (repo / ".pre-commit-config.yaml").write_text("repos: []\n")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "catalog")

    passed = try_repo(repo, hook_home, "--all-files")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "publisher validate" in passed.stdout and "Passed" in passed.stdout

    (catalog / "posts.yaml").write_text(tweets.replace("message: Hello", "message: Hello\n    colour: blue"))
    git(repo, "add", ".")
    failed = try_repo(repo, hook_home)  # the staged change, as at commit time
    assert failed.returncode == 1
    assert "Failed" in failed.stdout
    assert "content/club/posts.yaml:6:5: posts.hello.colour: unknown field 'colour'" in failed.stdout
