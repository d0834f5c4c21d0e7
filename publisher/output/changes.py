"""How every format describes a change: its symbol and colour, its values, the fields it
changes, the pictures it shows, and the plan's summary line."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from collections.abc import Mapping
from typing import Any

from ..model import UNKNOWN, Action, Change, Plan, Ref
from ..redact import mask
from ..rules import is_web_url

SYMBOLS = {
    Action.CREATE: ("+", "green"),
    Action.UPDATE: ("~", "yellow"),
    Action.REPLACE: ("-/+", "magenta"),
    Action.DELETE: ("-", "red"),
    Action.FORGET: ("forget", "cyan"),
    Action.BLOCKED: ("!", "red"),
    Action.SCHEDULED: ("…", "blue"),
    Action.EXPIRED: ("x", "blue"),
    Action.HELD: ("=", "yellow"),
    Action.TAKEN_DOWN: ("v", "red"),
}


def who(change: Change) -> str:
    """The identity as people know it: its alias, else the token masked."""
    return change.alias or mask(change.identity)


def local_time(moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{local:%a %d %b %Y, %H:%M} {zone.key}"


def reason(change: Change, zone: zoneinfo.ZoneInfo) -> str:
    """Why, with the calendar's times in the catalog's time zone (the planner says UTC)."""
    resource = change.resource
    if resource is not None and resource.publish_at and change.reason.startswith("scheduled for "):
        return f"scheduled for {local_time(resource.publish_at, zone)}"
    if resource is not None and resource.expire_at and change.reason.startswith("expired at "):
        return f"expired at {local_time(resource.expire_at, zone)}" + change.reason.split("Z", 1)[1]
    return change.reason


def value(v: Any) -> str:
    if v is UNKNOWN:
        return "(known after apply)"
    if isinstance(v, list):
        return "[" + ", ".join(value(i) for i in v) + "]"
    return json.dumps(v, ensure_ascii=False)


def pictures(type_name: str, fields: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field, URL) of the pictures a resource shows: `picture`, `thumbnail_url`, and `url`
    where the type is a picture (a video's or a post's url is not one)."""
    keys = ("picture", "url", "thumbnail_url") if "picture" in type_name else ("picture", "thumbnail_url")
    return [(key, fields[key]) for key in keys if is_web_url(fields.get(key))]


def manifest_fields(change: Change) -> dict[str, Any]:
    """What the object will hold (or held, for a delete), by manifest field, references as
    `Ref`s. A saved plan keeps bodies, not resources: there, ids stand where references were."""
    if change.resource is not None:
        resource = change.resource
        return {resource.type.field_name(key): val for key, val in {**resource.ids, **resource.body}.items()}
    return dict(change.after or change.before or {})


def references(fields: Mapping[str, Any]) -> list[tuple[str, list[Any]]]:
    """The fields that refer to other entries, named as people read them (`board_id` is
    "board"), each with its values: `Ref`s, and any id written out beside them."""
    found = []
    for key, val in fields.items():
        items = val if isinstance(val, list) else [val]
        if any(isinstance(item, Ref) for item in items):
            found.append((key.removesuffix("_id").replace("_", " "), items))
    return found


def reference_names(plan: Plan) -> dict[str, str]:
    """address -> the name or title people know a board or playlist by."""
    found = {}
    for change in plan.changes:
        body = change.resource.body if change.resource is not None else {}
        name = next((value for key in ("name", "title") if isinstance(value := body.get(key), str) and value), None)
        if name:
            found[change.address] = name
    return found


def changed_fields(change: Change) -> tuple[list[tuple[str, str]], list[str]]:
    """The changed fields as (their key in before / after, the manifest's name for them), and
    what else changed (the account, the type) in words."""
    fields, notes = [], []
    for key in change.changed:
        if change.is_field(key):
            fields.append((key, change.field_name(key)))
        elif key == "identity":
            notes.append("identity changed (a different account)")
        elif key == "type":
            notes.append(f"type changed to {change.type}")
    return fields, notes


def summary_line(counts: Mapping[Action, int]) -> str:
    """`Plan: 1 to create, ...` from a plan's counts of each action."""
    return (
        f"Plan: {counts[Action.CREATE]} to create, {counts[Action.UPDATE]} to update, {counts[Action.REPLACE]} to replace, "
        f"{counts[Action.DELETE]} to delete, {counts[Action.FORGET]} to forget, {counts[Action.NOOP]} unchanged."
        + (f" {counts[Action.SCHEDULED]} scheduled." if counts[Action.SCHEDULED] else "")
        + (f" {counts[Action.EXPIRED]} expired, not published." if counts[Action.EXPIRED] else "")
        + (f" {counts[Action.HELD]} held (not reviewed)." if counts[Action.HELD] else "")
        + (f" {counts[Action.TAKEN_DOWN]} taken down." if counts[Action.TAKEN_DOWN] else "")
    )
