"""`publisher validate`."""

from __future__ import annotations

import click

from ..workflows import plan as plan_workflow
from .options import CatalogArgs, manifest_options, report_warnings


@click.command()
@manifest_options
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "github"]),
    default="text",
    show_default=True,
    help="github: also print ::error annotations (automatic when GITHUB_ACTIONS=true).",
)
def validate(catalog_args: CatalogArgs, output_format: str) -> None:
    """Check manifests: YAML, templates, schemas, references and policies. No state, no network.

    Every problem of every file is reported, as FILE:LINE:COLUMN: FIELD: MESSAGE.
    """
    catalog = plan_workflow.validate(catalog_args.paths, catalog_args.variables)
    report_warnings(catalog.warnings)
    files = len(catalog.files)
    click.echo(f"{len(catalog.resources)} resources in {files} file{'s' if files != 1 else ''}: valid.")
