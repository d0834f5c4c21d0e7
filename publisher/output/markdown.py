"""The plan as Markdown for a pull-request comment: summary first, one section per network."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from ..model import NEW_REASON, Action, Change, Plan, Ref
from ..rules import TEXT_FIELDS, network_title
from ..twitter_text import TWEET_LIMIT, twitter_length
from .changes import SYMBOLS, changed_fields, manifest_fields, pictures, reference_names, references, summary_line, value, who

MARKER = "<!-- publisher-plan -->"
MARKDOWN_LIMIT = 65_000
_PREVIEW_LINKS = ("link", "url", "picture", "video_url")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~!])")


def _md(text: str) -> str:
    """User text made inert in markdown: no formatting, no HTML, no @mentions."""
    text = text.replace("&", "&amp;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return text.replace("@", "@&#8203;")


def _md_value(v: Any) -> str:
    text = value(v)
    if len(text) > 300:
        text = text[:300] + "…"
    return _md(text)


def _preview(change: Change, names: Mapping[str, str]) -> list[str]:
    fields = change.after or change.before or {}
    lines = []
    for key in TEXT_FIELDS:
        text = fields.get(key)
        if isinstance(text, str) and text:
            quoted = "\n".join(f"> {_md(line)}" if line else ">" for line in text.splitlines())
            if change.type == "twitter/post" and key == "message":
                quoted += f"\n>\n> <sub>{twitter_length(text)}/{TWEET_LIMIT} as Twitter counts</sub>"
            lines.append(quoted)
            break
    links = [f"{k}: {_md(str(fields[k]))}" for k in _PREVIEW_LINKS if isinstance(fields.get(k), str)]
    if links:
        lines.append("> " + " · ".join(links))
    for label, items in references(manifest_fields(change)):
        lines.append(f"> {label}: " + ", ".join(_reference(item, names) for item in items))
    thumbnail = _thumbnail(change, fields)
    if thumbnail:
        lines.append(thumbnail)
    return lines


def _reference(item: Any, names: Mapping[str, str]) -> str:
    """ "Stadium (`boards.stadium`)": the name people know it by, where it has one."""
    if not isinstance(item, Ref):
        return _md(value(item))
    code = f"`{item.address}`"  # an address is letters, digits, '_', '-' and dots: nothing to escape
    return f"{_md(names[item.address])} ({code})" if item.address in names else code


def _thumbnail(change: Change, fields: dict[str, Any]) -> str:
    """A small picture of what will be posted: GitHub shows it through its image proxy."""
    for key, url in pictures(change.type, fields):
        if len(url) <= 2048:
            alt = html.escape(f"{key} of {change.address}", quote=True)
            return f'<img src="{html.escape(url, quote=True)}" width="120" alt="{alt}">'
    return ""


def _change_markdown(change: Change, names: Mapping[str, str]) -> str:
    symbol = SYMBOLS[change.action][0]
    shown = f"{change.type}, identity `{who(change)}`" if change.identity else change.type
    out = [f"**`{symbol} {change.address}`** ({shown})"]
    if change.reason and change.reason != NEW_REASON:
        out.append(f"<br>{_md(change.reason)}")
    fields, notes = changed_fields(change) if change.action in (Action.UPDATE, Action.REPLACE, Action.BLOCKED) else ([], [])
    if fields:
        out.append("")
        out.append("| field | before | after |")
        out.append("|---|---|---|")
        for key, name in fields:
            before = _md_value(change.before[key]) if change.before and key in change.before else "*(none)*"
            after = _md_value(change.after[key]) if change.after and key in change.after else "*(none)*"
            forced = " ⚠ forces replacement" if change.action is Action.REPLACE and key in change.forces else ""
            out.append(f"| {name}{forced} | {before} | {after} |")
    if notes:
        out.append("")
        out.extend(f"{_md(note)}<br>" for note in notes)
    if change.action in (Action.CREATE, Action.UPDATE, Action.REPLACE):
        preview = _preview(change, names)
        if preview:
            out.append("")
            out.extend(preview)
    return "\n".join(out) + "\n"


def no_changes_markdown(unchanged: int) -> str:
    """The comment when the catalog matches the state (the memo of a no-op plan says it too)."""
    counts = dict.fromkeys(Action, 0) | {Action.NOOP: unchanged}
    return (
        "\n".join(
            [MARKER, "### publisher plan", "", f"**{summary_line(counts)}**", "\nNo changes. The catalog matches the state."]
        )
        + "\n"
    )


def plan_markdown(plan: Plan, *, limit: int = MARKDOWN_LIMIT) -> str:
    """A pull-request comment: summary first, one collapsible section per network, capped."""
    shown = [c for c in plan.changes if c.action is not Action.NOOP]
    head = [MARKER, "### publisher plan", ""]
    head += [f"⛔ **{_md(message)}**\n" for message in plan.over_budget]  # first: nothing is applied
    head.append(f"**{summary_line(plan.counts())}**")
    blocked = [c for c in shown if c.action is Action.BLOCKED]
    if blocked:
        head.append(f"\n⛔ **{len(blocked)} blocked**: the plan cannot be applied until they are resolved.")
    if plan.targets:
        head.append("\nTargeted: " + ", ".join(_md(target) for target in plan.targets))
    if not shown and not plan.targets and not plan.over_budget:
        return no_changes_markdown(plan.counts()[Action.NOOP])
    if not shown:
        head.append("\nNo changes. The catalog matches the state.")
    text = "\n".join(head) + "\n"
    # Leave room for closing a section and saying what was cut.
    budget = limit - 600
    omitted = 0
    names = reference_names(plan)
    sections: dict[str, list[Change]] = {}  # the variants of an entry together, then one per network
    for change in shown:
        if change.address.count(".") == 2:
            sections.setdefault(f"<code>{change.address.rsplit('.', 1)[0]}</code> (variants)", []).append(change)
    for change in shown:
        if change.address.count(".") != 2:
            sections.setdefault(network_title(change.type), []).append(change)
    for title, changes in sections.items():
        counts = {a: sum(1 for c in changes if c.action is a) for a in SYMBOLS}
        summary = ", ".join(f"{n} {a}" for a, n in counts.items() if n)
        opening = f"\n<details><summary><b>{title}</b>: {summary}</summary>\n\n"
        if omitted or len(text) + len(opening) > budget:
            omitted += len(changes)
            continue
        section = opening
        for index, change in enumerate(changes):
            block = _change_markdown(change, names) + "\n"
            if len(text) + len(section) + len(block) + len("</details>\n") > budget:
                omitted += len(changes) - index
                break
            section += block
        text += section + "</details>\n"
    if omitted:
        text += (
            f"\n**{omitted} of {len(shown)} changes are not shown**: the comment is cut to stay under "
            f"{limit:,} characters. The job log, or `publisher show PLANFILE`, has the whole plan.\n"
        )
    return text
