"""Schemas for editors: self-contained, with absolute ids, the same rules as publisher's own."""

from __future__ import annotations

import json

import jsonschema
import pytest
import referencing
import yaml
from referencing.jsonschema import DRAFT7

from publisher.output.schemas import bundle, schema_names

from conftest import REPO, json_refs

ROOT = REPO


@pytest.mark.parametrize("name", schema_names())
def test_every_schema_is_self_contained_with_an_absolute_id(name):
    schema = bundle(name)
    assert schema["$id"] == f"urn:content-catalog-publisher:{__import__('publisher').__version__}:schemas:{name}"
    assert all(ref.startswith("#") for ref in json_refs(schema))
    jsonschema.Draft7Validator.check_schema(schema)
    # Every reference resolves inside the document itself: nothing else registered, no files.
    resolver = referencing.Registry().with_resource(schema["$id"], DRAFT7.create_resource(schema)).resolver(schema["$id"])
    for ref in set(json_refs(schema)):
        assert resolver.lookup(ref).contents is not None


def test_the_bundle_accepts_and_refuses_what_publisher_does(cli):
    manifest = jsonschema.Draft7Validator(bundle("manifest.json"))
    for path in sorted(p for p in (ROOT / "examples" / "club").glob("*.yaml") if p.name != "publisher.yaml"):
        # A templated value is checked after rendering; an editor cannot know what it becomes.
        errors = [e for e in manifest.iter_errors(yaml.safe_load(path.read_text())) if "{{" not in str(e.instance)]
        assert errors == [], path
    tweet = {"posts": {"t": {"type": "twitter/post", "identity": "club", "message": 5}}}
    assert [e.message for e in manifest.iter_errors(tweet)]
    project = jsonschema.Draft7Validator(bundle("project.json"))
    assert list(project.iter_errors(yaml.safe_load((ROOT / "examples" / "shop" / "publisher.yaml").read_text()))) == []
    assert list(project.iter_errors({"policies": [{"name": "x", "schedule": {"not_between": ["7am", "08:00"]}}]}))


def test_the_examples_carry_the_bundle_their_modelines_point_at(cli, tmp_path):
    run = cli("schema", "--write", tmp_path / "schemas")
    assert run.code == 0, run.err
    written = {path.name: path.read_text() for path in (tmp_path / "schemas").iterdir()}
    shipped = {path.name: path.read_text() for path in (ROOT / "examples" / "schemas").iterdir()}
    assert written == shipped, "run: publisher schema --write examples/schemas"
    for path in (ROOT / "examples").rglob("*.yaml"):
        first = path.read_text().splitlines()[0]
        if "yaml-language-server" in first:
            target = (path.parent / first.split("$schema=")[1]).resolve()
            assert target.is_file() and target.parent == ROOT / "examples" / "schemas", path


def test_schema_of_one_type_is_bundled_too(cli):
    run = cli("schema", "twitter/post")
    schema = json.loads(run.out)
    assert schema["properties"]["message"]["x-twitter-length"] == 280
    assert schema["properties"]["identity"]["$ref"] == "#/definitions/bundled/common.json/definitions/identity"
    assert "common.json" in schema["definitions"]["bundled"]
