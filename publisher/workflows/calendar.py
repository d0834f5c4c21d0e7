"""`publisher calendar`: what the catalog publishes (`publish_at`) and deletes (`expire_at`), by day.

It reads the catalog only (no state, no network), so it shows what a `for_each` generates
and what a pull request would schedule, before anything is applied.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import zoneinfo
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import PublisherError
from ..loading.catalog import Catalog, load_catalog
from ..loading.files import whole_catalog
from ..model import CREATED, Calendar, Item, Resource, State
from ..output.json import public_url
from ..planning import queues
from ..redact import mask
from ..rules import TEXT_FIELDS
from . import inputs


def catalog_calendar(
    paths: list[Path],
    variables: dict[str, Any],
    *,
    start: dt.date | None,
    days: int | None,
    view: str = "list",
    state_option: str | None = None,
    warn: Callable[[str], None] = lambda message: None,
) -> Calendar:
    """The items of the catalog at `paths` from `start` (default: today where the catalog's
    time zone says) for `days` days; without `days`, 14 days, or for the `month` view the
    month of `start`, for the `week` view its week."""
    catalog = load_catalog(whole_catalog(paths, "calendar"), variables=variables)
    published = _published(catalog, state_option, warn)
    queues.assign(catalog, State(), inputs.now())  # no state: where a first apply would put each queued item
    zone = zoneinfo.ZoneInfo(catalog.project.time_zone)
    today = inputs.now().astimezone(zone).date()
    start, days = _span(start or today, days, view)
    found = Calendar(zone, start, days, today=today)
    for resource in catalog.resources.values():
        for kind, moment in (("publish", resource.publish_at), ("expire", resource.expire_at)):
            if moment is not None:
                local = moment.astimezone(zone)
                if start <= local.date() < found.end:
                    item = _item(resource, kind, local)
                    if kind == "publish" and resource.address in published:
                        item = dataclasses.replace(item, published=True, url=published[resource.address])
                    found.items.append(item)
    found.items.sort(key=lambda item: (item.when, item.address, item.kind))
    return found


def _published(catalog: Catalog, state_option: str | None, warn: Callable[[str], None]) -> dict[str, str | None]:
    """What the state says is out already (address → its public URL, if the API gave one).
    A shared state is read only when asked for (--state, PUBLISHER_STATE): the calendar needs
    no credentials. One that cannot be read is a warning, not an error."""
    try:
        store = inputs.state_store(catalog.root, catalog.project, state_option)
        if store.backend.shared and not (state_option or os.environ.get("PUBLISHER_STATE")):
            return {}
        if not store.exists():
            return {}
        records = store.read().resources
    except PublisherError as error:
        warn(f"the state could not be read, so nothing shows as published: {error}")
        return {}
    return {address: public_url(record) for address, record in records.items() if record.status == CREATED}


def _item(resource: Resource, kind: str, when: dt.datetime) -> Item:
    text = next((value for key in TEXT_FIELDS if isinstance(value := resource.body.get(key), str) and value), "")
    short = " ".join(text.split())
    return Item(
        when=when,
        kind=kind,
        address=resource.address,
        type=resource.type.name,
        identity=resource.alias or mask(resource.identity),
        text=short[:117] + "…" if len(short) > 120 else short,
    )


def _span(start: dt.date, days: int | None, view: str) -> tuple[dt.date, int]:
    """The first day and the number of days to show."""
    if days is not None:
        return start, days
    if view == "month":
        first = start.replace(day=1)
        following = (first + dt.timedelta(days=32)).replace(day=1)
        return first, (following - first).days
    if view == "week":
        return start - dt.timedelta(days=start.weekday()), 7
    return start, 14
