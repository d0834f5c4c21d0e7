"""Policies in publisher.yaml: each rule kind, each scope, both severities, time zones, bad blocks."""

from __future__ import annotations

import textwrap

import pytest

from conftest import TWEET_TOKEN

PROJECT = f"""
identities:
  club: {TWEET_TOKEN}
policies:
"""


def tweet(name: str, message: str, publish_at: str | None = None, identity: str = "club") -> str:
    lines = f"  {name}:\n    type: twitter/post\n    identity: {identity}\n    message: {message!r}\n"
    return lines + (f"    publish_at: {publish_at}\n" if publish_at else "")


def catalog(write, policies: str, *tweets: str) -> None:
    write("publisher.yaml", PROJECT + textwrap.indent(textwrap.dedent(policies).strip("\n"), "  ") + "\n")
    write("posts.yaml", "posts:\n" + "".join(tweets))


def violations(run) -> list[str]:
    return [line for line in run.err.splitlines() if "policy " in line]


LINKS = """
- name: our-sites
  links: {allow: ["shop.example.com", "*.club-example.com"]}
"""


def test_links_must_point_to_allowed_hosts_in_fields_and_in_texts(cli, write, tmp_path):
    catalog(
        write,
        LINKS,
        tweet("ours", "Kits at shop.example.com/kits and https://tickets.club-example.com/x"),
        tweet("theirs", "Kits at bit.ly/kits"),
        tweet("bare", "Kits at https://club-example.com"),  # *.club-example.com is its subdomains only
    )
    run = cli("validate", tmp_path / "catalog")
    assert run.code == 1
    assert violations(run) == [
        "catalog/posts.yaml:9:5: posts.theirs: policy our-sites: links to 'bit.ly', which is not an allowed host"
        " (shop.example.com, *.club-example.com)",
        "catalog/posts.yaml:13:5: posts.bare: policy our-sites: links to 'club-example.com', which is not an allowed host"
        " (shop.example.com, *.club-example.com)",
    ]
    assert run.err.rstrip().endswith("2 errors in 1 file")


def test_links_in_url_fields_are_checked(cli, write, tmp_path):
    write("publisher.yaml", PROJECT.replace("club:", "pins:") + "  - name: our-cdn\n    links: {allow: [cdn.example.com]}\n")
    write(
        "pins.yaml",
        f"""
        boards:
          stadium: {{identity: {TWEET_TOKEN}, name: Stadium}}
        pins:
          night:
            identity: {TWEET_TOKEN}
            board: {{ref: boards.stadium}}
            picture: https://images.elsewhere.example/night.jpg
            link: https://cdn.example.com/
        """,
    )
    run = cli("validate", tmp_path / "catalog")
    assert run.code == 1
    assert violations(run) == [
        "catalog/pins.yaml:7:5: pins.night: policy our-cdn: links to 'images.elsewhere.example',"
        " which is not an allowed host (cdn.example.com)"
    ]


def test_text_requires_and_forbids_whole_words_in_any_case(cli, write, tmp_path):
    catalog(
        write,
        """
        - name: sponsored-tag
          match: {address: "posts.sponsored-*"}
          text: {require: ["#ad"]}
        - name: clean-language
          text: {forbid: ["damn"]}
        """,
        tweet("sponsored-kit", "New kit #AD"),  # any case
        tweet("sponsored-tour", "Tour #adventure"),  # not the whole word
        tweet("plain", "Damn! what a match"),
        tweet("fine", "Damnation is a film title"),  # not the whole word
    )
    run = cli("validate", tmp_path / "catalog")
    assert violations(run) == [
        "catalog/posts.yaml:9:5: posts.sponsored-tour: policy sponsored-tag: must contain '#ad'",
        "catalog/posts.yaml:13:5: posts.plain: policy clean-language: must not contain 'damn'",
    ]


def test_match_by_type_and_by_address_list(cli, write, tmp_path):
    catalog(
        write,
        """
        - name: only-some
          match: {type: "twitter/*", address: ["posts.a-*", "posts.c"]}
          text: {forbid: [bad]}
        - name: not-tweets
          match: {type: "pinterest/*"}
          text: {forbid: [bad]}
        """,
        tweet("a-1", "bad"),
        tweet("b-1", "bad"),
        tweet("c", "bad"),
    )
    run = cli("validate", tmp_path / "catalog")
    assert [line.split(": ")[1] for line in violations(run)] == ["posts.a-1", "posts.c"]


QUIET = """
- name: quiet-hours
  schedule: {not_between: ["22:00", "07:00"], time_zone: Europe/Madrid}
"""


