"""`publisher plan` and `publisher show`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..errors import PublisherError
from ..model import Plan
from ..output import github
from ..output.markdown import no_changes_markdown, plan_markdown
from ..output.text import no_changes_text, plan_text
from ..planning.budgets import Allowances
from ..planning.plan_document import plan_to_json
from ..rules import counted
from ..workflows.plan import NoChanges, plan_catalog, propose_plan, save_plan, saved_plan
from .options import (
    CatalogArgs,
    allowance_options,
    catalog_options,
    color,
    plan_format_option,
    refresh_option,
    report_warnings,
    target_option,
)
from .types import PROPOSAL_ID


def render(plan: Plan, output_format: str, no_color: bool, time_zone: str = "UTC") -> str:
    if output_format == "html":
        from ..output.html import plan_html  # the page's renderer, only when asked for

        return plan_html(plan, time_zone=time_zone)
    if output_format == "json":
        return json.dumps(plan_to_json(plan), indent=2, ensure_ascii=False) + "\n"
    if output_format == "markdown":
        return plan_markdown(plan)
    return plan_text(plan, color=color(no_color), time_zone=time_zone)


@click.command()
@catalog_options
@plan_format_option
@target_option
@click.option(
    "--out", "out", type=click.Path(path_type=Path), help="Save the plan, to apply exactly it later with `publisher apply FILE`."
)
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes, 0 when there are none.")
@click.option(
    "--propose",
    "proposal_id",
    type=PROPOSAL_ID,
    help="Record the plan's changes as review proposal ID (e.g. github-pr-123) beside the state; the same ID replaces it.",
)
@refresh_option
@allowance_options
def plan(
    catalog_args: CatalogArgs,
    output_format: str,
    targets: tuple[str, ...],
    out: Path | None,
    detailed_exitcode: bool,
    refresh: bool,
    allowed: Allowances,
    proposal_id: str | None,
) -> None:
    """Show what apply would do. Changes nothing (but the --out file and a --propose proposal).

    \b
      publisher plan examples/
      publisher plan --format markdown > comment.md
      publisher plan --out plan.json && publisher apply plan.json
      publisher plan --detailed-exitcode   # 0 no changes, 1 error, 2 changes
      publisher plan --propose github-pr-123
    """
    outcome = plan_catalog(
        catalog_args.paths,
        catalog_args.variables,
        state_option=catalog_args.state,
        targets=targets,
        refresh=refresh,
        memo=output_format not in ("json", "html") and out is None and proposal_id is None,
        allowed=allowed,
    )
    if isinstance(outcome, NoChanges):
        said = no_changes_markdown if output_format == "markdown" else no_changes_text
        click.echo(said(outcome.resources), nl=False)
        github.write_step_summary(lambda: no_changes_markdown(outcome.resources))
        return
    report_warnings(outcome.catalog.warnings)
    rendered = render(outcome.plan, output_format, catalog_args.no_color, outcome.catalog.project.time_zone)
    click.echo(rendered, nl=False, color=color(catalog_args.no_color) or None)  # FORCE_COLOR: kept in a pipe
    github.write_step_summary(lambda: plan_markdown(outcome.plan))
    if outcome.plan.blocked:
        raise PublisherError(f"the plan is blocked at {len(outcome.plan.blocked)} address(es); see above")
    if outcome.plan.over_budget:
        raise PublisherError("\n".join(outcome.plan.over_budget))
    if proposal_id is not None:
        proposal = propose_plan(outcome, proposal_id, catalog_args.state)
        click.echo(f"Proposed {counted(len(proposal.changes), 'change')} as {proposal_id}; approve with: "
                   f"publisher review approve {proposal_id}", err=True)  # fmt: skip
    if out is not None:
        save_plan(outcome, out, catalog_args.paths)
        click.echo(f"Saved the plan to {out}; apply exactly it with: publisher apply {out}", err=True)
    if detailed_exitcode and outcome.plan.has_changes:
        sys.exit(2)


@click.command()
@click.argument("planfile_path", metavar="PLANFILE", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@plan_format_option
@click.option("--no-color", is_flag=True, help="No colours (also NO_COLOR).")
def show(planfile_path: Path, output_format: str, no_color: bool) -> None:
    """Print a saved plan as text, json, markdown or html."""
    saved, time_zone = saved_plan(planfile_path)
    click.echo(render(saved.plan, output_format, no_color, time_zone), nl=False, color=color(no_color) or None)
