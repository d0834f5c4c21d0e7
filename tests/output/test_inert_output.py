"""Inert output: what a pull request writes can never leave its place in a PR comment, move a
terminal's cursor, reorder text, or run as a GitHub workflow command."""

from __future__ import annotations

import pytest

from conftest import TWEET_TOKEN


def _tweet(name: str, message: str) -> str:
    return f'posts:\n  "{name}":\n    type: twitter/post\n    identity: {TWEET_TOKEN}\n    message: "{message}"\n'


@pytest.mark.parametrize(
    "name",
    [
        "a`b",  # found: a backtick closed the address's code span
        "hi-@someone",  # found: a real mention
        "x</details><h1>big",  # found: real HTML
        "evil\\u202ename",  # found: a bidi override
        "zero\\u200bwidth",  # found: zero-width
        "bell\\u0007",  # a control character
        "name:with:colons",
    ],
)
def test_an_address_is_letters_digits_underscores_and_hyphens(name, cli, write, tmp_path):
    write("c.yaml", _tweet(name, "hello"))
    run = cli("validate", tmp_path / "catalog")
    assert run.code == 1 and "an entry name is letters, digits, _ and - only" in run.err
    for raw in ("\u202e", "\u200b", "\u0007"):
        assert raw not in run.err  # the refused name itself is shown escaped


def test_names_in_other_alphabets_are_fine(cli, write, tmp_path):
    write("c.yaml", _tweet("estadi-ñ-日本", "hola"))
    assert cli("validate", tmp_path / "catalog").code == 0


@pytest.mark.parametrize(
    "message",
    [
        "</details><h1>Owned</h1><details>",
        "ping @everyone and @org/team",
        "`code` **bold** [link](https://evil.example) ![img](https://evil.example/x.png)",
        "| a | b |",
        "<script>alert(1)</script>",
    ],
)
def test_markdown_keeps_every_value_inert(message, cli, write, tmp_path):
    write("c.yaml", _tweet("t", message))
    run = cli("plan", tmp_path / "catalog", "--format", "markdown")
    assert run.code == 0, run.output
    body = run.out
    for dangerous in ("</details><h1>", "@everyone", "@org", "<script>", "[link](", "![img](", "| a | b |"):
        assert dangerous not in body
    assert body.count("<details>") == body.count("</details>") == 1


@pytest.mark.parametrize(
    "message, raw",
    [
        ("clear\\u001b[2Jscreen", "\x1b[2J"),  # a terminal control sequence
        ("right\\u202eto-left", "\u202e"),
        ("zero\\u200bwidth", "\u200b"),
        ("c1\\u009bcontrol", "\x9b"),
        ("line\\u2028separator", "\u2028"),
    ],
)
def test_text_output_shows_control_bidi_and_zero_width_characters_escaped(message, raw, cli, write, tmp_path):
    write("c.yaml", _tweet("t", message))
    run = cli("plan", tmp_path / "catalog")
    assert run.code == 0, run.output
    assert raw not in run.out and f"\\u{ord(raw[-1] if raw.startswith(chr(27)) else raw):04x}"[:3] in run.out


@pytest.mark.parametrize(
    "info",
    [
        "refused\n::stop-commands::resume-token",  # found: an API error ran as a workflow command
        "x\r\n::add-mask::nothing\n  ::error::fake",
        "::set-output name=x::y",
    ],
)
def test_no_line_we_print_starts_a_github_workflow_command(info, sandbox, cli, write, tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    write("c.yaml", _tweet("t", "hello"))
    sandbox.fault(status=400, info=info.replace("\n", " ").replace("\r", " "))  # the sandbox refuses line breaks
    run = cli("apply", tmp_path / "catalog", "--auto-approve")
    assert run.code == 1
    assert not any(line.lstrip().startswith("::") for line in run.output.splitlines())


def test_a_file_name_cannot_start_a_workflow_command(cli, write, tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.chdir(tmp_path / "catalog" if (tmp_path / "catalog").exists() else tmp_path)
    path = write("::stop-commands::x.yaml", "posts: [1]\n")
    monkeypatch.chdir(path.parent)
    run = cli("validate", ".")
    assert run.code == 1
    ours = [line for line in run.output.splitlines() if line.startswith("::error ")]
    assert ours and all("%3A%3Astop-commands%3A%3Ax.yaml" in line for line in ours)
    assert not any(line.lstrip().startswith("::") and not line.startswith("::error ") for line in run.output.splitlines())
