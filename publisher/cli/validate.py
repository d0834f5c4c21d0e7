"""`publisher validate`."""

from __future__ import annotations

import click

from ..errors import InvalidInput
from ..loading.catalog import Catalog
from ..loading.files import display_name
from ..rules import counted
from ..workflows.plan import validate_catalog, validate_changed
from .options import CatalogArgs, format_option, manifest_options, report_warnings


@click.command()
@manifest_options
@format_option("text", "github", explained="github: also print ::error annotations (automatic when GITHUB_ACTIONS=true).")
@click.option(
    "--changed",
    is_flag=True,
    help="PATHS are changed files (as pre-commit passes them): validate each whole catalog they belong to, "
    "found from the nearest publisher.yaml upward; files in no catalog are skipped.",
)
def validate(catalog_args: CatalogArgs, output_format: str, changed: bool) -> None:
    """Check manifests: YAML, templates, schemas, references and policies. No state, no network.

    Every problem of every file is reported, as FILE:LINE:COLUMN: FIELD: MESSAGE.
    """
    if not changed:
        _report(validate_catalog(catalog_args.paths, catalog_args.variables))
        return
    found, problems = validate_changed(catalog_args.paths, catalog_args.variables)
    for root, catalog in found:
        _report(catalog, label=f"{display_name(root)}: ")
    if problems:
        raise InvalidInput.from_diagnostics(problems)
    if not found:
        click.echo("no catalog among the changed files (a catalog has a publisher.yaml at its root)")


def _report(catalog: Catalog, label: str = "") -> None:
    report_warnings(catalog.warnings)
    files = len(catalog.files)
    click.echo(f"{label}{counted(len(catalog.resources), 'resource')} in {counted(files, 'file')}: valid.")
