"""Reading YAML: YAML 1.2 scalars, exact positions, plain tags only, duplicate keys refused."""

from __future__ import annotations

from publisher.loading.documents import parse


def test_yaml_12_scalars_keep_what_was_written():
    document, problems = parse("a: yes\nb: on\nc: true\nd: 2026-12-01\ne: 012\nf: .nan\ng: ~\n", "m.yaml")
    assert problems == []
    data = document.data
    assert (data["a"], data["b"], data["c"], data["d"], data["e"], data["g"]) == ("yes", "on", True, "2026-12-01", 12, None)
    assert data["f"] != data["f"]  # NaN


def test_every_value_is_located_where_its_key_is_written():
    document, _ = parse("boards:\n  stadium:\n    name: Stadium\n    tags:\n      - a\n      - b\n", "m.yaml")
    assert str(document.locate(("boards", "stadium", "name"))) == "m.yaml:3:5"
    assert str(document.locate(("boards", "stadium", "tags", 1))) == "m.yaml:6:9"
    assert str(document.locate(("boards", "stadium", "missing"))) == "m.yaml:2:3"  # the nearest enclosing value


def test_positions_are_found_when_a_message_first_needs_one():
    document, problems = parse("a:\n  b: &x [1, 2]\n  c: *x\n", "m.yaml")
    assert problems == [] and document.marks is None  # a file without problems is read once, keeping no positions
    assert str(document.locate(("a", "c"))) == "m.yaml:3:3"
    assert str(document.locate(("a", "c", 1))) == "m.yaml:2:13"  # inside the alias: where the value is written
    assert document.marks is not None


def test_a_duplicate_key_is_an_error_naming_the_first():
    _, problems = parse("a: 1\nb: 2\na: 3\n", "m.yaml")
    assert [p.render() for p in problems] == ["m.yaml:3:1: a: duplicate key 'a' (first defined on line 1)"]


def test_python_tags_are_refused():
    _, problems = parse("a: !!python/object/apply:os.system ['true']\n", "m.yaml")
    assert problems and "is not allowed" in problems[0].message


def test_an_alias_is_a_copy_located_where_its_value_is_written():
    text = "a: &common\n  b: 1\n  c: [2, 3]\nd: *common\n"
    document, problems = parse(text, "m.yaml")
    assert problems == []
    assert document.data["d"] == {"b": 1, "c": [2, 3]}
    document.data["d"]["c"].append(4)  # a copy: changing one place leaves the other alone
    assert document.data["a"]["c"] == [2, 3]
    assert str(document.locate(("d",))) == "m.yaml:4:1"  # the alias, where its key is written
    assert str(document.locate(("d", "c", 1))) == "m.yaml:3:10"  # inside it: where the value is written


def test_an_alias_key_and_nested_aliases():
    document, problems = parse("k: &k name\n*k : 1\nl: &l [*k, *k]\nm: [*l, *l]\n", "m.yaml")
    assert problems == []
    assert document.data == {"k": "name", "name": 1, "l": ["name", "name"], "m": [["name", "name"], ["name", "name"]]}
    assert str(document.locate(("m", 1, 0))) == "m.yaml:3:8"


def test_aliases_that_cannot_be_followed_are_errors_at_the_alias():
    cases = {
        "a: &x [1, *x]\n": "m.yaml:1:11: a[1]: an alias refers to the value that contains it",
        "a: *nowhere\n": "m.yaml:1:4: YAML syntax error: the alias *nowhere names no anchor before it",
        "a: *x\nb: &x 1\n": "m.yaml:1:4: YAML syntax error: the alias *x names no anchor before it",
        "a: &x 1\nb: &x 2\n": "m.yaml:2:4: YAML syntax error: the anchor &x is defined twice",
        "a: &x [1]\n? *x\n: 2\n": "m.yaml:2:3: a key must be a plain string",
    }
    for text, expected in cases.items():
        _, problems = parse(text, "m.yaml")
        assert [p.render() for p in problems] == [expected], text


def test_aliases_may_not_nest_past_the_depth_limit():
    deep = "[" * 40 + "1" + "]" * 40
    _, problems = parse(f"a: &deep {deep}\nb: [[[[[[[[[[[[[[[[[[[[[[[[[[*deep]]]]]]]]]]]]]]]]]]]]]]]]]]\n", "m.yaml")
    assert [p.message for p in problems] == ["values are nested more than 64 levels deep"]
    assert problems[0].location.line == 2


def test_explicit_tags_must_fit_their_value():
    cases = {
        "a: !!int abc\n": "m.yaml:1:4: a: 'abc' is not a whole number",
        "a: !!bool yes\n": "m.yaml:1:4: a: 'yes' is not true or false",
        "a: !!float 0x10\n": "m.yaml:1:4: a: '0x10' is not a number",
        "a: !!null x\n": "m.yaml:1:4: a: 'x' is not null",
        "a: !!set {x}\n": "m.yaml:1:4: a: the tag tag:yaml.org,2002:set is not allowed (plain YAML only: no !!python or custom tags)",  # noqa: E501
    }
    for text, expected in cases.items():
        _, problems = parse(text, "m.yaml")
        assert [p.render() for p in problems] == [expected], text
    document, problems = parse("a: !!int '12'\nb: !!float 1\nc: !!str 5\nd: ! 5\ne: !!bool 'true'\n", "m.yaml")
    assert problems == [] and document.data == {"a": 12, "b": 1.0, "c": "5", "d": "5", "e": True}


def test_one_document_per_file():
    _, problems = parse("a: 1\n---\nb: 2\n", "m.yaml")
    assert [p.render() for p in problems] == [
        "m.yaml:2:1: YAML syntax error: a manifest holds one YAML document, and a second one starts here"
    ]
    for empty in ("", "# nothing\n", "---\n"):
        document, problems = parse(empty, "m.yaml")
        assert problems == [] and document.data in ({}, None), empty


def test_a_syntax_error_after_a_limit_is_still_the_one_reported():
    deep = "[" * 70 + "]" * 70
    _, problems = parse(f"a: {deep}\nb: [unclosed\n", "m.yaml")
    assert len(problems) == 1 and problems[0].message.startswith("YAML syntax error")
