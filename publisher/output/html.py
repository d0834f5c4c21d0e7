"""The plan as one self-contained HTML page: a card per change, styled after its network.

For the people who approve content: a pin with its picture, a tweet with its length as Twitter
counts it, a video with its playlists. The page has no script and loads nothing but the
content's own pictures; its Content-Security-Policy forbids scripts outright, and every value
is escaped. The network filter is CSS radio buttons, so it works without JavaScript.
"""

from __future__ import annotations

import html
import zoneinfo
from collections.abc import Mapping
from typing import Any

from ..model import NEW_REASON, UNKNOWN, Action, Change, Plan, Ref
from ..rules import is_web_url, network, network_title
from ..twitter_text import TWEET_LIMIT, twitter_length
from .changes import changed_fields, local_time, manifest_fields, pictures, reference_names, references, summary_line, value, who
from .page import page

_VERBS = {
    Action.CREATE: "will be published",
    Action.UPDATE: "will be updated in place",
    Action.REPLACE: "will be deleted and published again",
    Action.DELETE: "will be deleted from the network",
    Action.FORGET: "stays on the network; publisher stops managing it",
    Action.BLOCKED: "is blocked: nothing happens until this is resolved",
    Action.SCHEDULED: "is scheduled",
    Action.EXPIRED: "has expired and will not be published",
    Action.HELD: "is held: no approved review holds this change",
    Action.TAKEN_DOWN: "is taken down: not published until it is released",
}
_TEXT_FIELDS = ("title", "name", "message", "description")  # rules.TEXT_FIELDS, headings first on a card
_LINK_FIELDS = ("link", "video_url")


def esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def safe_url(url: Any) -> str | None:
    """An http(s) URL fit for href or src (escaped), or None: no javascript:, no data:."""
    return esc(url) if is_web_url(url) else None


def plan_html(plan: Plan, *, time_zone: str = "UTC") -> str:
    zone = zoneinfo.ZoneInfo(time_zone)
    shown = [change for change in plan.changes if change.action is not Action.NOOP]
    playlists = _playlists_of_videos(plan)
    names = reference_names(plan)
    cards = _side_by_side(shown, [_card(change, zone, playlists, names) for change in shown])
    blocked = sum(1 for change in shown if change.action is Action.BLOCKED)
    banner = (
        f'<p class="blocked-banner">{blocked} blocked: the plan cannot be applied until they are resolved.</p>' if blocked else ""
    )
    empty = "" if shown else '<p class="empty">No changes. The catalog matches the state.</p>'
    budget = "".join(f'<p class="blocked-banner">{esc(message)}</p>' for message in plan.over_budget)  # first, in red
    intro = f'{budget}<p class="summary">{esc(summary_line(plan.counts()))}</p>{banner}{empty}'
    networks = sorted({network(change.type) for change in shown})
    return page("publisher plan", intro, networks, "\n".join(cards))


def _side_by_side(changes: list[Change], cards: list[str]) -> list[str]:
    """The variants of one entry (SECTION.ENTRY.VARIANT) in one row, side by side, under the
    entry's address; every other card as it is."""
    out: list[str] = []
    groups: dict[str, list[str]] = {}
    for change, card in zip(changes, cards, strict=True):
        entry = change.address.rsplit(".", 1)[0] if change.address.count(".") == 2 else ""
        if not entry:
            out.append(card)
            continue
        if entry not in groups:
            groups[entry] = []
            out.append(entry)  # a place for the group, filled below
        groups[entry].append(card)
    return [
        f'<section class="variants" data-entry="{esc(item)}"><h2>{esc(item)} <span class="type">'
        f"· {len(groups[item])} variants</span></h2>{''.join(groups[item])}</section>"
        if item in groups
        else item
        for item in out
    ]


