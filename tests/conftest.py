"""Shared fixtures: the sandbox on loopback, a CLI runner, and a guard against the real world."""

from __future__ import annotations

import ipaddress
import os
import socket
import textwrap
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from publisher.cli import main
from publisher.sandbox import Sandbox

REPO = Path(__file__).resolve().parents[1]  # the repository: examples/, schemas/, docs/, tests/data/
PIN_TOKEN = "2af20011-8965-471b-8f6b-8b66a611aae6"
TWEET_TOKEN = "7c9e6679-7425-40de-944b-e07fc1f90ae7"

# Manifest pieces many tests start from.
STADIUM = f"""
identities:
  club: {PIN_TOKEN}
boards:
  stadium:
    identity: club
    name: Stadium
"""
CAMP_NOU = """
pins:
  camp-nou:
    identity: club
    board: {ref: boards.stadium}
    description: Camp Nou at night
    picture: https://cdn.example.com/camp-nou.jpg
"""
HELLO_TWEET = f"""
posts:
  hello:
    type: twitter/post
    identity: {TWEET_TOKEN}
    message: Hello
"""


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection to a host other than loopback fails the test."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        if isinstance(address, tuple):
            host = address[0]
            try:
                loopback = ipaddress.ip_address(host).is_loopback
            except ValueError:
                loopback = host == "localhost"
            if not loopback:
                raise AssertionError(f"test tried to reach {host}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No real credentials, and a working directory that holds no real state file."""
    for name in list(os.environ):
        # CI itself sets CI and GITHUB_ACTIONS: each test says whether it runs "in CI".
        if name.startswith("ONEALL_") or name in (
            "CI", "GITHUB_ACTIONS", "GITLAB_CI", "GITHUB_STEP_SUMMARY", "PUBLISHER_STATE", "PUBLISHER_NOW",
        ):  # fmt: skip
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


class RunningSandbox:
    def __init__(self, server: Sandbox) -> None:
        self.server = server
        self.url = server.url

    def requests(self) -> list[dict[str, Any]]:
        """The API requests the sandbox received, read over HTTP like any client would."""
        return requests.get(self.url + "/_sandbox/requests", timeout=5).json()

    def clear(self) -> None:
        requests.delete(self.url + "/_sandbox/requests", timeout=5)

    def objects(self) -> list[dict[str, Any]]:
        return requests.get(self.url + "/_sandbox/objects", timeout=5).json()

    def fault(self, **fault: Any) -> None:
        requests.post(self.url + "/_sandbox/faults", json=fault, timeout=5).raise_for_status()


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Any:
    server = Sandbox(public_key="test-public", private_key="test-private").start()
    monkeypatch.setenv("ONEALL_API_URL", server.url)
    monkeypatch.setenv("ONEALL_PUBLIC_KEY", "test-public")
    monkeypatch.setenv("ONEALL_PRIVATE_KEY", "test-private")
    yield RunningSandbox(server)
    server.stop()


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def output(self) -> str:
        return self.out + self.err


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """Run `publisher ARGS...` in-process and return its exit code and output."""

    def run(*args: str) -> Run:
        capsys.readouterr()
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a manifest (dedented) under the test's catalog directory."""

    def write_file(name: str, text: str) -> Path:
        path = tmp_path / "catalog" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write_file


@pytest.fixture(scope="session")
def pg_server():
    """A real PostgreSQL server on loopback, for the whole session."""
    from servers import postgres

    with postgres() as server:
        yield server


@pytest.fixture(scope="session")
def s3_server():
    """A real S3-compatible server (SeaweedFS) on loopback, for the whole session."""
    from servers import seaweedfs

    with seaweedfs() as server:
        yield server


@pytest.fixture
def s3_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    from servers import S3Server

    for name, value in S3Server.environment().items():
        monkeypatch.setenv(name, value)


@pytest.fixture(params=["local", "postgres", "s3"])
def state_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """One fresh state location on each backend."""
    unique = f"t{uuid.uuid4().hex[:12]}"
    if request.param == "local":
        return str(tmp_path / "shared" / "publisher.state.json")
    if request.param == "postgres":
        return request.getfixturevalue("pg_server").url(query=f"name={unique}")
    server = request.getfixturevalue("s3_server")
    request.getfixturevalue("s3_credentials")
    server.client().create_bucket(Bucket=unique)
    return server.url(unique, "catalog/state.json", lease="3s")


@pytest.fixture(scope="session")
def browser() -> Any:
    """Headless Chromium (Debian's package), driven by Playwright. Missing, it fails the test:
    `make test` installs it, and a browser test that skips would prove nothing."""
    import shutil

    from playwright.sync_api import sync_playwright

    executable = os.environ.get("PUBLISHER_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not executable:
        pytest.fail("Chromium is not installed: apt-get install chromium (make test does, as root)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def json_refs(node: Any) -> Any:
    """Every `$ref` in a JSON Schema, at any depth."""
    if isinstance(node, dict):
        if "$ref" in node:
            yield node["$ref"]
        for value in node.values():
            yield from json_refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from json_refs(item)
