"""`publisher validate`."""

from __future__ import annotations

from pathlib import Path

import click

from ..workflows import plan as plan_workflow
from ..workflows.inputs import parse_vars
from .options import catalog_options


@click.command()
@catalog_options
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "github"]),
    default="text",
    show_default=True,
    help="github: also print ::error annotations (automatic when GITHUB_ACTIONS=true).",
)
def validate(
    paths: tuple[Path, ...],
    state_path: Path | None,
    var_pairs: tuple[str, ...],
    var_files: tuple[str, ...],
    no_color: bool,
    debug: bool,
    output_format: str,
) -> None:
    """Check manifests: YAML, templates, schemas and references. No state, no network.

    Every problem of every file is reported, as FILE:LINE:COLUMN: FIELD: MESSAGE.
    """
    catalog = plan_workflow.validate(list(paths), parse_vars(var_files, var_pairs))
    files = len(catalog.files)
    click.echo(f"{len(catalog.resources)} resources in {files} file{'s' if files != 1 else ''}: valid.")
