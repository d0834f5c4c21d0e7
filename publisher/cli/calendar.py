"""`publisher calendar`."""

from __future__ import annotations

import datetime as dt

import click

from ..workflows import inputs
from .options import CatalogArgs, format_option, manifest_options, say


@click.command()
@manifest_options
@click.option(
    "--state",
    "state_location",
    metavar="LOCATION",
    help="Read this state to show what is published already (a local state is read without it).",
)
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="The first day, YYYY-MM-DD (default: today).")
@click.option(
    "--days",
    type=click.IntRange(1, 366),
    help="How many days to show (default: 14; the month of --from for --view month, its week for --view week).",
)
@click.option(
    "--view",
    type=click.Choice(["list", "month", "week"]),
    help="list: day by day; month: a month grid (weeks as rows); week: a week grid with hours (html only). "
    "Default: month for html, list for text.",
)
@format_option(
    "text",
    "ics",
    "json",
    "html",
    explained="ics: one event per item for calendar apps (UTC times, stable ids); html: a page by day.",
)
def calendar(
    catalog_args: CatalogArgs,
    start: dt.datetime | None,
    days: int | None,
    view: str | None,
    output_format: str,
    state_location: str | None,
) -> None:
    """What the catalog publishes (publish_at) and deletes (expire_at), by day.

    Days and times are in publisher.yaml's time_zone (default UTC). Reads the catalog, and a
    local state (or the one --state names) to show what is published already; no network,
    so it shows what a pull request would schedule.

    \b
      publisher calendar catalog/ --days 7
      publisher calendar catalog/ --view month
      publisher calendar catalog/ --from 2027-03-01 --format html > march.html
      publisher calendar catalog/ --format ics > content.ics
    """
    from ..output.calendar import calendar_html, calendar_ics, calendar_json, calendar_text
    from ..output.calendar_grid import calendar_month_html, calendar_month_text, calendar_week_html
    from ..workflows.calendar import catalog_calendar  # imported by the command that needs them

    if view is not None and output_format in ("ics", "json"):
        raise click.UsageError(f"--view is for text and html, not {output_format}")
    if view == "week" and output_format == "text":
        raise click.UsageError("--view week is a page: give --format html (the text calendar has list and month)")
    view = view or ("month" if output_format == "html" else "list")
    first = start.date() if start else None
    found = catalog_calendar(catalog_args.paths, catalog_args.variables, start=first, days=days, view=view,
                             state_option=state_location, warn=say)  # fmt: skip
    if output_format == "ics":
        click.echo(calendar_ics(found, now=inputs.now()), nl=False)
    elif output_format == "json":
        click.echo(calendar_json(found), nl=False)
    elif output_format == "html":
        render = {"month": calendar_month_html, "week": calendar_week_html, "list": calendar_html}[view]
        click.echo(render(found), nl=False)
    else:
        click.echo((calendar_month_text if view == "month" else calendar_text)(found), nl=False)
