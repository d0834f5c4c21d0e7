"""Reading manifests: the plainest YAML is read without libyaml, and always exactly as
libyaml reads it (values, their types, every position), or not at all."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from publisher import manifest

KEYS = ["name", "page-1", "a_b", "x.y", "type", "true", "True", "null", "Null", "1", "1.5", "0x1F", "0o17", "1e3",
        "_", "2026-11-23", "yes", "off", "inf", "a-", "b.", ".inf", "-1"]
# What the plain reader should take (and type exactly as libyaml's path does)...
COMMON = [
    "word", "two words", "Post 0 of file 1", "https://club.example.com/news/1/0", "a:b", "a#b", "a :b", "1", "1.5",
    ".5", "1e3", "0o17", "0x1f", "1_000", "012", "true", "True", "TRUE", "false", "yes", "on", "null", "Null", "~", "",
    "{{ vars.shop_url }}/t/1", "a [b] {c}", "a, b", "é", "日本語", "emoji 🎉", "a\\b", "it's", 'say "hi"', ".inf",
    "-.inf", ".nan", "1:30", "1,000", "a'b", 'a"b', "x - y", "x ? y", "2026-11-23T10:00:00Z", "+1", "-1", "1.", "-0",
]
# ...and what it should refuse, or take only where libyaml agrees.
UNUSUAL = [
    "a: b", "a #b", "trailing:", "- item", "[a]", "{a: b}", "&anchor", "*alias", "!tag x", "|", ">", "%x", "@x", "`x`",
    "?x", ":x", ",x", "#x", "x\x85y", "x\u2028y", "tab\there", "  padded  ", "'quoted'", '"quoted"', "x\x00y", "\ufeffx",
]

scalar_lines = st.tuples(
    st.sampled_from(["plain", "plain", "plain", "double", "single"]),
    st.one_of(st.sampled_from(COMMON), st.sampled_from(COMMON), st.sampled_from(COMMON), st.sampled_from(COMMON),
              st.sampled_from(UNUSUAL), st.text(max_size=6)),
)


def _quoted(style: str, value: str) -> str:
    if style == "double":
        return f'"{value}"'
    if style == "single":
        return f"'{value}'"
    return value


def _rarely(draw, choices: list[str]) -> str:
    """The first choice, mostly: the rest are what the reader must refuse or get right."""
    return choices[0] if draw(st.integers(0, 9)) else draw(st.sampled_from(choices))


@st.composite
def documents(draw) -> str:
    """Block mappings written every way the plain reader might meet them, and some it must refuse."""
    width = draw(st.integers(1, 4))
    lines: list[str] = []

    def mapping(indent: int, depth: int) -> None:
        for key in draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=4, unique=not draw(st.integers(0, 9)) == 0)):
            if draw(st.integers(0, 5)) == 0:
                lines.append(" " * draw(st.integers(0, 6)) + draw(st.sampled_from(["# a comment", "#", "", "   "])))
            colon = ":" + " " * draw(st.sampled_from([1, 1, 1, 2, 3, 0]))
            if depth < 3 and draw(st.booleans()):
                lines.append(" " * indent + key + ":" + _rarely(draw, ["", " ", "  # note", "&a"]))
                if draw(st.integers(0, 4)):
                    mapping(indent + width + int(_rarely(draw, ["0", "1", "-1"])), depth + 1)
            else:
                style, value = draw(scalar_lines)
                lines.append(" " * indent + key + colon + _quoted(style, value) + _rarely(draw, ["", " ", "  ", " # c"]))

    header = _rarely(draw, ["", "# header", "---", "%YAML 1.2\n---", " ", "\ufeff"])
    if header:
        lines.append(header)
    mapping(int(_rarely(draw, ["0", "1"])), 0)
    return "\n".join(lines) + _rarely(draw, ["\n", "", "\n\n", "\n..."])


def _same_as_libyaml(text: str) -> bool:
    """Whether the plain reader answered; if it did, that libyaml reads the same."""
    plain = manifest._plain_document(text, "m.yaml")
    if plain is None:
        return False
    document, problems = manifest._parsed_by_libyaml(text, "m.yaml")
    assert problems == [], (text, problems)
    assert repr(plain.data) == repr(document.data), text  # repr: True, 1 and 1.0 differ
    assert plain.marks == document.marks, text
    return True


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example("posts:\n  a:\n    message: Post 0 of file 1\n    n: 1\n")
@example("a: .nan\nb: .NaN\nc: -.inf\nd: +1.5\n")
@example("# comment\n\nboards:\n  b:\n    name: \"Board: 1 # one\"\n    privacy: 'PUBLIC'\n  c:\nx: ~\n")
@given(documents())
def test_the_plain_reader_reads_exactly_as_libyaml_or_not_at_all(text):
    _same_as_libyaml(text)


def test_the_plain_reader_takes_the_ordinary_manifests():
    """It is worth having: the examples' and the bench's plain files do not need libyaml."""
    root = Path(__file__).resolve().parent.parent
    answered = [path.name for path in sorted(root.glob("examples/**/*.yaml")) if _same_as_libyaml(path.read_text())]
    assert answered, "no example is plain enough"
    assert _same_as_libyaml("posts:\n  page-1:\n    type: facebook/page/post\n    identity: shop\n    page_id: \"104\"\n"
                            "    message: Post 0 of file 1\n    link: https://club.example.com/news/1/0\n")


def test_anything_unusual_goes_to_libyaml():
    for text in [
        "a: 1\n\tb: 2\n", "a: 1\r\nb: 2\r\n", "a: [1, 2]\n", "a: &x 1\nb: *x\n", "a: b: c\n", "a: x # comment\n",
        "a:\n  - 1\n", "a: |\n  text\n", "a: 1\na: 2\n", "  a: 1\n", "a:\n    b: 1\n  c: 2\n", "---\na: 1\n",
        "# only a comment\n", "", "a: 'it''s'\n", 'a: "x\\ny"\n', "a: line\n  continued\n", "? a\n: b\n",
    ]:
        assert manifest._plain_document(text, "m.yaml") is None, text
