"""`publisher apply`, with its confirmation and progress."""

from __future__ import annotations

import json
import sys

import click

from ..applying.applier import Outcome
from ..errors import PublisherError
from ..model import Action, Plan
from ..output import github
from ..output.json import apply_to_json
from ..output.terminal import inert
from ..output.text import apply_summary, plan_text
from ..planning.budgets import Allowances
from ..workflows.apply import ApplyHooks, apply_catalog
from .options import (
    CatalogArgs,
    allowance_options,
    catalog_options,
    color,
    format_option,
    lock_timeout_option,
    refresh_option,
    report_warnings,
    say,
    target_option,
)
from .types import DURATION, PROPOSAL_ID


def confirm(auto_approve: bool) -> None:
    if auto_approve:
        return
    if not sys.stdin.isatty():
        raise PublisherError("not on a terminal: refusing to apply without --auto-approve")
    answer = click.prompt("Do you want to perform these actions? Only 'yes' will be accepted", default="", show_default=False)
    if answer.strip() != "yes":
        raise PublisherError("apply cancelled; nothing was changed")


class Progress:
    """One line per step in CI; on a terminal, a bar with counts and a line per failure."""

    _DONE = {
        Action.CREATE: "created",
        Action.UPDATE: "updated",
        Action.DELETE: "deleted",
        Action.FORGET: "forgotten (left on the network)",
    }

    def __init__(self, total: int, *, tty: bool, err: bool = False) -> None:
        self.total = total
        self.tty = tty
        self.err = err  # on standard error: standard output carries JSON
        self.finished = 0
        self.failed = 0

    def __call__(self, outcome: Outcome) -> None:
        action, address = outcome.step
        self.finished += 1
        self.failed += 0 if outcome.ok else 1
        if self.tty:
            click.echo("\r\x1b[2K", nl=False, err=self.err)
        if outcome.ok and not self.tty:
            click.echo(inert(f"{address}: {self._DONE[action]}"), err=self.err)
        elif not outcome.ok and not outcome.fatal:
            state = "outcome unknown" if outcome.pending else "failed"
            click.echo(inert(f"{address}: {action} {state}: {outcome.message}"), err=True)
        if self.tty:
            width = 30
            filled = int(width * self.finished / max(self.total, 1))
            bar = f"[{'#' * filled}{'.' * (width - filled)}] {self.finished}/{self.total}  failed {self.failed}"
            click.echo(bar, nl=False, err=self.err)

    def close(self) -> None:
        if self.tty and self.finished:
            click.echo(err=self.err)


def terminal_hooks(no_color: bool, auto_approve: bool, as_json: bool, bars: list[Progress]) -> ApplyHooks:
    """What apply and takedown show and ask: the plan (on standard error when standard output
    carries JSON), the confirmation, progress (its bar kept in `bars`), waits and warnings."""

    def show_plan(plan: Plan, time_zone: str) -> None:
        coloured = color(no_color) and not as_json
        click.echo(plan_text(plan, color=coloured, time_zone=time_zone), nl=False, err=as_json, color=coloured or None)

    def start_progress(steps: int) -> Progress:
        bars.append(Progress(steps, tty=(sys.stderr if as_json else sys.stdout).isatty(), err=as_json))
        return bars[0]

    return ApplyHooks(
        show_plan=show_plan,
        confirm=lambda: confirm(auto_approve),
        progress=start_progress,
        on_wait=say,
        on_lock_wait=say,
        say=say,
        warn=report_warnings,
    )


@click.command()
@catalog_options
@target_option
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation (required without a terminal).")
@click.option(
    "--concurrency", type=click.IntRange(1, 64), help="API calls at once (default: publisher.yaml's concurrency, else 4)."
)
@refresh_option
@lock_timeout_option
@allowance_options
@click.option(
    "--max-changes",
    type=click.IntRange(1),
    metavar="N",
    help="Carry out at most N changes (dependency order first), then stop: the next apply goes on.",
)
@click.option(
    "--max-duration",
    "max_duration",
    type=DURATION,
    metavar="DURATION",
    help="Start no new change after this long (e.g. 5h, below the CI job's limit); what was sent finishes.",
)
@click.option(
    "--approve",
    "approve",
    type=PROPOSAL_ID,
    multiple=True,
    help="Approve review proposal ID first, then apply (repeatable): e.g. the pull requests a push merged.",
)
@click.option(
    "--reviewed-only",
    is_flag=True,
    help="Carry out only the changes an approved, unexpired proposal holds; hold the others (publisher.yaml's "
    "review.required, for this run).",
)
@click.option(
    "--unreviewed",
    "unreviewed",
    metavar="REASON",
    help="Break-glass: carry out every change, reviewed or not, and log REASON, who, when and the changes.",
)
@click.option("--allow-older", is_flag=True, help="Apply even from a checkout older than the commit the state was applied from.")
@format_option(
    "text",
    "json",
    explained="json: one record per address on standard output (action, outcome, id, public URL, error); "
    "the plan and the progress go to standard error.",
)
def apply(
    catalog_args: CatalogArgs,
    targets: tuple[str, ...],
    auto_approve: bool,
    concurrency: int | None,
    refresh: bool,
    lock_timeout: float,
    allow_older: bool,
    output_format: str,
    allowed: Allowances,
    max_changes: int | None,
    max_duration: float | None,
    approve: tuple[str, ...],
    reviewed_only: bool,
    unreviewed: str | None,
) -> None:
    """Plan, then make exactly the creates, updates and deletes needed, recording each.

    Given a file saved by `plan --out`, apply exactly that plan, once, if the state and the
    manifests are still those it was made from.

    \b
      publisher apply examples/ --auto-approve
      publisher apply plan.json --auto-approve
    """
    progress: list[Progress] = []
    as_json = output_format == "json"
    hooks = terminal_hooks(catalog_args.no_color, auto_approve, as_json, progress)
    try:
        result = apply_catalog(
            catalog_args.paths,
            catalog_args.variables,
            state_option=catalog_args.state,
            targets=targets,
            refresh=refresh,
            concurrency=concurrency,
            lock_timeout=lock_timeout,
            allow_older=allow_older,
            allowed=allowed,
            max_changes=max_changes,
            max_seconds=max_duration,
            approve=approve,
            reviewed_only=reviewed_only,
            unreviewed=unreviewed,
            hooks=hooks,
        )
    finally:
        for bar in progress:
            bar.close()
    if result is not None and result.held and github.wanted(output_format):
        click.echo(github.held_annotations(result.held), nl=False, err=True)
    if as_json:
        click.echo(json.dumps(apply_to_json(result), indent=2, ensure_ascii=False))
    elif result is not None:
        click.echo(apply_summary(result), nl=False, err=not result.ok)
    if result is not None and not result.ok:
        sys.exit(1)
