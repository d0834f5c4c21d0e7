"""`publisher calendar`."""

from __future__ import annotations

import datetime as dt

import click

from ..workflows import inputs
from .options import CatalogArgs, format_option, manifest_options


@click.command()
@manifest_options
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="The first day, YYYY-MM-DD (default: today).")
@click.option("--days", type=click.IntRange(1, 366), default=14, show_default=True, help="How many days to show.")
@format_option(
    "text",
    "ics",
    "json",
    "html",
    explained="ics: one event per item for calendar apps (UTC times, stable ids); html: a page by day.",
)
def calendar(catalog_args: CatalogArgs, start: dt.datetime | None, days: int, output_format: str) -> None:
    """What the catalog publishes (publish_at) and deletes (expire_at), by day.

    Days and times are in publisher.yaml's time_zone (default UTC). Reads the catalog only:
    no state, no network, so it shows what a pull request would schedule.

    \b
      publisher calendar catalog/ --days 7
      publisher calendar catalog/ --format ics > content.ics
    """
    from ..output.calendar import calendar_html, calendar_ics, calendar_json, calendar_text
    from ..workflows.calendar import catalog_calendar  # imported by the command that needs them

    first = start.date() if start else None
    found = catalog_calendar(catalog_args.paths, catalog_args.variables, start=first, days=days)
    if output_format == "ics":
        click.echo(calendar_ics(found, now=inputs.now()), nl=False)
    elif output_format == "json":
        click.echo(calendar_json(found), nl=False)
    elif output_format == "html":
        click.echo(calendar_html(found), nl=False)
    else:
        click.echo(calendar_text(found), nl=False)
