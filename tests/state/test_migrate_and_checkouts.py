"""Moving a state between backends, and an older checkout that must not undo a newer one."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

from publisher.state.locations import open_store

from conftest import HELLO_TWEET, TWEET_TOKEN

GIT = ["git", "-c", "user.email=ci@example.com", "-c", "user.name=ci"]


def test_a_state_moves_from_a_file_to_postgresql_to_s3_and_plans_the_same(
    pg_server, s3_server, s3_credentials, sandbox, cli, write, tmp_path
):
    catalog = write("c.yaml", HELLO_TWEET).parent
    assert cli("apply", catalog, "--auto-approve").code == 0
    local = catalog / "publisher.state.json"
    lineage = open_store(str(local)).read().lineage
    database = pg_server.url(query=f"name=m{uuid.uuid4().hex[:8]}")
    bucket = f"m{uuid.uuid4().hex[:12]}"
    s3_server.client().create_bucket(Bucket=bucket)
    bucket_url = s3_server.url(bucket, "state.json")
    moved = cli("state", "migrate", "--state", local, "--to", database)
    assert moved.code == 0, moved.output
    assert cli("state", "migrate", "--state", database, "--to", bucket_url).code == 0
    for location in (database, bucket_url):
        assert open_store(location).read().lineage == lineage
        assert cli("plan", catalog, "--state", location, "--detailed-exitcode").code == 0
    assert len(sandbox.requests()) == 1  # the one tweet, posted once, before any migration


def test_migrate_refuses_a_target_that_holds_another_state_unless_forced(pg_server, sandbox, cli, write, tmp_path):
    catalog = write("c.yaml", HELLO_TWEET).parent
    other = _tweets_elsewhere(tmp_path / "other")
    database = pg_server.url(query=f"name=x{uuid.uuid4().hex[:8]}")
    assert cli("apply", other, "--auto-approve", "--state", database).code == 0
    assert cli("apply", catalog, "--auto-approve").code == 0
    refused = cli("state", "migrate", "--state", catalog / "publisher.state.json", "--to", database)
    assert refused.code == 1 and "holds another state" in refused.err
    assert set(open_store(database).read().resources) == {"posts.other"}  # nothing was copied
    forced = cli("state", "migrate", "--state", catalog / "publisher.state.json", "--to", database, "--force")
    assert forced.code == 0, forced.output
    assert set(open_store(database).read().resources) == {"posts.hello"}


def _tweets_elsewhere(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "c.yaml").write_text(f"posts:\n  other:\n    type: twitter/post\n    identity: {TWEET_TOKEN}\n    message: Other\n")
    return folder


def _repository(tmp_path: Path) -> Path:
    """A git work tree holding one tweet, its state ignored."""
    repository = tmp_path / "repo"
    repository.mkdir()
    subprocess.run([*GIT, "init", "-q", str(repository)], check=True)
    (repository / ".gitignore").write_text("publisher.state.json*\n.publisher/\n")
    (repository / "c.yaml").write_text(HELLO_TWEET)
    return repository


def _commit(repository: Path, message: str) -> str:
    subprocess.run([*GIT, "-C", str(repository), "add", "."], check=True)
    subprocess.run([*GIT, "-C", str(repository), "commit", "-qm", message], check=True)
    done = subprocess.run(["git", "-C", str(repository), "rev-parse", "HEAD"], check=True, capture_output=True, text=True)
    return done.stdout.strip()


def test_an_older_checkout_does_nothing_and_the_same_or_a_newer_one_applies(sandbox, cli, tmp_path):
    repository = _repository(tmp_path)
    first = _commit(repository, "first")
    state = str(tmp_path / "shared.state.json")  # outside the checkout, as a shared state is
    assert cli("apply", repository, "--auto-approve", "--state", state).code == 0
    (repository / "c.yaml").write_text(
        HELLO_TWEET + "  world:\n    type: twitter/post\n    identity: " + TWEET_TOKEN + "\n    message: World\n"
    )
    second = _commit(repository, "second")
    assert cli("apply", repository, "--auto-approve", "--state", state).code == 0
    assert open_store(state).read().commit == second
    assert cli("apply", repository, "--auto-approve", "--state", state).code == 0  # the same commit again: a scheduled run

    # Two merges racing: the older run comes second. The newer commit holds its changes.
    subprocess.run(["git", "-C", str(repository), "checkout", "-q", first], check=True)
    older = cli("apply", repository, "--auto-approve", "--state", state)
    assert older.code == 0, older.output
    assert first[:12] in older.err and second[:12] in older.err and "already holds its changes" in older.err
    assert len(sandbox.requests()) == 2 and "World" in str(sandbox.objects())  # nothing was deleted
    assert open_store(state).read().commit == second

    allowed = cli("apply", repository, "--auto-approve", "--state", state, "--allow-older")
    assert allowed.code == 0, allowed.output
    assert open_store(state).read().commit == first


def test_a_catalog_outside_git_is_never_refused(sandbox, cli, write, tmp_path):
    catalog = write("c.yaml", HELLO_TWEET).parent
    assert cli("apply", catalog, "--auto-approve").code == 0
    assert open_store(str(catalog / "publisher.state.json")).read().commit is None


def test_a_shallow_clone_without_the_applied_commit_is_refused_naming_the_fix(sandbox, cli, tmp_path):
    """Found: `git merge-base` failed in a shallow clone and was read as "not older"."""
    repository = _repository(tmp_path)
    _commit(repository, "first")
    state = str(tmp_path / "shared.state.json")
    assert cli("apply", repository, "--auto-approve", "--state", state).code == 0
    (repository / "README").write_text("newer\n")
    _commit(repository, "second")
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repository}", str(shallow)], check=True)
    refused = cli("apply", shallow, "--auto-approve", "--state", state)
    assert refused.code == 1 and "does not have" in refused.err and "fetch-depth: 0" in refused.err, refused.output
    assert len(sandbox.requests()) == 1
    assert cli("apply", shallow, "--auto-approve", "--state", state, "--allow-older").code == 0


def test_a_local_state_file_left_beside_a_shared_state_is_named(pg_server, sandbox, cli, write, tmp_path):
    from conftest import HELLO_TWEET

    catalog = write("c.yaml", HELLO_TWEET).parent
    (catalog / "publisher.state.json").write_text("{}")  # left over from before the move to PostgreSQL
    location = pg_server.url(query="name=leftover")
    run = cli("plan", catalog, "--state", location)
    assert run.code == 0 and "a local publisher.state.json is here" in run.err and "is not read" in run.err
    assert "migrate" in run.err and pg_server.url() not in run.err  # the location is shown masked
    alone = cli("plan", catalog, "--state", str(catalog / "publisher.state.json"))
    assert "publisher.state.json is here" not in alone.err


def test_the_state_commands_take_the_catalog_folder(sandbox, cli, write, tmp_path):
    from conftest import HELLO_TWEET

    catalog = write("c.yaml", HELLO_TWEET).parent
    write("publisher.yaml", "state: kept/state.json\n")
    assert cli("apply", catalog, "--auto-approve").code == 0
    listed = cli("state", "list", "--state", catalog)  # from anywhere: the state plan would use
    assert listed.code == 0 and "posts.hello" in listed.out, listed.output
    assert cli("review", "list", "--state", catalog).code == 0
