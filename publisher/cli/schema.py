"""`publisher schema`."""

from __future__ import annotations

import json

import click

from ..errors import PublisherError
from ..loading.schema import load_schema
from ..resource_types import TYPES


@click.command("schema")
@click.argument("type_name", required=False, metavar="[TYPE]")
def schema_command(type_name: str | None) -> None:
    """Print the JSON Schema of a manifest, or of one resource type.

    \b
      publisher schema                 # the whole manifest
      publisher schema pinterest/pin   # one type's fields, limits and allowed values
    """
    if type_name is None:
        name = "manifest.json"
    elif type_name in TYPES:
        name = TYPES[type_name].schema_name
    else:
        raise PublisherError(f"unknown type {type_name!r}; the types are: {', '.join(TYPES)}")
    click.echo(json.dumps(load_schema(name), indent=2, ensure_ascii=False))
