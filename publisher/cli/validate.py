"""`publisher validate`."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import InvalidInput
from ..loading.files import display_name, find_root
from ..workflows import plan as plan_workflow
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
        _validate(catalog_args, catalog_args.paths)
        return
    roots = sorted({root for path in catalog_args.paths if (root := find_root(path)) is not None})
    problems = []
    for root in roots:
        try:
            _validate(catalog_args, [root], label=f"{display_name(root)}: ")
        except InvalidInput as error:
            problems += error.diagnostics
    if problems:
        raise InvalidInput.from_diagnostics(problems)
    if not roots:
        click.echo("no catalog among the changed files (a catalog has a publisher.yaml at its root)")


def _validate(catalog_args: CatalogArgs, paths: list[Path], label: str = "") -> None:
    catalog = plan_workflow.validate(paths, catalog_args.variables)
    report_warnings(catalog.warnings)
    files = len(catalog.files)
    click.echo(f"{label}{len(catalog.resources)} resources in {files} file{'s' if files != 1 else ''}: valid.")
