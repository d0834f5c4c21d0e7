"""Bent inputs: hostile API addresses, numbers too long to convert, malformed states and
journals, edited saved plans. Each ends in exit 1 with one clear message, nothing sent or written."""

from __future__ import annotations

import json
import re

import pytest

from publisher.applying.client import api_url_from
from publisher.errors import PublisherError

from conftest import HELLO_TWEET, PIN_TOKEN


@pytest.mark.parametrize(
    "subdomain",
    [
        "127.0.0.1:8910/x?",  # found: a URL to another host, with the keys
        "evil.example.com#",  # another host, the rest cut off
        "club.api.oneall.com.evil.example",  # dots
        "club/../x",  # a path
        "-club",  # not a label
        "c" * 64,  # too long for a label
        "club site",  # a space
    ],
)
def test_oneall_subdomain_must_be_a_dns_label(subdomain):
    with pytest.raises(PublisherError, match="ONEALL_SUBDOMAIN is not a site name"):
        api_url_from({"ONEALL_SUBDOMAIN": subdomain})


def test_a_real_subdomain_is_accepted():
    assert api_url_from({"ONEALL_SUBDOMAIN": "fc-barcelona2"}) == "https://fc-barcelona2.api.oneall.com"


@pytest.mark.parametrize(
    "url, message",
    [
        ("https://api.example.com/?next=", "without ? or #"),
        ("https://api.example.com/#x", "without ? or #"),
        ("https://user:pass@api.example.com", "must not contain credentials"),
        ("http://api.example.com", "plain http:// only for a loopback address"),
        ("file:///etc/passwd", "must be an http(s) URL"),
    ],
)
def test_oneall_api_url_must_be_a_plain_base_url(url, message):
    with pytest.raises(PublisherError, match=re.escape(message)):
        api_url_from({"ONEALL_API_URL": url})


def test_a_bent_subdomain_sends_nothing(sandbox, cli, write, tmp_path, monkeypatch):
    monkeypatch.delenv("ONEALL_API_URL")
    monkeypatch.setenv("ONEALL_SUBDOMAIN", sandbox.url.removeprefix("http://") + "/x?")
    write("c.yaml", HELLO_TWEET)
    run = cli("apply", tmp_path / "catalog", "--auto-approve")
    assert run.code == 1 and "is not a site name" in run.err
    assert sandbox.requests() == []


@pytest.mark.parametrize("where", ["value", "list item", "hexadecimal"])
def test_a_5000_digit_number_in_a_manifest_is_a_clear_error(where, cli, write, tmp_path):
    number = "9" * 5000
    field = {
        "value": f"    description: {number}\n",
        "list item": f"    tags: [1, {number}]\n",
        "hexadecimal": f"    description: 0x{'f' * 4998}\n",
    }[where]
    write("c.yaml", f"boards:\n  b:\n    identity: {PIN_TOKEN}\n    name: B\n{field}")
    run = cli("validate", tmp_path / "catalog")
    assert run.code == 1 and "catalog/c.yaml:5:" in run.err and "5,000 digits" in run.err
    assert "Traceback" not in run.err


def test_a_5000_digit_number_in_the_state_or_its_journal_is_a_clear_error(cli, write, tmp_path):
    write("c.yaml", HELLO_TWEET)
    state = tmp_path / "catalog" / "publisher.state.json"
    state.write_text(f'{{"format_version": 1, "lineage": "l", "serial": {"9" * 5000}, "resources": {{}}}}')
    run = cli("plan", tmp_path / "catalog")
    assert run.code == 1 and "the state is not valid JSON" in run.err and "Traceback" not in run.err
    state.write_text('{"format_version": 1, "lineage": "l", "serial": 1, "resources": {}}')
    header = json.dumps({"journal": 1, "lineage": "l", "base_serial": 1})
    (tmp_path / "catalog" / "publisher.state.json.journal").write_text(f"{header}\n{'9' * 5000}\n{header}\n")
    run = cli("plan", tmp_path / "catalog")
    assert run.code == 1 and "the journal is damaged" in run.err and "Traceback" not in run.err


@pytest.mark.parametrize(
    "resources, message",
    [
        ("[]", "resources must be a JSON object"),  # found: read as empty, everything posted again
        ('{"posts.hello": {"type": "twitter/post"}}', "missing field"),  # found: exit 3
        ('{"posts.hello": "created"}', "a record must be a JSON object"),
        ('{"posts.hello": {"type": "p", "identity": 1, "status": "created", "inputs": {}}}', 'identity: must be {"alias"'),
    ],
)
def test_a_malformed_state_is_refused_not_read_as_empty(resources, message, sandbox, cli, write, tmp_path):
    write("c.yaml", HELLO_TWEET)
    state = tmp_path / "catalog" / "publisher.state.json"
    state.write_text(f'{{"format_version": 1, "lineage": "l", "serial": 3, "resources": {resources}}}')
    before = state.read_text()
    run = cli("apply", tmp_path / "catalog", "--auto-approve")
    assert run.code == 1 and message in run.err and "publisher.state.json" in run.err
    assert sandbox.requests() == [] and state.read_text() == before


def _saved_plan(cli, write, tmp_path):
    write("c.yaml", HELLO_TWEET)
    out = tmp_path / "plan.json"
    assert cli("plan", tmp_path / "catalog", "--out", out).code == 0
    return out, json.loads(out.read_text())


@pytest.mark.parametrize(
    "edit",
    [
        "body",  # found: a body changed in the file was posted, while `show` printed the reviewed text
        "public text",  # what `show` prints, and nothing else
        "both",  # the body and what `show` prints, consistently
        "added resource",
        "action",
        "identity",
    ],
)
def test_an_edited_saved_plan_is_refused_and_nothing_is_sent(edit, sandbox, cli, write, tmp_path):
    out, document = _saved_plan(cli, write, tmp_path)
    body = document["resources"]["posts.hello"]["body"]
    change = document["plan"]["changes"][0]
    if edit in ("body", "both"):
        body["message"] = "Buy crypto now"
    if edit in ("public text", "both"):
        change["after"]["message"] = "Buy crypto now"
    if edit == "added resource":
        document["resources"]["posts.extra"] = {**document["resources"]["posts.hello"], "body": {"message": "extra"}}
    if edit == "action":
        change["action"] = "delete"
    if edit == "identity":
        document["resources"]["posts.hello"]["identity"] = "sha256:" + "0" * 64
    out.write_text(json.dumps(document))
    run = cli("apply", out, "--auto-approve")
    assert run.code == 1 and "the file was edited after it was made" in run.err, run.output
    assert sandbox.requests() == []
    assert not (tmp_path / "catalog" / "publisher.state.json").exists()


def test_an_unedited_saved_plan_applies_once(sandbox, cli, write, tmp_path):
    out, _ = _saved_plan(cli, write, tmp_path)
    assert cli("apply", out, "--auto-approve").code == 0
    assert [o["message"] for o in sandbox.objects()] == ["Hello"]
    again = cli("apply", out, "--auto-approve")
    assert again.code == 1 and "make a new plan" in again.err


def test_debug_shows_the_message_first_and_the_traceback_after(cli, write, tmp_path):
    write("c.yaml", "boards:\n  b:\n    identity: nobody\n")  # found: --debug printed only a traceback
    run = cli("validate", tmp_path / "catalog", "--debug")
    assert run.code == 1
    lines = run.err.splitlines()
    assert lines[0].startswith("catalog/c.yaml:2:3: boards.b:") and "Traceback" in run.err
