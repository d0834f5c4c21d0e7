"""`publisher takedown`: a campaign off the network now, and kept off."""

from __future__ import annotations

import json
import sys

import click

from ..output.json import apply_to_json
from ..output.terminal import inert
from ..output.text import apply_summary
from ..workflows.takedown import takedown as take_down
from .apply import Progress, terminal_hooks
from .options import CatalogArgs, catalog_options, format_option, lock_timeout_option


@click.command()
@catalog_options
@click.option(
    "--target",
    "targets",
    multiple=True,
    required=True,
    metavar="ADDR",
    help="What to take down: an address, a glob such as 'posts.spring-*', or label:NAME (repeatable).",
)
@click.option("--reason", default="", metavar="TEXT", help="Why: kept in the state with who and when, and shown in plans.")
@click.option("--release", is_flag=True, help="Let the targets up again: the next apply publishes them as new objects.")
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation (required without a terminal).")
@lock_timeout_option
@format_option(
    "text",
    "json",
    explained="json: what was deleted, what to remove by hand (with its public URL) and what is kept down, on standard output.",
)
def takedown(
    catalog_args: CatalogArgs,
    targets: tuple[str, ...],
    reason: str,
    release: bool,
    auto_approve: bool,
    lock_timeout: float,
    output_format: str,
) -> None:
    """Delete the targeted objects now, and keep their entries down until released.

    Objects the API cannot delete (LinkedIn posts, Facebook profile and group posts, boards)
    are listed with their public URL, to remove by hand, and stop being tracked. Every later
    plan shows the entries as `taken down` instead of publishing them again.

    \b
      publisher takedown catalog/ --target label:spring-sale --reason "pricing error"
      publisher takedown catalog/ --release --target label:spring-sale
    """
    as_json = output_format == "json"
    progress: list[Progress] = []
    hooks = terminal_hooks(catalog_args.no_color, auto_approve, as_json, progress)
    try:
        result = take_down(
            catalog_args.paths,
            catalog_args.variables,
            targets=targets,
            reason=reason,
            release=release,
            state_option=catalog_args.state,
            lock_timeout=lock_timeout,
            hooks=hooks,
        )
    finally:
        for bar in progress:
            bar.close()
    applied = apply_to_json(result.applied)["resources"] if result.applied is not None else []
    kept_down = [a for a in result.matched if a not in {r["address"] for r in applied}]
    if as_json:
        by_hand = [{"address": address, "url": url} for address, url in result.by_hand]
        document = {"format_version": 1, "ok": result.applied is None or result.applied.ok, "released": result.released,
                    "resources": applied, "remove_by_hand": by_hand, "kept_down": [] if release else kept_down}  # fmt: skip
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    elif release:
        click.echo(inert(f"Released {len(result.released)}: {', '.join(result.released)}. The next apply publishes them again."))
    else:
        if result.applied is not None:
            click.echo(apply_summary(result.applied), nl=False, err=not result.applied.ok)
        for address, url in result.by_hand:
            click.echo(
                inert(f"{address}: the API cannot delete it: remove by hand{f' at {url}' if url else ''}; no longer tracked")
            )
        click.echo(inert(f"Taken down: {len(result.matched)} entr{'y' if len(result.matched) == 1 else 'ies'}, kept down until "
                         "`publisher takedown --release` or the catalog drops them."))  # fmt: skip
    if result.applied is not None and not result.applied.ok:
        sys.exit(1)
