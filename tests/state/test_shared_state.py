"""A state shared by CI runners, in PostgreSQL or S3: every runner sees the same state, under
one lock; no runner ever posts twice, whatever runs at once or dies. Real servers throughout."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from servers import PG_PASSWORD, S3_SECRET, S3Server, free_port

from publisher.sandbox import Behaviour, Sandbox
from publisher.state.locations import open_store

from conftest import PIN_TOKEN, TWEET_TOKEN

TWEETS = 40
# A process that takes the lock, says its id, and holds it until it is killed.
_HOLDER = """
import sys, time
from publisher.state.locations import open_store
with open_store(sys.argv[1]).lock(sys.argv[2]) as lock_id:
    print(lock_id, flush=True)
    time.sleep(600)
"""


def _tweets(folder: Path, messages: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    entries = "".join(
        f"  t{index}:\n    type: twitter/post\n    identity: {TWEET_TOKEN}\n    message: {message}\n"
        for index, message in enumerate(messages)
    )
    (folder / "c.yaml").write_text("posts:\n" + entries)
    return folder


def _posted(server: Sandbox) -> dict[str, list[str]]:
    """Tweet ids by message, as the network holds them."""
    found: dict[str, list[str]] = {}
    for (_network, kind, object_id), obj in list(server.api.store.objects.items()):
        if kind == "post":
            found.setdefault(obj.get("message", ""), []).append(object_id)
    return found


def _env(server: Sandbox) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ONEALL_", "PUBLISHER_"))}
    env.update(ONEALL_API_URL=server.url, ONEALL_PUBLIC_KEY=server.public_key, ONEALL_PRIVATE_KEY=server.private_key)
    return {**env, **S3Server.environment()}


def _publisher(*args: str, server: Sandbox) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "publisher", *args]
    return subprocess.Popen(command, env=_env(server), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture(params=["postgres", "s3"])
def shared(request: pytest.FixtureRequest) -> str:
    """A fresh shared state location (the S3 lock lease is short, for the kill test)."""
    unique = f"t{uuid.uuid4().hex[:12]}"
    if request.param == "postgres":
        return request.getfixturevalue("pg_server").url(query=f"name={unique}")
    request.getfixturevalue("s3_credentials")
    server = request.getfixturevalue("s3_server")
    server.client().create_bucket(Bucket=unique)
    return server.url(unique, "state.json", lease="2s")


def test_apply_plan_and_state_commands_work_on_a_shared_state(shared, sandbox, cli, tmp_path):
    catalog = _tweets(tmp_path / "catalog", ["hello world"])
    assert cli("apply", catalog, "--auto-approve", "--state", shared).code == 0
    assert cli("plan", catalog, "--state", shared, "--detailed-exitcode").code == 0
    listed = cli("state", "list", "--state", shared)
    assert listed.code == 0 and "posts.t0\ttwitter/post" in listed.out
    pulled = cli("state", "pull", "--state", shared)
    assert pulled.code == 0 and '"serial": 1' in pulled.out
    assert TWEET_TOKEN not in pulled.out and PG_PASSWORD not in pulled.output + listed.output
    assert not (catalog / "publisher.state.json").exists()  # nothing in the checkout


def test_publisher_state_and_the_project_file_name_the_location_too(shared, sandbox, cli, tmp_path, monkeypatch):
    catalog = _tweets(tmp_path / "catalog", ["hello world"])
    (catalog / "publisher.yaml").write_text(f"state: {shared!r}\n".replace("'", '"'))
    assert cli("apply", catalog, "--auto-approve").code == 0
    monkeypatch.setenv("PUBLISHER_STATE", shared)
    assert "posts.t0" in cli("state", "list").out
    assert not (catalog / "publisher.state.json").exists()


def _two_checkouts(tmp_path: Path) -> tuple[Path, Path]:
    """Two clones of one repository; the second one commit ahead, with one more tweet. When
    the second applies first, the first finds its changes applied and does nothing."""
    origin = tmp_path / "origin"
    _tweets(origin, [f"tweet {i}" for i in range(TWEETS)])
    git = ["git", "-c", "user.email=ci@example.com", "-c", "user.name=ci"]
    subprocess.run([*git, "init", "-q", str(origin)], check=True)
    subprocess.run([*git, "-C", str(origin), "add", "."], check=True)
    subprocess.run([*git, "-C", str(origin), "commit", "-qm", "first"], check=True)
    _tweets(origin, [f"tweet {i}" for i in range(TWEETS + 1)])
    subprocess.run([*git, "-C", str(origin), "commit", "-qam", "second"], check=True)
    for clone in ("a", "b"):  # full clones, as CI makes them: each knows both commits
        subprocess.run(["git", "clone", "-q", str(origin), str(tmp_path / clone)], check=True)
    subprocess.run(["git", "-C", str(tmp_path / "a"), "checkout", "-q", "HEAD~1"], check=True)
    return tmp_path / "a", tmp_path / "b"


def test_two_runners_at_the_same_moment_post_every_item_exactly_once(shared, tmp_path):
    server = Sandbox(behaviour=Behaviour(latency=0.01)).start()
    try:
        first, second = _two_checkouts(tmp_path)
        location = shared.replace("lock_lease=2s", "lock_lease=60s")  # a slow renewal must not hand it over
        runs = [_publisher("apply", str(c), "--auto-approve", "--state", location, "--lock-timeout", "5m", server=server)
                for c in (first, second)]  # fmt: skip
        outputs = [run.communicate(timeout=300) for run in runs]
        assert [run.returncode for run in runs] == [0, 0], outputs
        posts = [entry for entry in server.log if entry["method"] == "POST"]
        messages = [entry["body"]["request"]["push"]["post"]["message"] for entry in posts]
        assert sorted(set(messages)) == sorted(f"tweet {i}" for i in range(TWEETS + 1))
        assert len(messages) == len(set(messages)), "a tweet was posted twice"
    finally:
        server.stop()


def _settle(cli, catalog: Path, shared: str, server: Sandbox) -> None:
    """What a person does after a crash: apply, resolve what is pending, until done."""
    for _ in range(10):
        run = cli("apply", catalog, "--auto-approve", "--state", shared, "--lock-timeout", "30s")
        if run.code == 0:
            return
        assert "publisher state resolve" in run.output, run.output
        posted = _posted(server)
        for address, record in open_store(shared).read().resources.items():
            if record.status == "pending":
                found = posted.get(record.inputs["message"], [])
                assert len(found) <= 1
                args = ["--id", found[0]] if found else ["--absent"]
                assert cli("state", "resolve", address, *args, "--state", shared).code == 0
    raise AssertionError("apply did not settle")


@pytest.mark.slow
def test_sigkill_of_the_lock_holder_at_10_random_moments_posts_nothing_twice(shared, cli, tmp_path, monkeypatch):
    moments = random.Random(20261201)
    for number in range(10):
        server = Sandbox(behaviour=Behaviour(latency=0.015)).start()
        for name, value in _env(server).items():
            monkeypatch.setenv(name, value)
        location = (
            shared.replace("name=", f"name=r{number}-")
            if shared.startswith("postgresql")
            else shared.replace("state.json", f"r{number}.json")
        )
        try:
            catalog = _tweets(tmp_path / f"round{number}", [f"tweet {i}" for i in range(TWEETS)])
            run = _publisher("apply", str(catalog), "--auto-approve", "--state", location, server=server)
            time.sleep(moments.uniform(0.35, 1.0))
            run.send_signal(signal.SIGKILL)
            run.wait()
            _settle(cli, catalog, location, server)
            posted = _posted(server)
            assert sorted(posted) == sorted(f"tweet {i}" for i in range(TWEETS))
            assert all(len(ids) == 1 for ids in posted.values()), posted
            assert cli("plan", catalog, "--state", location, "--detailed-exitcode").code == 0
        finally:
            server.stop()


def test_on_postgresql_the_next_runner_proceeds_at_once_after_a_kill(pg_server, sandbox, cli, tmp_path):
    shared = pg_server.url(query=f"name=k{uuid.uuid4().hex[:8]}")
    catalog = _tweets(tmp_path / "catalog", ["hello world"])
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, shared, "publisher apply (killed)"], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip()
    assert "locked by 'publisher apply (killed)'" in cli("apply", catalog, "--auto-approve", "--state", shared).err
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    for _ in range(600):  # the server notices the closed connection within milliseconds; 30 s at most
        run = cli("apply", catalog, "--auto-approve", "--state", shared)
        if run.code == 0:
            break
        time.sleep(0.05)
    assert run.code == 0, run.output


def test_unlock_force_frees_a_postgresql_lock_whose_holder_froze(pg_server, cli, tmp_path):
    shared = pg_server.url(query=f"name=f{uuid.uuid4().hex[:8]}")
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, shared, "publisher apply (frozen)"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        lock_id = holder.stdout.readline().strip()
        holder.send_signal(signal.SIGSTOP)
        refused = cli("unlock", lock_id, "--state", shared)  # its session is alive: it may wake and write
        assert refused.code == 1 and "held by a live run" in refused.err and "--force" in refused.err
        assert cli("unlock", lock_id, "--state", shared, "--force").code == 0
        with open_store(shared).lock("publisher apply (next)"):
            pass
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize(
    "problem",
    ["unreachable database", "wrong password", "missing bucket", "access denied", "unknown scheme", "bad option"],
)
def test_bad_state_locations_are_one_clear_message_and_nothing_is_sent(problem, request, sandbox, cli, tmp_path, monkeypatch):
    catalog = _tweets(tmp_path / "catalog", ["hello world"])
    if problem == "unreachable database":
        location, expected = (
            f"postgresql://postgres:{PG_PASSWORD}@127.0.0.1:{free_port()}/postgres",
            "cannot reach the PostgreSQL state",
        )
    elif problem == "wrong password":
        location, expected = (
            request.getfixturevalue("pg_server").url(password="not-the-password"),
            "password authentication failed",
        )
    elif problem == "missing bucket":
        request.getfixturevalue("s3_credentials")
        location, expected = request.getfixturevalue("s3_server").url("no-such-bucket", "state.json"), "does not exist"
    elif problem == "access denied":
        request.getfixturevalue("s3_credentials")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
        server = request.getfixturevalue("s3_server")
        server.client().create_bucket(Bucket="denied")
        location, expected = server.url("denied", "state.json"), "access denied"
    elif problem == "unknown scheme":
        location, expected = "ftp://example.com/state.json", "unknown state location scheme 'ftp'"
    else:
        location, expected = "s3://bucket/key?lock_lease=soon", "lock_lease: 'soon' is not a duration"
    for command in (["plan", catalog], ["apply", catalog, "--auto-approve"], ["state", "list"]):
        run = cli(*command, "--state", location)
        assert run.code == 1, run.output
        assert expected in run.err and "Traceback" not in run.err
        assert "not-the-password" not in run.err and S3_SECRET not in run.err and PIN_TOKEN not in run.err
    assert sandbox.requests() == []


@pytest.mark.parametrize("extra, location", [("postgres", "postgresql://db.example.com/x"), ("s3", "s3://bucket/key")])
def test_a_missing_driver_names_the_pip_command(extra, location, cli, tmp_path, monkeypatch):
    import importlib.util

    from publisher.state import locations

    real = importlib.util.find_spec
    monkeypatch.setattr(
        locations.importlib.util, "find_spec", lambda name, *a: None if name in ("psycopg", "boto3") else real(name, *a)
    )
    run = cli("plan", _tweets(tmp_path / "catalog", ["x"]), "--state", location)
    assert run.code == 1
    assert f"pip install 'content-catalog-publisher[{extra}]'" in run.err


def test_the_s3_endpoint_may_come_from_aws_endpoint_url_s3(s3_server, s3_credentials, sandbox, cli, tmp_path, monkeypatch):
    bucket = f"e{uuid.uuid4().hex[:12]}"
    s3_server.client().create_bucket(Bucket=bucket)
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", s3_server.endpoint)
    location = f"s3://{bucket}/state.json?path_style=true"
    assert cli("apply", _tweets(tmp_path / "catalog", ["hello"]), "--auto-approve", "--state", location).code == 0
    assert "posts.t0" in s3_server.client().get_object(Bucket=bucket, Key="state.json")["Body"].read().decode()


def test_state_mv_and_rm_edit_a_shared_state_under_its_lock(shared, sandbox, cli, tmp_path):
    catalog = _tweets(tmp_path / "catalog", ["one", "two"])
    assert cli("apply", catalog, "--auto-approve", "--state", shared).code == 0
    assert cli("state", "mv", "posts.t0", "posts.first", "--state", shared).code == 0
    assert cli("state", "rm", "posts.t1", "--state", shared, "--lock-timeout", "5s").code == 0
    assert set(open_store(shared).read().resources) == {"posts.first"}
    with open_store(shared).lock("publisher apply (other)"):
        held = cli("state", "rm", "posts.first", "--state", shared)
    assert held.code == 1 and "locked by 'publisher apply (other)'" in held.err
    assert set(open_store(shared).read().resources) == {"posts.first"}


def test_no_token_key_or_environment_value_reaches_a_shared_backend(shared, request, sandbox, cli, tmp_path, monkeypatch):
    monkeypatch.setenv("PLANTED", "planted-secret-7f3a91")
    catalog = _tweets(tmp_path / "catalog", ["hello"])
    (catalog / "publisher.yaml").write_text(f"identities:\n  club: {TWEET_TOKEN}\n")
    monkeypatch.setenv("CLUB_TOKEN", TWEET_TOKEN)
    sandbox.fault(status=500, info="lost", count=1)  # a pending create: its record stays in the journal
    cli("apply", catalog, "--auto-approve", "--state", shared)
    if shared.startswith("postgresql"):
        import psycopg

        with psycopg.connect(shared.split("?")[0], autocommit=True) as connection:
            rows = connection.execute(
                "SELECT document FROM publisher.publisher_states UNION ALL SELECT event FROM publisher.publisher_journal "
                "UNION ALL SELECT info FROM publisher.publisher_locks"
            ).fetchall()
        stored = "\n".join(row[0] for row in rows)
    else:
        client = request.getfixturevalue("s3_server").client()
        bucket = shared.split("/")[2]
        keys = [item["Key"] for item in client.list_objects_v2(Bucket=bucket).get("Contents", [])]
        stored = "\n".join(client.get_object(Bucket=bucket, Key=key)["Body"].read().decode() for key in keys)
    assert "posts.t0" in stored
    for secret in (TWEET_TOKEN, "test-public", "test-private", "planted-secret-7f3a91"):
        assert secret not in stored


def test_a_runner_frozen_past_its_lease_sends_nothing_more_when_it_wakes(s3_server, s3_credentials, cli, tmp_path, monkeypatch):
    """Its lease ran out while it was frozen and the next runner took over: the frozen one,
    resumed, must not post what the other may post too."""
    bucket = f"z{uuid.uuid4().hex[:12]}"
    s3_server.client().create_bucket(Bucket=bucket)
    location = s3_server.url(bucket, "state.json", lease="2s")
    server = Sandbox(behaviour=Behaviour(latency=0.05)).start()
    for name, value in _env(server).items():
        monkeypatch.setenv(name, value)
    try:
        catalog = _tweets(tmp_path / "catalog", [f"tweet {i}" for i in range(TWEETS)])
        frozen = _publisher("apply", str(catalog), "--auto-approve", "--state", location, "--concurrency", "1", server=server)
        for _ in range(3000):  # until it is posting
            if len(_posted(server)) >= 3:
                break
            time.sleep(0.01)
        frozen.send_signal(signal.SIGSTOP)
        try:
            _settle(cli, catalog, location, server)  # waits out the lease, takes over, finishes the work
        finally:
            frozen.send_signal(signal.SIGCONT)
        _, err = frozen.communicate(timeout=120)
        assert frozen.returncode == 1 and "no longer holds the state's lock" in err, err
        posted = _posted(server)
        assert sorted(posted) == sorted(f"tweet {i}" for i in range(TWEETS))
        assert all(len(ids) == 1 for ids in posted.values()), posted
        # Found: the resumed writer left a journal object without its header, which wedged every
        # command ("not a publisher journal"). Its writes are fenced: the state reads, and the
        # next plan has nothing to do.
        assert not open_store(location).unfinished()
        assert cli("plan", catalog, "--state", location, "--detailed-exitcode").code == 0
    finally:
        server.stop()