def test_quiet_hours_in_the_policys_time_zone_across_a_dst_change(cli, write, tmp_path):
    # Madrid moves from UTC+1 to UTC+2 at 01:00 UTC on 2027-03-28.
    catalog(
        write,
        QUIET,
        tweet("winter-late", "x", "2027-03-27T21:30:00Z"),  # 22:30 CET: inside
        tweet("summer-evening", "x", "2027-03-28T19:30:00Z"),  # 21:30 CEST: outside (22:30 the day before)
        tweet("summer-late", "x", "2027-03-28T20:30:00Z"),  # 22:30 CEST: inside
        tweet("summer-morning", "x", "2027-03-29T05:00:00Z"),  # 07:00 CEST: outside (the end is not included)
        tweet("unscheduled", "x"),  # published whenever apply runs: not checked
    )
    run = cli("validate", tmp_path / "catalog")
    assert [line.split(": ")[1] for line in violations(run)] == ["posts.winter-late", "posts.summer-late"]
    assert "publish_at is 2027-03-28 22:30 Europe/Madrid, between 22:00 and 07:00" in run.err


def test_max_per_day_counts_local_days_per_identity_or_network_as_a_warning(cli, write, tmp_path):
    other = "0b6f7c1e-3f0a-4a57-9d2e-1c8d6e5b4a39"
    policy = """
    - name: cadence
      match: {type: "twitter/*"}
      schedule: {max_per_day: 2, per: PER, time_zone: Europe/Madrid}
      severity: warning
    """
    tweets = (
        tweet("one", "x", "2027-03-28T08:00:00Z"),
        tweet("two", "x", "2027-03-28T12:00:00Z"),
        tweet("three", "x", "2027-03-28T21:59:00Z"),  # 23:59 in Madrid: the same local day
        tweet("next-day", "x", "2027-03-28T22:00:00Z"),  # 00:00 the 29th in Madrid
        tweet("other-account", "x", "2027-03-28T09:00:00Z", identity=other),
    )
    catalog(write, policy.replace("PER", "identity"), *tweets)
    run = cli("validate", tmp_path / "catalog")
    assert run.code == 0, run.output
    assert violations(run) == [
        "catalog/posts.yaml:16:5: posts.three: warning: policy cadence: 3 resources are scheduled on 2027-03-28 (Europe/Madrid)"
        " for identity club; at most 2 a day"
    ]
    assert "valid" in run.out

    catalog(write, policy.replace("PER", "network"), *tweets)
    run = cli("validate", tmp_path / "catalog")
    assert run.code == 0
    # Four on the 28th for the network, in order of publish_at: other-account's tweet counts too.
    assert [line.split(": ")[1] for line in violations(run)] == ["posts.two", "posts.three"]
    assert all("for network twitter" in line for line in violations(run))
    assert TWEET_TOKEN not in run.output and other not in run.output


def test_a_warning_is_an_annotation_on_github_and_plan_still_succeeds(cli, write, tmp_path, monkeypatch):
    catalog(write, "- name: clean\n  text: {forbid: [damn]}\n  severity: warning\n", tweet("t", "damn"))
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    run = cli("plan", tmp_path / "catalog", "--state", tmp_path / "state.json")
    assert run.code == 0, run.output
    assert (
        "::warning file=catalog/posts.yaml,line=5,col=5,title=publisher::posts.t: policy clean: must not contain 'damn'"
        in run.err
    )
    assert "+ posts.t" in run.out


def test_an_error_blocks_plan_and_apply(cli, write, tmp_path, monkeypatch):
    catalog(write, "- name: clean\n  text: {forbid: [damn]}\n", tweet("t", "damn"))
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    state = tmp_path / "state.json"
    plan = cli("plan", tmp_path / "catalog", "--state", state)
    assert plan.code == 1
    assert (
        "::error file=catalog/posts.yaml,line=5,col=5,title=publisher::posts.t: policy clean: must not contain 'damn'" in plan.err
    )
    apply = cli("apply", tmp_path / "catalog", "--state", state, "--auto-approve")
    assert apply.code == 1 and "policy clean" in apply.err
    assert not state.exists()


