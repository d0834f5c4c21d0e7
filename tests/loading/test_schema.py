"""The schemas: complete for editors and consistent with the registry."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

from publisher.loading import schema
from publisher.resource_types import TYPES

from conftest import REPO

ROOT = REPO


@pytest.mark.parametrize("type_name", list(TYPES))
def test_each_type_has_a_documented_draft7_schema(type_name):
    document = schema.load_schema(TYPES[type_name].schema_name)
    assert document["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert document["title"] and document["description"]
    assert document["properties"]["type"] == {"const": type_name, "description": "The resource type."}
    for name, prop in document["properties"].items():
        if name not in ("type", "identity", "lifecycle", "enabled", "for_each", "labels"):
            assert prop.get("description"), f"{type_name}.{name} has no description"
    for example in document.get("examples", []):
        assert not list(schema.validator(TYPES[type_name].schema_name).iter_errors(example)), example


def test_manifest_schema_accepts_the_examples():
    validator = jsonschema.Draft7Validator(schema.load_schema("manifest.json"), registry=schema._registry())
    files = sorted((ROOT / "examples").rglob("*.yaml"))
    assert files
    for path in files:
        if path.name == "publisher.yaml":
            continue
        # A templated value is checked after rendering; an editor cannot know what it becomes.
        errors = [
            e.message
            for e in validator.iter_errors(yaml.safe_load(path.read_text()))
            if not (isinstance(e.instance, str) and "{{" in e.instance)
        ]
        assert not errors, (path.name, errors)


def test_manifest_schema_rejects_a_wrong_field_for_editors():
    validator = jsonschema.Draft7Validator(schema.load_schema("manifest.json"), registry=schema._registry())
    manifest = {"posts": {"t": {"type": "twitter/post", "identity": "x", "message": "hi", "colour": "red"}}}
    assert list(validator.iter_errors(manifest))


def test_schema_command_prints_a_type_and_the_manifest(cli):
    run = cli("schema", "pinterest/pin")
    assert run.code == 0
    assert json.loads(run.out)["title"] == "Pinterest pin"
    assert json.loads(cli("schema").out)["$id"].endswith(":schemas:manifest.json")
    assert json.loads(cli("schema", "project").out)["properties"]["policies"] == {"$ref": "#/definitions/bundled/policies.json"}
    assert json.loads(cli("schema", "policies").out)["$id"].endswith(":schemas:policies.json")
    unknown = cli("schema", "myspace/post")
    assert unknown.code == 1 and "the names are: facebook/post" in unknown.err and "policies" in unknown.err
