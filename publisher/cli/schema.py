"""`publisher schema`."""

from __future__ import annotations

import json

import click

from ..errors import PublisherError
from ..loading.schema import load_schema
from ..resource_types import TYPES

# Schemas of other files than manifests, by the name `publisher schema` takes.
OTHER_SCHEMAS = {"project": "project.json", "policies": "policies.json"}


@click.command("schema")
@click.argument("type_name", required=False, metavar="[TYPE]")
def schema_command(type_name: str | None) -> None:
    """Print the JSON Schema of a manifest, of one resource type, or of publisher.yaml.

    \b
      publisher schema                 # the whole manifest
      publisher schema pinterest/pin   # one type's fields, limits and allowed values
      publisher schema project         # publisher.yaml
      publisher schema policies        # its policies block
    """
    if type_name is None:
        name = "manifest.json"
    elif type_name in TYPES:
        name = TYPES[type_name].schema_name
    elif type_name in OTHER_SCHEMAS:
        name = OTHER_SCHEMAS[type_name]
    else:
        known = ", ".join([*TYPES, *OTHER_SCHEMAS])
        raise PublisherError(f"unknown type {type_name!r}; the names are: {known}")
    click.echo(json.dumps(load_schema(name), indent=2, ensure_ascii=False))
