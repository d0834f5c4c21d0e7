"""Bent inputs: hostile API addresses, numbers too long to convert, malformed states and
journals, edited saved plans. Each ends in exit 1 with one clear message, nothing sent or written."""

from __future__ import annotations

import json
import re

import pytest

from publisher.api.client import api_url_from
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
        ("[]", "resources: must be a JSON object"),  # found: read as empty, everything posted again
        ('{"posts.hello": {"type": "twitter/post"}}', "missing field"),  # found: exit 3
        ('{"posts.hello": "created"}', "resources.posts.hello: must be a JSON object"),
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


@pytest.mark.parametrize(
    "field, value",
    [
        ("type", "twitter/post</style><meta http-equiv=refresh content=0;url=https://evil.example>"),  # found
        ("type", "evil/kind"),
        ("address", 'posts.x" onmouseover="alert(1)'),
    ],
)
def test_show_refuses_a_saved_plan_with_an_unknown_type_or_a_bent_address(field, value, cli, write, tmp_path):
    out, document = _saved_plan(cli, write, tmp_path)
    document["plan"]["changes"][0][field] = value
    out.write_text(json.dumps(document))
    for format_ in ("html", "text", "markdown"):
        run = cli("show", out, "--format", format_)
        assert run.code == 1 and "not a readable publisher plan" in run.err and "<meta" not in run.out


def test_the_plan_page_puts_only_known_network_names_into_its_style():
    from publisher.output.page import page

    html = page("t", "", ["twitter", "x</style><script>alert(1)</script>", "Bad-Name"], "")
    assert "</style><script>" not in html and "show-Bad-Name" not in html and 'id="show-twitter"' in html


@pytest.mark.parametrize("alias", ["club\\n2026-12-03 posted", "club team", "club\\u202e", "a:b"])
def test_an_identity_alias_follows_the_entry_name_rule(alias, cli, write, tmp_path):
    """Found: an alias with a newline faked a row of the calendar."""
    write("publisher.yaml", f'identities:\n  "{alias}": {PIN_TOKEN}\n')
    write("c.yaml", HELLO_TWEET)
    run = cli("validate", tmp_path / "catalog")
    assert run.code == 1 and "is not an identity alias" in run.err and "\n2026-12-03 posted" not in run.err


@pytest.mark.parametrize("target", ["/proc/self/environ", "outside.yaml", "../outside-dir"])
def test_a_manifest_linked_from_outside_the_catalog_is_refused(target, cli, write, tmp_path):
    catalog = write("c.yaml", HELLO_TWEET).parent
    (tmp_path / "outside.yaml").write_text("posts: {}\n")
    (tmp_path / "outside-dir").mkdir()
    (tmp_path / "outside-dir" / "x.yaml").write_text("posts: {}\n")
    source = tmp_path / target if not target.startswith("/") else target
    link = catalog / ("linked" if target == "../outside-dir" else "linked.yaml")
    link.symlink_to(source if target != "../outside-dir" else tmp_path / "outside-dir")
    for command in (["validate"], ["plan"]):
        run = cli(*command, catalog)
        if target == "../outside-dir":  # a folder link is not followed: its files are not the catalog's
            assert run.code == 0, run.output
        else:
            assert run.code == 1 and "a link to a file outside the catalog" in run.err and "Traceback" not in run.err


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("d.json", '[{"sku": "A", "sku": "B"}]', "the key 'sku' appears twice in one object"),
        ("d.json", '{"rows": [{"a": 1}], "rows": []}', "the key 'rows' appears twice"),
        ("d.csv", "sku,name,sku\nA,x,B\n", "line 1: the column 'sku' appears twice in the header"),
        ("d.csv", "sku,sku\n", "the column 'sku' appears twice"),
    ],
)
def test_a_data_file_with_a_key_or_column_twice_is_an_error(name, content, message, cli, write, tmp_path):
    catalog = write(name, content).parent
    write(
        "c.yaml",
        f"posts:\n  t:\n    type: twitter/post\n    identity: {PIN_TOKEN}\n    message: \"{{{{ data('{name}') | length }}}}\"\n",
    )
    run = cli("validate", catalog)
    assert run.code == 1 and message in run.err, run.err


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "1969-12-31T00:00:00Z"])
def test_a_time_near_the_ends_of_the_calendar_is_one_clear_error(moment, cli, write, tmp_path):
    write("c.yaml", HELLO_TWEET + f'    publish_at: "{moment}"\n')
    for command in ("validate", "plan", "calendar"):
        run = cli(command, tmp_path / "catalog")
        assert run.code == 1 and "between the years 1970 and 9000" in run.err, run.output


def test_expire_at_before_publish_at_is_an_error(cli, write, tmp_path):
    write("c.yaml", HELLO_TWEET + '    publish_at: "2027-01-02T00:00:00Z"\n    expire_at: "2027-01-01T00:00:00Z"\n')
    run = cli("validate", tmp_path / "catalog")
    assert run.code == 1 and "c.yaml:7:5: posts.hello.expire_at: comes before publish_at" in run.err, run.err


def test_the_sandbox_listens_on_ipv6_loopback_and_refuses_a_bad_data_file(tmp_path):
    import subprocess
    import sys

    from publisher.sandbox import Sandbox

    server = Sandbox(host="::1").start()
    try:
        assert server.url.startswith("http://[::1]:")
        assert api_url_from({"ONEALL_API_URL": server.url}) == server.url
    finally:
        server.stop()
    for content in ("garbage{", '{"objects": 5}', '{"objects": [[1]]}', "[]"):
        (tmp_path / "bad.json").write_text(content)
        done = subprocess.run([sys.executable, "-m", "publisher", "sandbox", "--port", "0", "--data", str(tmp_path / "bad.json")],
                              capture_output=True, text=True, timeout=60)  # fmt: skip
        assert done.returncode == 1 and "not a sandbox data file" in done.stderr, done.stderr


def test_import_generate_shows_bidi_controls_from_the_api_as_escapes(sandbox, cli, write, tmp_path):
    from conftest import CAMP_NOU, STADIUM

    write("c.yaml", STADIUM + CAMP_NOU.replace("Camp Nou at night", "Camp Nou \u202egnp.exe\u202c at night"))
    catalog = tmp_path / "catalog"
    assert cli("apply", catalog, "--auto-approve").code == 0
    state = json.loads((catalog / "publisher.state.json").read_text())["resources"]
    board_id, pin_id = state["boards.stadium"]["id"], state["pins.camp-nou"]["id"]
    run = cli("import", "pins.other", pin_id, catalog, "--generate", "--identity", "club", "--id", f"board_id={board_id}")
    assert run.code == 0, run.output
    assert "\u202e" not in run.out and "\\u202E" in run.out
    import yaml

    assert yaml.safe_load(run.out)["pins"]["other"]["description"] == "Camp Nou \u202egnp.exe\u202c at night"  # the same text
