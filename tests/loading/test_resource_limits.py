"""Every per-network limit a schema enforces is cited in the registry, with the same value."""

from __future__ import annotations

import json

from publisher.loading.schema import SCHEMA_DIR
from publisher.resource_limits import LIMITS
from publisher.resource_types import TYPES

KEYWORDS = (
    "maxLength",
    "minLength",
    "maxItems",
    "minItems",
    "x-twitter-length",
    "x-max-utf8-bytes",
    "pattern",
    "minimum",
    "maximum",
)


def enforced(schema: dict, prefix: str = "") -> set[tuple[str, str, object]]:
    found = set()
    for name, field in schema.get("properties", {}).items():
        found |= {(prefix or name, keyword, json.dumps(field[keyword])) for keyword in KEYWORDS if keyword in field}
    found |= {(name, "required", "true") for name in schema.get("required", []) if name not in ("type", "identity")}
    return found


def cited(key: str) -> set[tuple[str, str, object]]:
    return {(limit.field, limit.rule, json.dumps(limit.value)) for limit in LIMITS[key]}


def test_every_limit_of_every_type_is_cited_with_its_value():
    differences = {}
    for name, resource_type in TYPES.items():
        schema = json.loads((SCHEMA_DIR / resource_type.schema_name).read_text(encoding="utf-8"))
        in_schema, in_registry = enforced(schema), cited(name)
        if in_schema != in_registry:
            differences[name] = {"not cited": in_schema - in_registry, "not enforced": in_registry - in_schema}
    assert differences == {}


def test_the_url_rules_are_cited():
    definitions = json.loads((SCHEMA_DIR / "common.json").read_text(encoding="utf-8"))["definitions"]
    for name in ("http_url", "media_url"):
        rules = {keyword: value for keyword, value in definitions[name].items() if keyword in KEYWORDS}
        in_schema = {(f"#{name}", keyword, json.dumps(value)) for keyword, value in rules.items()}
        assert in_schema == cited(f"#{name}")


def test_every_citation_names_a_source():
    assert set(LIMITS) == set(TYPES) | {"#http_url", "#media_url"}
    for limits in LIMITS.values():
        for limit in limits:
            assert len(limit.source) > 20, limit


def test_a_youtube_description_is_limited_in_bytes_as_youtube_counts(cli, write, tmp_path):
    identity = "e4d9c3a0-3a47-4f55-9a8b-6f2b0d1c5f60"
    latin = "a" * 5000
    cyrillic = "ж" * 2501  # 5,002 bytes: under 5,000 characters, over 5,000 bytes
    for name, text in (("fits", latin), ("too-long", cyrillic)):
        write(f"{name}.yaml", f"boards:\n  {name}:\n    type: youtube/playlist\n    identity: {identity}\n    title: T\n"
                              f"    description: {text}\n")  # fmt: skip
    run = cli("validate", tmp_path / "catalog")
    assert run.code == 1
    assert "too-long.yaml:6:5: boards.too-long.description: is 5002 bytes long in UTF-8; the limit is 5000 bytes" in run.err
    assert "fits.yaml" not in run.err