def _card(change: Change, zone: zoneinfo.ZoneInfo, playlists: Mapping[str, list[str]], names: Mapping[str, str]) -> str:
    net = network(change.type)
    action = change.action.value
    fields = manifest_fields(change)
    identity = f" · identity {esc(who(change))}" if change.identity else ""
    parts = [
        f'<article class="card net-{esc(net)} action-{esc(action)}" data-network="{esc(net)}" '
        f'data-address="{esc(change.address)}">',
        f'<header><span class="network">{esc(network_title(change.type))}</span><span class="badge">{esc(action)}</span>'
        f'<h2>{esc(change.address)}</h2><p class="type">{esc(change.type)}{identity}</p></header>',
        f'<p class="verdict">This {esc(change.type.split("/", 1)[1].replace("/", " "))} {_VERBS.get(change.action, "")}.</p>',
    ]
    resource = change.resource
    # A scheduled or expired card says its times below; a held or taken-down one says why here.
    said_in_local_time = change.action in (Action.SCHEDULED, Action.EXPIRED) and resource is not None
    if change.reason and change.reason != NEW_REASON and not said_in_local_time:
        parts.append(f'<p class="reason">{esc(change.reason)}</p>')
    if resource is not None and resource.publish_at:
        parts.append(f'<p class="when">Publishes {esc(local_time(resource.publish_at, zone))}</p>')
    if resource is not None and resource.expire_at:
        parts.append(f'<p class="when">Expires {esc(local_time(resource.expire_at, zone))}</p>')
    if change.action in (Action.DELETE, Action.FORGET):  # what goes: its text and its picture, not its ids
        kept = {*_TEXT_FIELDS, *(key for key, _ in pictures(change.type, fields))}
        fields = {key: value for key, value in fields.items() if key in kept}
    parts.append(_preview(change, fields, playlists, names))
    if change.action in (Action.UPDATE, Action.REPLACE, Action.BLOCKED):
        parts.append(_diff(change))
    parts.append("</article>")
    return "\n".join(part for part in parts if part)


def _preview(change: Change, fields: Mapping[str, Any], playlists: Mapping[str, list[str]], names: Mapping[str, str]) -> str:
    out = ['<div class="preview">']
    for _, picture in pictures(change.type, fields):
        out.append(f'<figure class="picture"><span class="placeholder">picture: {esc(picture)}</span>'
                   f'<img src="{esc(picture)}" alt="" loading="lazy" referrerpolicy="no-referrer"></figure>')  # fmt: skip
    for key in _TEXT_FIELDS:
        text = fields.get(key)
        if isinstance(text, str) and text:
            out.append(f'<p class="field-{key}">{esc(text)}</p>'.replace("\n", "<br>"))
            if change.type == "twitter/post" and key == "message":
                count = twitter_length(text)
                over = " over" if count > TWEET_LIMIT else ""
                out.append(f'<p class="counter{over}"><span class="count">{count}</span> / {TWEET_LIMIT} as Twitter counts</p>')
    for key in _LINK_FIELDS:
        url = safe_url(fields.get(key))
        if url:
            out.append(f'<p class="link">{esc(key.replace("_", " "))}: <a href="{url}" rel="noopener noreferrer">{url}</a></p>')
    for label, items in references(fields):
        out.append(f'<p class="ref">{esc(label)}: {_reference(items, names)}</p>')
    if change.type == "youtube/video" and playlists.get(change.address):
        listed = ", ".join(esc(name) for name in playlists[change.address])
        out.append(f'<p class="ref">playlists: {listed}</p>')
    out.append("</div>")
    return "\n".join(out)


def _diff(change: Change) -> str:
    fields, notes = changed_fields(change)
    rows = []
    for key, name in fields:
        before = _shown(change.before[key]) if change.before and key in change.before else "<em>(none)</em>"
        after = _shown(change.after[key]) if change.after and key in change.after else "<em>(none)</em>"
        forced = (
            ' <span class="forces">forces replacement</span>' if change.action is Action.REPLACE and key in change.forces else ""
        )
        rows.append(f'<tr><th>{esc(name)}{forced}</th><td class="before">{before}</td><td class="after">{after}</td></tr>')
    table = f'<table class="diff"><tr><th>field</th><th>before</th><th>after</th></tr>{"".join(rows)}</table>' if rows else ""
    return table + "".join(f'<p class="note">{esc(note)}</p>' for note in notes)


def _shown(val: Any) -> str:
    return esc(value(val)) if val is not UNKNOWN else "<em>(known after apply)</em>"


def _reference(items: list[Any], names: Mapping[str, str]) -> str:
    """What a field refers to, by its name where it has one: "Stadium (boards.stadium)"."""
    shown = []
    for item in items:
        if isinstance(item, Ref) and item.address in names:
            shown.append(f"{esc(names[item.address])} <code>({esc(item.address)})</code>")
        else:
            shown.append(esc(item.address if isinstance(item, Ref) else item))
    return ", ".join(shown)


def _playlists_of_videos(plan: Plan) -> dict[str, list[str]]:
    """video address -> the playlists the catalog puts it in (youtube/playlist/video entries)."""
    found: dict[str, list[str]] = {}
    for change in plan.changes:
        resource = change.resource
        if resource is None or resource.type.name != "youtube/playlist/video":
            continue
        values = {**resource.ids, **resource.body}
        video, playlist = values.get("video_id", values.get("id")), values.get("playlist_id")
        if isinstance(video, Ref):
            found.setdefault(video.address, []).append(playlist.address if isinstance(playlist, Ref) else str(playlist))
    return found
