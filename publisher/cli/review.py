"""`publisher review approve | list | show`: the proposals beside the state, and their approvals."""

from __future__ import annotations

import datetime as dt
import json

import click

from ..loading.project import Review
from ..output.terminal import inert
from ..rules import is_one_line
from ..state.store import StateStore
from ..workflows import reviews
from ..workflows.inputs import store_and_project_here
from .options import state_file_option
from .types import PROPOSAL_ID

_FORMAT = click.option(
    "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format."
)


def _here(state_path: str | None) -> tuple[StateStore, Review]:
    """The state and review settings of the catalog around the working directory (or --state)."""
    store, project = store_and_project_here(state_path)
    return store, project.review


@click.group()
def review() -> None:
    """Approve, list and show review proposals (made by `plan --propose ID`)."""


@review.command("approve")
@state_file_option
@click.argument("proposal_id", metavar="ID", type=PROPOSAL_ID)
@click.option("--by", "by", metavar="NAME", help="Who approves (default: the CI's actor, else user@host).")
def review_approve(state_path: str | None, proposal_id: str, by: str | None) -> None:
    """Approve proposal ID as it is now: apply may then carry out its changes.

    \b
      publisher review approve github-pr-123 --by alice
    """
    store, settings = _here(state_path)
    if by is not None and (not by.strip() or not is_one_line(by, 100)):
        raise click.BadParameter("give a name of at most 100 printable characters", param_hint="--by")
    proposal = reviews.approve(store, proposal_id, settings, by=by, now=dt.datetime.now(dt.UTC))
    click.echo(inert(f"Approved {proposal_id} ({len(proposal.changes)} change(s), proposed {proposal.proposed_at})."))


@review.command("list")
@state_file_option
@_FORMAT
def review_list(state_path: str | None, output_format: str) -> None:
    """Every proposal (proposed, approved or expired) and every break-glass apply."""
    store, settings = _here(state_path)
    listing = reviews.listing(store, settings, dt.datetime.now(dt.UTC))
    if output_format == "json":
        click.echo(inert(json.dumps(listing, indent=2, ensure_ascii=False)))
        return
    if not listing["proposals"] and not listing["break_glass"]:
        click.echo(f"No proposals in {store.name}.")
    for p in listing["proposals"]:
        counts = ", ".join(f"{n} {action}" for action, n in sorted(p["changes"].items())) or "no changes"
        approved = f" by {p['approved_by']} at {p['approved_at']}" if p["approved_by"] else ""
        commit = (p["commit"] or "-")[:12]
        proposed = f"proposed {p['proposed_at']} by {p['proposed_by']}"
        click.echo(inert(f"{p['id']}\t{p['status']}{approved}\t{counts}\tcommit {commit}\t{proposed}"))
    for entry in listing["break_glass"]:
        click.echo(inert(f"break-glass\t{entry['at']} by {entry['by']}\t{len(entry['changes'])} change(s)\t{entry['reason']}"))


@review.command("prune")
@state_file_option
def review_prune(state_path: str | None) -> None:
    """Remove the proposals that can approve nothing any more (older than review.expires_after,
    and past their scheduled posts' windows), with their approvals. The break-glass log stays."""
    store, settings = _here(state_path)
    removed = reviews.prune(store, settings, dt.datetime.now(dt.UTC))
    click.echo(inert(f"Removed {len(removed)} proposal(s){': ' + ', '.join(removed) if removed else ''}."))


@review.command("show")
@state_file_option
@click.argument("proposal_id", metavar="ID", type=PROPOSAL_ID)
@_FORMAT
def review_show(state_path: str | None, proposal_id: str, output_format: str) -> None:
    """The changes of proposal ID, and whether each has been carried out."""
    store, settings = _here(state_path)
    shown = reviews.showing(store, proposal_id, settings, dt.datetime.now(dt.UTC))
    if output_format == "json":
        click.echo(inert(json.dumps(shown, indent=2, ensure_ascii=False)))
        return
    approved = f" by {shown['approved_by']} at {shown['approved_at']}" if shown["approved_by"] else ""
    click.echo(inert(f"{shown['id']}: {shown['status']}{approved}; proposed {shown['proposed_at']} by {shown['proposed_by']}, "
                     f"commit {shown['commit'] or '-'}; expires {shown['expires_at']}"))  # fmt: skip
    for c in shown["changes"]:
        due = f" (due {c['due']})" if c["due"] else ""
        click.echo(inert(f"  {'done' if c['done'] else 'to do'}\t{c['action']} {c['address']}{due}\t{c['digest'][:19]}"))
