"""What a user of any command-line tool expects: NO_COLOR, --debug anywhere, no ignored
options, the state found from any folder of the catalog, proxies and CA bundles honoured."""

from __future__ import annotations

import socket
import sys
import threading

import pytest

import publisher.workflows.plan
from publisher.cli import options

from conftest import CAMP_NOU, HELLO_TWEET, STADIUM


@pytest.mark.parametrize(("value", "coloured"), [(None, True), ("", True), ("1", False), ("true", False)])
def test_only_a_non_empty_no_color_turns_colour_off(monkeypatch, value, coloured):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    if value is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", value)
    assert options.color(False) is coloured
    assert options.color(True) is False


@pytest.mark.parametrize("where", ["before", "after"])
@pytest.mark.parametrize("command", ["validate", "plan", "state list", "schema", "unlock"])
def test_debug_is_accepted_anywhere_on_every_command(cli, write, tmp_path, where, command):
    write("c.yaml", HELLO_TWEET)
    words = command.split()
    args = ["--debug", *words] if where == "before" else [*words, "--debug"]
    run = cli(*args, *([tmp_path / "catalog"] if command in ("validate", "plan") else []))
    assert "No such option" not in run.err


def test_debug_before_the_command_shows_the_traceback_of_a_bug(cli, write, tmp_path, monkeypatch):
    write("c.yaml", HELLO_TWEET)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(publisher.workflows.plan, "make_plan", broken)
    assert "rerun with --debug" in cli("plan", tmp_path / "catalog").err
    with pytest.raises(RuntimeError, match="boom"):
        cli("--debug", "plan", tmp_path / "catalog")


@pytest.mark.parametrize("option", [["--state", "x.json"], ["--no-color"]])
def test_validate_refuses_options_it_would_ignore(cli, write, tmp_path, option):
    write("c.yaml", HELLO_TWEET)
    run = cli("validate", tmp_path / "catalog", *option)
    assert run.code == 1
    assert "No such option" in run.err


def test_state_commands_find_the_catalogs_state_from_any_folder_inside_it(sandbox, cli, write, tmp_path, monkeypatch):
    write("publisher.yaml", "state: states/club.json\n")
    write("boards.yaml", STADIUM + CAMP_NOU)
    write("deep/folder/readme.yaml", "posts: {}\n")
    assert cli("apply", tmp_path / "catalog", "--auto-approve").code == 0
    assert (tmp_path / "catalog" / "states" / "club.json").is_file()
    monkeypatch.chdir(tmp_path / "catalog" / "deep" / "folder")
    listing = cli("state", "list")
    assert listing.code == 0, listing.err
    assert [line.split("\t")[0] for line in listing.out.splitlines()] == ["boards.stadium", "pins.camp-nou"]
    assert cli("state", "show", "pins.camp-nou").code == 0
    unlock = cli("unlock", "any-id")
    assert unlock.code == 1
    assert f"the state is not locked ({tmp_path / 'catalog' / 'states' / 'club.json.lock'} does not exist)" in unlock.err


def test_state_list_without_a_state_says_so(cli, write, tmp_path, monkeypatch):
    write("publisher.yaml", "vars: {}\n")
    monkeypatch.chdir(tmp_path / "catalog")
    run = cli("state", "list")
    assert run.code == 1
    assert "publisher.state.json: there is no state here" in run.err
    assert cli("state", "pull").code == 1


class RecordingProxy:
    """A proxy on loopback that records the first line of each request and refuses it."""

    def __init__(self) -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen()
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}"
        self.lines: list[str] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            with connection:
                self.lines.append(connection.recv(4096).decode(errors="replace").splitlines()[0])
                connection.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")


def test_https_goes_through_https_proxy_unless_no_proxy_says_otherwise(cli, write, tmp_path, monkeypatch):
    proxy = RecordingProxy()
    write("c.yaml", HELLO_TWEET)
    monkeypatch.setenv("ONEALL_SUBDOMAIN", "club")
    monkeypatch.setenv("ONEALL_PUBLIC_KEY", "public")
    monkeypatch.setenv("ONEALL_PRIVATE_KEY", "private")
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    run = cli("apply", tmp_path / "catalog", "--auto-approve")
    assert run.code == 1
    assert "cannot reach the OneAll API at https://club.api.oneall.com through the proxy of HTTPS_PROXY" in run.err
    assert proxy.url not in run.output  # a proxy's address may hold a password
    # Only the tunnel's address: the keys travel inside TLS, which the proxy cannot read.
    assert proxy.lines and all(line.startswith("CONNECT club.api.oneall.com:443 HTTP/") for line in proxy.lines)
    monkeypatch.setenv("NO_PROXY", ".oneall.com")
    seen = len(proxy.lines)
    run = cli("apply", tmp_path / "catalog", "--auto-approve")  # straight to the API host: the test's guard stops it
    assert "through the proxy" not in run.err
    assert len(proxy.lines) == seen


def test_a_proxy_never_sees_plain_http_to_the_local_sandbox(sandbox, cli, write, tmp_path, monkeypatch):
    proxy = RecordingProxy()
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("ALL_PROXY", proxy.url)
    write("c.yaml", HELLO_TWEET)
    run = cli("apply", tmp_path / "catalog", "--auto-approve")
    assert run.code == 0, run.output
    assert proxy.lines == []


def test_a_missing_ca_bundle_is_a_clear_error(cli, write, tmp_path, monkeypatch):
    write("c.yaml", HELLO_TWEET)
    monkeypatch.setenv("ONEALL_SUBDOMAIN", "club")
    monkeypatch.setenv("ONEALL_PUBLIC_KEY", "public")
    monkeypatch.setenv("ONEALL_PRIVATE_KEY", "private")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "corporate-ca.pem"))
    run = cli("apply", tmp_path / "catalog", "--auto-approve")
    assert run.code == 1
    assert f"REQUESTS_CA_BUNDLE='{tmp_path / 'corporate-ca.pem'}': no such file or directory" in run.err


def test_counts_are_written_as_people_write_them(cli, write, tmp_path):
    """Found: "1 resources in 1 files", "1 items"."""
    write("c.yaml", HELLO_TWEET)
    run = cli("validate", tmp_path / "catalog")
    assert run.out.strip() == "1 resource in 1 file: valid."


def test_publisher_alone_prints_the_help_and_succeeds(cli):
    run = cli()
    assert run.code == 0 and "Usage: publisher" in run.out and "plan" in run.out


@pytest.mark.parametrize(
    "environment, coloured",
    [({"FORCE_COLOR": "1"}, True), ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False), ({"FORCE_COLOR": "1", "TERM": "dumb"}, False),
     ({}, False)],
)  # fmt: skip
def test_colour_follows_force_color_no_color_and_term(environment, coloured, cli, write, tmp_path, monkeypatch):
    for name in ("FORCE_COLOR", "NO_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    write("c.yaml", HELLO_TWEET)
    run = cli("plan", tmp_path / "catalog", "--state", tmp_path / "s.json")
    assert ("\x1b[" in run.out) is coloured, run.out
