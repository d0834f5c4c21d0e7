"""`publisher schema`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import PublisherError
from ..output.schemas import bundle, write_bundle
from ..resource_types import TYPES

# Schemas of other files than manifests, by the name `publisher schema` takes.
OTHER_SCHEMAS = {"project": "project.json", "policies": "policies.json"}


@click.command("schema")
@click.argument("type_name", required=False, metavar="[TYPE]")
@click.option(
    "--write",
    "folder",
    type=click.Path(path_type=Path, file_okay=False),
    help="Write every schema into this folder instead, for an editor to point at.",
)
def schema_command(type_name: str | None, folder: Path | None) -> None:
    """Print the JSON Schema of a manifest, of one resource type, or of publisher.yaml.

    \b
      publisher schema                 # the whole manifest
      publisher schema pinterest/pin   # one type's fields, limits and allowed values
      publisher schema project         # publisher.yaml
      publisher schema policies        # its policies block
      publisher schema --write schemas # all of them, for an editor

    Each schema is self-contained: it holds every schema it refers to.
    """
    if folder is not None:
        if type_name is not None:
            raise PublisherError("give a TYPE or --write DIR, not both")
        written = write_bundle(folder)
        click.echo(f"wrote {len(written)} schemas to {folder}; point your editor at {folder / 'manifest.json'}")
        return
    if type_name is None:
        name = "manifest.json"
    elif type_name in TYPES:
        name = TYPES[type_name].schema_name
    elif type_name in OTHER_SCHEMAS:
        name = OTHER_SCHEMAS[type_name]
    else:
        known = ", ".join([*TYPES, *OTHER_SCHEMAS])
        raise PublisherError(f"unknown type {type_name!r}; the names are: {known}")
    click.echo(json.dumps(bundle(name), indent=2, ensure_ascii=False))
