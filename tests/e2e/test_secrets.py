"""Secrets never reach content, output or files: env() by declaration, ONEALL_* never, data()
never reads what publisher writes, and API messages are masked. Each attack found, and more."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import PIN_TOKEN, TWEET_TOKEN

PLANTED = "planted-secret-7f3a91"  # an environment value no output or file may ever hold
KEYS = ("test-public", "test-private")  # the sandbox fixture's API keys


def _tweet(message: str) -> str:
    return f'posts:\n  t:\n    type: twitter/post\n    identity: {TWEET_TOKEN}\n    message: "{message}"\n'


def _everything(root: Path, runs) -> str:
    """Every output of the runs and every file under the catalog (state, cache, plans)."""
    texts = [run.output for run in runs]
    texts += [p.read_text(errors="replace") for p in root.rglob("*") if p.is_file()]
    return "\n".join(texts)


@pytest.fixture
def planted(monkeypatch):
    monkeypatch.setenv("CAMPAIGN_SECRET", PLANTED)
    monkeypatch.setenv("CAMPAIGN_CODE", PLANTED)
    monkeypatch.setenv("CLUB_TOKEN", PIN_TOKEN)


@pytest.mark.parametrize(
    "template",
    [
        "{{ env('ONEALL_PRIVATE_KEY') }}",  # found: the API's private key published
        "k={{ env('ONEALL_PUBLIC_KEY', 'none') }}",  # with a default
        "{{ env('oneall_private_key') }}",  # another case
        "{{ env('ONEALL_' ~ 'PRIVATE_KEY') }}",  # a name built at render time
        "{{ env('CAMPAIGN_SECRET') }}",  # a variable not declared content-safe
        "x {{ env('CAMPAIGN_SECRET') | upper }}",  # through a filter
    ],
)
def test_env_values_never_reach_content(template, planted, sandbox, cli, write, tmp_path):
    write("c.yaml", _tweet(template))
    commands = (["validate"], ["plan"], ["apply", "--auto-approve"])
    runs = [cli(command, tmp_path / "catalog", *extra) for command, *extra in commands]
    assert [run.code for run in runs] == [1, 1, 1]
    assert "template error" in runs[0].err and "Traceback" not in runs[0].err
    assert sandbox.requests() == []
    everything = _everything(tmp_path / "catalog", runs)
    for secret in (PLANTED, *KEYS):
        assert secret not in everything


@pytest.mark.parametrize(
    "template",
    ["{{ env }}", "x {{ env | string }}", "{{ data }}", "{{ data | string }} {{ env | pprint }}", "{{ vars | string }}"],
)
def test_template_globals_say_nothing_when_printed(template, planted, sandbox, cli, write, tmp_path):
    write("c.yaml", _tweet(template))
    runs = [cli("plan", tmp_path / "catalog"), cli("plan", tmp_path / "catalog", "--format", "json")]
    assert runs[0].code == 0, runs[0].output
    everything = _everything(tmp_path / "catalog", runs)
    for secret in (PLANTED, *KEYS):
        assert secret not in everything


@pytest.mark.parametrize("template", ["{{ env._context.environ }}", "{{ env.__call__.__self__ }}", "{{ data._context }}"])
def test_template_globals_have_no_way_in(template, planted, cli, write, tmp_path):
    write("c.yaml", _tweet(template))
    run = cli("validate", tmp_path / "catalog")
    assert run.code == 1 and "template error" in run.err and PLANTED not in run.output


def test_a_declared_variable_is_content_and_any_variable_may_be_an_identity(planted, sandbox, cli, write, tmp_path):
    write("publisher.yaml", "env: [SEASON, 'CAMPAIGN_*']\nidentities:\n  club: \"{{ env('CLUB_TOKEN') }}\"\n")
    write("c.yaml", _tweet("Campaign {{ env('CAMPAIGN_CODE') }}").replace(TWEET_TOKEN, "club"))
    run = cli("apply", tmp_path / "catalog", "--auto-approve")
    assert run.code == 0, run.output
    assert [o["message"] for o in sandbox.objects()] == [f"Campaign {PLANTED}"]
    assert PIN_TOKEN not in run.output and "identity club)" in run.output  # its alias, never the token


def test_oneall_variables_cannot_be_declared_content_safe(cli, write, tmp_path):
    write("publisher.yaml", "env: [ONEALL_PRIVATE_KEY]\n")
    write("c.yaml", _tweet("hello"))
    run = cli("validate", tmp_path / "catalog")
    assert run.code == 1 and "publisher.yaml:1:" in run.err and "never ONEALL_*" in run.err


@pytest.mark.parametrize(
    "name, content",
    [
        ("publisher.state.json", None),  # found: the state, with every token, read into a post
        ("stats.json", None),  # the same state under another name
        (".publisher/noop-plan.json", '{"key": "x"}'),  # publisher's cache
        (".env", "SECRET=1"),  # a hidden file
        ("plan.json", '{"kind": "publisher-saved-plan", "plan": {}}'),  # a saved plan
        ("state.yaml", "format_version: 1\nlineage: x\nresources: {}\n"),  # a state written as YAML
    ],
)
def test_data_never_reads_what_publisher_writes(name, content, sandbox, cli, write, tmp_path):
    catalog = write("c.yaml", _tweet("hello")).parent
    assert cli("apply", catalog, "--auto-approve").code == 0
    target = catalog / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if content is None:
        if name != "publisher.state.json":
            shutil.copy(catalog / "publisher.state.json", target)
    else:
        target.write_text(content)
    write("d.yaml", _tweet(f"{{{{ data('{name}') | string }}}}").replace("  t:", "  d:"))
    run = cli("plan", catalog)
    assert run.code == 1
    assert "this is a file publisher writes" in run.err or "hidden files and folders are not data" in run.err
    assert TWEET_TOKEN not in run.output and '"lineage"' not in run.output


def test_api_messages_are_masked_before_they_are_printed(sandbox, cli, write, tmp_path):
    write("c.yaml", _tweet("hello"))
    # An API that echoes the request: the keys, their Basic form, a token.
    echoed = f"bad request from test-private (Authorization: Basic dGVzdC1wdWJsaWM6dGVzdC1wcml2YXRl) {PIN_TOKEN}"
    sandbox.fault(status=400, info=echoed)
    run = cli("apply", tmp_path / "catalog", "--auto-approve")
    assert run.code == 1 and "refused it with 400" in run.output
    for secret in (*KEYS, "dGVzdC1wdWJsaWM6dGVzdC1wcml2YXRl", PIN_TOKEN):
        assert secret not in run.output


def test_the_memo_and_the_state_hold_no_environment_value(planted, sandbox, cli, write, tmp_path):
    write("publisher.yaml", "env: ['CAMPAIGN_*']\n")
    write("c.yaml", _tweet("hello"))
    assert cli("apply", tmp_path / "catalog", "--auto-approve").code == 0
    assert cli("plan", tmp_path / "catalog").code == 0
    for path in (tmp_path / "catalog").rglob("*"):
        if path.is_file():
            assert PLANTED not in path.read_text(errors="replace"), path
    assert json.loads((tmp_path / "catalog" / ".publisher" / "noop-plan.json").read_text())["resources"] == 1


def test_an_older_state_holding_tokens_is_read_and_rewritten_without_them(sandbox, cli, write, tmp_path):
    catalog = write("c.yaml", _tweet("hello")).parent
    assert cli("apply", catalog, "--auto-approve").code == 0
    state_file = catalog / "publisher.state.json"
    old = json.loads(state_file.read_text())
    old["resources"]["posts.t"]["identity"] = TWEET_TOKEN  # as publisher wrote states before
    state_file.write_text(json.dumps(old))
    assert cli("plan", catalog, "--detailed-exitcode").code == 0  # the same identity: nothing to do
    write("d.yaml", _tweet("second").replace("  t:", "  u:"))
    assert cli("apply", catalog, "--auto-approve").code == 0
    text = state_file.read_text()
    assert TWEET_TOKEN not in text
    assert json.loads(text)["resources"]["posts.t"]["identity"]["digest"].startswith("sha256:")


def test_no_token_in_the_state_the_journal_or_a_saved_plan(sandbox, cli, write, tmp_path):
    write("publisher.yaml", f"identities:\n  club: {PIN_TOKEN}\n")
    catalog = write("c.yaml", _tweet("hello")).parent
    out = tmp_path / "plan.json"
    assert cli("plan", catalog, "--out", out).code == 0
    sandbox.fault(status=500, info="lost", count=1)  # a pending create: the journal's record stays
    cli("apply", out, "--auto-approve")
    for path in [out, *catalog.glob("publisher.state.json*")]:
        assert TWEET_TOKEN not in path.read_text() and PIN_TOKEN not in path.read_text(), path


def test_deleting_needs_the_identity_to_still_be_in_the_catalog(sandbox, cli, write, tmp_path):
    path = write("c.yaml", _tweet("hello"))
    assert cli("apply", path.parent, "--auto-approve").code == 0
    path.write_text("posts: {}\n")  # the entry, and with it the only mention of its token, is gone
    blocked = cli("plan", path.parent)
    assert blocked.code == 1 and "no longer in the catalog" in blocked.output and "publisher state rm posts.t" in blocked.output
    path.write_text(f"identities:\n  old: {TWEET_TOKEN}\n")  # declared again: the delete can go
    assert cli("apply", path.parent, "--auto-approve").code == 0
    assert sandbox.objects() == []


AWS_SECRET = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY"  # no output or file may hold it, whole or in part
PG_SECRET = "pg-hunter2-s3cret"


@pytest.fixture
def credentials(monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", AWS_SECRET)
    monkeypatch.setenv("PGPASSWORD", PG_SECRET)
    monkeypatch.setenv("CLUB_TOKEN", PIN_TOKEN)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")  # the ::error annotations too


def _none_of_the_secrets_in(everything: str) -> None:
    for secret in (AWS_SECRET, PG_SECRET, PIN_TOKEN, *KEYS):
        assert secret not in everything
    for part in (AWS_SECRET[:5], AWS_SECRET[-5:], PG_SECRET[:6]):  # not even the masked ends of one
        assert part not in everything


@pytest.mark.parametrize(
    "identity",
    [
        "{{ env('AWS_SECRET_ACCESS_KEY') }}",  # found: "unknown identity 'wJalr…'"
        "{{ env(env('AWS_SECRET_ACCESS_KEY')) }}",  # found: "environment variable <secret> is not set"
        "{{ {}[env('PGPASSWORD')] }}",  # found: "'dict object' has no attribute '<secret>'"
        "{{ env('PGPASSWORD') | int + 1 }}",  # a filter's error
        "{{ env('AWS_SECRET_ACCESS_KEY')[:12] }}",  # a slice of it
        "x{{ env('CLUB_TOKEN') }}",  # a token, then not a token: masked in "unknown identity"
        "{{ {}[env('CLUB_TOKEN')] }}",  # a token in Jinja's own message
        "{{ env('AWS_SECRET_ACCESS_KEY') is string and undefined_name }}",
    ],
)
def test_an_identity_field_never_shows_what_env_read(identity, credentials, sandbox, cli, write, tmp_path):
    write("c.yaml", f'posts:\n  t:\n    type: twitter/post\n    identity: "{identity}"\n    message: hi\n')
    write("publisher.yaml", f'identities:\n  club: "{identity}"\n')
    commands = (["validate"], ["plan"], ["apply", "--auto-approve"], ["calendar"])
    runs = [cli(command, tmp_path / "catalog", *extra) for command, *extra in commands]
    assert [run.code for run in runs] == [1, 1, 1, 1], [run.output for run in runs]
    assert "::error " in runs[0].output and "Traceback" not in runs[0].output
    assert sandbox.requests() == []
    _none_of_the_secrets_in(_everything(tmp_path / "catalog", runs))


@pytest.mark.parametrize(
    "template",
    [
        "{{ env.for_identity()('AWS_SECRET_ACCESS_KEY') }}",  # found: printed by plan, posted by apply
        "{{ (env|attr('for_identity'))()('PGPASSWORD') }}",  # found, the same through attr
        "{{ env.__class__ }}",
        "{{ (env|attr('_context')).environ }}",
        "{{ env('AWS_SECRET_ACCESS_KEY') }}",
        "{{ env('PGPASSWORD', 'none') }}",
    ],
)
def test_nothing_a_template_can_call_returns_an_undeclared_variable(template, credentials, sandbox, cli, write, tmp_path):
    write("publisher.yaml", "env: ['*']\n")  # even with every name declared content
    write("c.yaml", _tweet(template))
    runs = [cli("plan", tmp_path / "catalog", *f) for f in ([], ["--format", "markdown"], ["--format", "html"])]
    runs.append(cli("apply", tmp_path / "catalog", "--auto-approve"))
    assert [run.code for run in runs] == [1, 1, 1, 1]
    assert sandbox.requests() == []
    _none_of_the_secrets_in(_everything(tmp_path / "catalog", runs))


@pytest.mark.parametrize(
    "pattern", ["AWS_*", "*TOKEN*", "PGPASSWORD", "GITHUB_TOKEN", "ACTIONS_RUNTIME_TOKEN", "CI_JOB_TOKEN", "GITLAB_*",
                "PUBLISHER_STATE", "my_private_key", "DB_PASSWORD", "*_CREDENTIALS", "Secret*"],
)  # fmt: skip
def test_credential_variables_can_never_be_declared_content(pattern, credentials, cli, write, tmp_path):
    write("publisher.yaml", f"vars: {{}}\nenv:\n  - SEASON\n  - '{pattern}'\n")
    write("c.yaml", _tweet("hello"))
    run = cli("validate", tmp_path / "catalog")
    assert run.code == 1 and "publisher.yaml:4:" in run.err and "never content" in run.err, run.err


def test_validate_needs_no_secret_and_plan_says_which_is_missing(cli, write, tmp_path, monkeypatch):
    monkeypatch.delenv("CLUB_TOKEN", raising=False)
    write("publisher.yaml", "identities:\n  club: \"{{ env('CLUB_TOKEN') }}\"\n")
    write("c.yaml", _tweet("hello").replace(TWEET_TOKEN, "club"))
    write("d.yaml", "posts:\n  u:\n    type: twitter/post\n    identity: \"{{ env('OTHER_TOKEN') }}\"\n    message: hi\n")
    assert cli("validate", tmp_path / "catalog").code == 0
    run = cli("plan", tmp_path / "catalog")
    assert run.code == 1 and "CLUB_TOKEN is not set" in run.err and "OTHER_TOKEN is not set" in run.err
