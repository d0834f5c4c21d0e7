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


def test_a_duplicate_key_is_an_error_naming_the_first():
    _, problems = parse("a: 1\nb: 2\na: 3\n", "m.yaml")
    assert [p.render() for p in problems] == ["m.yaml:3:1: a: duplicate key 'a' (first defined on line 1)"]


def test_python_tags_are_refused():
    _, problems = parse("a: !!python/object/apply:os.system ['true']\n", "m.yaml")
    assert problems and "is not allowed" in problems[0].message
