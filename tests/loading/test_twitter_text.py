"""A tweet is counted as Twitter counts it: twitter-text's conformance data, and every TLD."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from publisher.twitter_text import TLD_FILE, count, top_level_domains, twitter_length, within_twitter_length

from conftest import REPO

CONFORMANCE = REPO / "tests" / "data" / "twitter-text" / "validate.yml"
COUNTER_TESTS = ("WeightedTweetsWithDiscountedEmojiCounterTest", "UnicodeDirectionalMarkerCounterTest")


def conformance_cases():
    tests = yaml.safe_load(CONFORMANCE.read_text(encoding="utf-8"))["tests"]
    return [
        pytest.param(case["text"], case["expected"], id=f"{group}: {case['description']}")
        for group in COUNTER_TESTS
        for case in tests[group]
    ]


def test_the_conformance_file_holds_every_counter_case():
    # 22 weighted-length cases and 2 with directional marks: none may be lost to YAML.
    assert len(conformance_cases()) == 24


@pytest.mark.parametrize(("text", "expected"), conformance_cases())
def test_twitter_texts_own_cases(text, expected):
    # Twitter's `valid` also refuses an empty tweet: the schema's minLength says that.
    assert twitter_length(text) == expected["weightedLength"]
    assert (text != "" and within_twitter_length(text, 280)) == expected["valid"]


def test_the_tld_file_parses_and_says_where_it_comes_from():
    generic, country = top_level_domains()
    assert len(generic) > 1000 and len(country) > 250
    assert {"com", "club", "shop", "barcelona"} <= set(generic) and {"es", "uk", "рф", "中国"} <= set(country)
    assert all(name == name.strip().lower() and "." not in name for name in generic + country)
    header = TLD_FILE.read_text(encoding="utf-8").splitlines()[:3]
    assert any("github.com/twitter/twitter-text" in line for line in header)
    assert any("2026-12-01" in line for line in header)


@pytest.mark.parametrize("kind", ["generic", "country"])
def test_a_bare_domain_on_every_tld_counts_23(kind):
    generic, country = top_level_domains()
    names = generic if kind == "generic" else country
    wrong = {}
    for tld in names:
        # On a country TLD, a single label without a path is not a link for Twitter ("bit.ly").
        for text in (f"www.example.{tld}", f"example.{tld}/spring"):
            if twitter_length(text) != 23:
                wrong[text] = twitter_length(text)
        if kind == "generic" and twitter_length(f"example.{tld}") != 23:
            wrong[f"example.{tld}"] = twitter_length(f"example.{tld}")
    assert wrong == {}


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("hello", 5),
        ("x" * 280, 280),
        ("https://www.fcbarcelona.com/tickets/a/very/long/path?with=query", 23),
        ("tickets: https://t.co/x", 9 + 23),
        ("see bit.ly/abc", 4 + 23),
        ("see bit.ly", 10),  # a short country domain without a path is text
        ("watch x.tv", 6 + 23),  # except on .co and .tv
        ("shop at club.example.barcelona today", 8 + 23 + 6),
        ("email me: ana@example.com", 25),  # an address is not a link
        ("version 1.2.3", 13),
        ("👍", 2),
        ("👨‍👩‍👧‍👦", 2),  # one family emoji, however many code points
        ("🇪🇸", 2),
        ("© 2026", 7),  # ©, ® and keycaps are emoji
        ("日本語", 6),
        ("café", 4),
        ("cafe\u0301", 4),  # normalised to NFC first
        ("“quoted” — dash", 15),
    ],
)
def test_twitter_counts_like_twitter(text, length):
    assert twitter_length(text) == length


def test_an_invalid_character_makes_any_tweet_invalid():
    assert count("fine\ufeff").valid_characters is False
    assert within_twitter_length("fine\ufeff", 280) is False


@pytest.mark.parametrize(
    "text",
    ["a." * 50_000, "a-" * 50_000 + ".com", "http://x." * 20_000, "日本." * 50_000, "http://a.com/" + "!" * 100_000],
)
def test_long_hostile_texts_are_counted_whole(text):
    # One pass over the labels: these took minutes with the regular expression run as is.
    assert twitter_length(text) >= len(text)


@settings(max_examples=2000, deadline=None)
@given(
    st.lists(
        st.sampled_from(list("ab .:/-_@x") + ["http://", "https://", ".com", ".io", ".jp", "é", "👍", "\u0301", "\n", "\ufeff"]),
        max_size=20,
    ).map("".join),
    st.integers(0, 120),
)
def test_the_quick_bound_answers_as_counting_does(text, limit):
    result = count(text)
    assert within_twitter_length(text, limit) == (result.valid_characters and result.weighted_length <= limit)


MAN, ZWJ = "\U0001f468", "\u200d"


@pytest.mark.parametrize(
    "text, length",
    [
        (ZWJ.join([MAN] * 151), 38 * 2 + 37),  # found: 151 men joined counted 2; now 38 fours and 37 ZWJ
        (ZWJ.join([MAN, "\U0001f469", "\U0001f467", "\U0001f466"]), 2),  # a family: one emoji
        ("\U0001f469\u200d\u2764\ufe0f\u200d\U0001f48b\u200d\U0001f468", 2),  # a kiss: 4 joined, one emoji
        (ZWJ.join([MAN] * 5), 2 + 1 + 2),  # 4 joined, a ZWJ, one more
        ("\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f", 2),  # England's flag
        ("\U0001f44d" + "\U0001f3fb" * 20, 2 * 7),  # skin tones past one sequence's weigh on their own
    ],
)
def test_only_sequences_of_recommended_length_count_as_one_emoji(text, length):
    assert twitter_length(text) == length


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([MAN, ZWJ, "\U0001f3fb", "\ufe0f", "a"]), max_size=40).map("".join))
def test_a_zwj_chain_never_weighs_less_than_its_emoji_in_fours(text):
    emoji = text.count(MAN)
    assert twitter_length(text) >= 2 * -(-emoji // 4)


@pytest.mark.parametrize("size", [1_000_000, 200_000])
def test_a_text_far_over_every_limit_is_refused_before_it_is_counted(size, monkeypatch):
    """Found: counting a 1,000,000-character text took 20 s."""
    import publisher.twitter_text as module

    monkeypatch.setattr(module, "count", lambda text: pytest.fail("counted"))
    assert within_twitter_length("a" * size, 280) is False


def test_a_million_character_tweet_is_one_message_without_being_counted(cli, write, tmp_path, monkeypatch):
    import publisher.twitter_text as module

    monkeypatch.setattr(module, "count", lambda text: pytest.fail("counted"))
    write("t.yaml", "posts:\n  t:\n    type: twitter/post\n    identity: 7c9e6679-7425-40de-944b-e07fc1f90ae7\n"
                    f"    message: {'é' * 1_000_000}\n")  # fmt: skip
    run = cli("validate", tmp_path / "catalog")
    assert run.code == 1 and "t.yaml:5:5: posts.t.message: is 1,000,000 code points long, far over the limit of 280" in run.err