@pytest.mark.parametrize(
    "policy, message",
    [
        (
            "- name: x\n  words: {forbid: [a]}",
            "policies[0].words: unknown field 'words' (allowed: links, match, name,",
        ),
        ("- name: x", "policies[0]: needs a rule: links, text or schedule"),
        ("- name: x\n  match: {address: 'posts.[a'}\n  text: {forbid: [a]}", "match.address: must be a glob, or a list of globs"),
        ("- name: x\n  links: {allow: ['https://shop.example.com/']}", "must be a host name, or *. and a host name"),
        ("- name: x\n  schedule: {not_between: ['22:00', '7am']}", "'7am' must be a time of day, HH:MM"),
        ("- name: x\n  schedule: {max_per_day: 3, time_zone: Europe/Madird}", "unknown time zone 'Europe/Madird'"),
        ("- name: x\n  text: {forbid: [a]}\n  severity: fatal", "severity"),
        ("- name: x\n  text: {forbid: [a]}\n- name: x\n  text: {forbid: [b]}", "policies[1].name: 'x' is used twice"),
        ("- name: 'x y'\n  text: {forbid: [a]}", "must be letters, digits, - and _"),
    ],
)
def test_a_bad_policy_block_is_an_error_at_its_line(cli, write, tmp_path, policy, message):
    catalog(write, policy, tweet("t", "fine"))
    run = cli("validate", tmp_path / "catalog")
    assert run.code == 1
    assert "Traceback" not in run.output
    assert run.err.startswith("catalog/publisher.yaml:"), run.err
    line = int(run.err.split(":")[1])
    assert line >= 4  # the policy's own line, not the file's start
    assert message in run.err, run.err


def test_warnings_show_beside_errors_without_being_counted(cli, write, tmp_path):
    catalog(
        write,
        "- name: clean\n  text: {forbid: [damn]}\n- name: soft\n  text: {forbid: [cheap]}\n  severity: warning\n",
        tweet("t", "damn cheap"),
    )
    run = cli("validate", tmp_path / "catalog")
    assert run.code == 1
    assert "posts.t: policy clean: must not contain 'damn'" in run.err
    assert "posts.t: warning: policy soft: must not contain 'cheap'" in run.err
    assert run.err.rstrip().endswith("1 error in 1 file")


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.net\\\\@shop.example.com/x",  # found: Python reads shop.example.com, browsers evil.net
        "https:\\\\\\\\evil.net/shop.example.com",
        "https://evil.net%5C@shop.example.com/x",
        "HTTPS://EVIL.NET\\\\@shop.example.com/",
        "https://evil.net\\t/@shop.example.com",
        "https://evil.net#@shop.example.com",
    ],
)
def test_a_link_is_read_as_a_browser_reads_it(url, cli, write, tmp_path):
    catalog(write, LINKS, tweet("t", f"Kits at {url}"))
    run = cli("validate", tmp_path / "catalog")
    assert run.code == 1, run.output
    assert "not an allowed host" in run.err and "links to 'shop.example.com'" not in run.err


@pytest.mark.parametrize(
    "value", ["https://evil.net\\\\@shop.example.com/x", "https://user:pass@shop.example.com/", "https://shop.example.com/a\\u0007b",
              "https://shop.example.com/a\\\\b"],
)  # fmt: skip
def test_a_link_field_with_credentials_a_backslash_or_a_control_character_is_an_error(value, cli, write, tmp_path):
    write(
        "posts.yaml",
        f'posts:\n  t:\n    type: linkedin/post\n    identity: {TWEET_TOKEN}\n    message: hi\n    link: "{value}"\n',
    )
    run = cli("validate", tmp_path / "catalog")
    assert run.code == 1 and "posts.t.link:" in run.err and "no user@, backslash or control character" in run.err, run.err


@pytest.mark.parametrize(
    "message",
    ["Win a fr\\u200bee kit", "Win a fr\\u00adee kit", "Win a fre\\u200de kit", "Win a ＦＲＥＥ kit", "Win a fr\\u2060ee kit",
     "Win a f\\ufe0free kit"],
)  # fmt: skip
def test_forbidden_words_are_found_through_invisible_characters_and_other_forms(message, cli, write, tmp_path):
    catalog(
        write,
        "- name: clean\n  text: {forbid: [free, café]}\n",
        f'  t:\n    type: twitter/post\n    identity: club\n    message: "{message}"\n',
    )
    run = cli("validate", tmp_path / "catalog")
    assert run.code == 1 and "must not contain 'free'" in run.err, run.err


def test_a_forbidden_word_written_in_another_normal_form_is_found(cli, write, tmp_path):
    catalog(
        write,
        "- name: clean\n  text: {forbid: [café]}\n",
        '  t:\n    type: twitter/post\n    identity: club\n    message: "Our cafe\\u0301"\n',
    )
    run = cli("validate", tmp_path / "catalog")
    assert run.code == 1 and "must not contain 'café'" in run.err
