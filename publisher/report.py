"""Renderings of plans, apply results and errors for people (text) and machines."""

from __future__ import annotations

import json
import re
from typing import Any

from .applier import ApplyResult
from .errors import Diagnostic
from .limits import twitter_length
from .plan import NEW_REASON, UNKNOWN, WAITING, Change, Plan
from .redact import mask
from .resources import network_title

_SYMBOLS = {
    "create": ("+", "green"),
    "update": ("~", "yellow"),
    "replace": ("-/+", "magenta"),
    "delete": ("-", "red"),
    "forget": ("forget", "cyan"),
    "blocked": ("!", "red"),
    "scheduled": ("…", "blue"),
    "expired": ("x", "blue"),
}


def _style(text: str, colour: str, enabled: bool, bold: bool = False) -> str:
    if not enabled:
        return text
    import click  # only the text renderer knows about terminals

    return click.style(text, fg=colour, bold=bold)


def value(v: Any) -> str:
    if v is UNKNOWN:
        return "(known after apply)"
    if isinstance(v, list):
        return "[" + ", ".join(value(i) for i in v) + "]"
    return json.dumps(v, ensure_ascii=False)


def _fields(change: Change) -> list[str]:
    before, after = change.before or {}, change.after or {}
    lines = []
    if change.action == "create":
        keys = sorted(after)
        width = max((len(k) for k in keys), default=0)
        lines = [f"{k.ljust(width)} = {value(after[k])}" for k in keys]
    elif change.action in ("update", "replace", "blocked"):
        fields, notes = _changed_fields(change)
        width = max((len(name) for _, name in fields), default=0)
        for k, name in fields:
            old = value(before[k]) if k in before else "(none)"
            new = value(after[k]) if k in after else "(none)"
            forces = "   # forces replacement" if change.action == "replace" and k in change.forces else ""
            lines.append(f"{name.ljust(width)} : {old} -> {new}{forces}")
        lines.extend(notes)
    return lines


def _changed_fields(change: Change) -> tuple[list[tuple[str, str]], list[str]]:
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


def plan_text(plan: Plan, *, color: bool = False) -> str:
    """Like Terraform's plan: what is due now, then the calendar (scheduled, expired)."""
    shown = [c for c in plan.changes if c.action not in ("no-op", *WAITING)]
    later = [c for c in plan.changes if c.action in WAITING]
    unchanged = len(plan.changes) - len(shown) - len(later)
    out = [f"  {line} (nothing is sent)" for line in plan.moved] + [f"  {line}" for line in plan.notes]
    if shown:
        out[:0] = ["publisher will perform these actions:", ""]
        for change in shown:
            symbol, colour = _SYMBOLS[change.action]
            who = f"{change.type}, identity {mask(change.identity)}" if change.identity else change.type
            head = f"{symbol} {change.address}" if change.action != "forget" else f"forget {change.address}"
            out.append(f"  {_style(head, colour, color, bold=True)}  ({who})")
            if change.reason and change.reason != NEW_REASON:
                out.append(f"      {change.reason}")
            out.extend(f"      {line}" for line in _fields(change))
            out.append("")
    for action, title in (("scheduled", "Scheduled, not published yet:"), ("expired", "Expired, never published:")):
        entries = [c for c in later if c.action == action]
        if entries:
            out.append(_style(title, _SYMBOLS[action][1], color, bold=True))
            out.extend(f"  {_SYMBOLS[action][0]} {c.address}  ({c.type}): {c.reason}" for c in entries)
            out.append("")
    if not shown:
        out.append(f"No changes due now. The catalog matches the state ({unchanged} resources)." if later
                   else f"No changes. The catalog matches the state ({unchanged} resources).")
        return "\n".join(out) + "\n"
    counts = plan.counts()
    out.append(_style(summary_line(plan), "white", color, bold=True))
    if counts["blocked"]:
        out.append(_style(f"{counts['blocked']} blocked: the plan cannot be applied until they are resolved.", "red", color, bold=True))
    return "\n".join(out) + "\n"


def _addresses(addresses: list[str], limit: int = 20) -> str:
    shown = ", ".join(sorted(addresses)[:limit])
    return shown + (f" and {len(addresses) - limit} more" if len(addresses) > limit else "")


def apply_summary(result: ApplyResult) -> str:
    lines = []
    if result.aborted:
        lines.append(f"Error: {result.aborted}")
    for title, addresses in (
        ("Failed (see above)", list(result.failed)),
        ("Pending, outcome unknown", list(result.pending)),
        ("Skipped, a dependency failed", list(result.skipped)),
        ("Not attempted", result.not_attempted),
    ):
        if addresses:
            lines.append(f"{title}: {_addresses(addresses)}")
    verdict = "Apply complete" if result.ok else "Apply incomplete"
    lines.append(
        f"{verdict}: {len(result.done)} done, {len(result.failed)} failed, {len(result.pending)} pending, "
        f"{len(result.skipped)} skipped, {len(result.not_attempted)} not attempted."
    )
    if result.pending:
        lines.append("Settle each pending address with: publisher state resolve ADDR --id REMOTE_ID | --absent")
    return "\n".join(lines) + "\n"


def _escape(text: str, *, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def github_annotations(diagnostics: list[Diagnostic]) -> str:
    """GitHub Actions workflow commands that put each problem on its line in the PR's diff."""
    lines = []
    for d in diagnostics:
        where = f"file={_escape(d.location.file, property_value=True)}"
        if d.location.line:
            where += f",line={d.location.line},col={d.location.column}"
        message = f"{d.path}: {d.message}" if d.path else d.message
        if d.hint:
            message += f" ({d.hint})"
        lines.append(f"::error {where},title=publisher::{_escape(message)}")
    return "\n".join(lines) + ("\n" if lines else "")


MARKER = "<!-- publisher-plan -->"
MARKDOWN_LIMIT = 65_000
_PREVIEW_TEXT = ("message", "title", "name", "description")
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


def summary_line(plan: Plan) -> str:
    counts = plan.counts()
    return (
        f"Plan: {counts['create']} to create, {counts['update']} to update, {counts['replace']} to replace, "
        f"{counts['delete']} to delete, {counts['forget']} to forget, {counts['no-op']} unchanged."
        + (f" {counts['scheduled']} scheduled." if counts["scheduled"] else "")
        + (f" {counts['expired']} expired, not published." if counts["expired"] else "")
    )


def _preview(change: Change) -> list[str]:
    fields = change.after or change.before or {}
    lines = []
    for key in _PREVIEW_TEXT:
        text = fields.get(key)
        if isinstance(text, str) and text:
            quoted = "\n".join(f"> {_md(line)}" if line else ">" for line in text.splitlines())
            if change.type == "twitter/post" and key == "message":
                quoted += f"\n>\n> <sub>{twitter_length(text)}/280 as Twitter counts</sub>"
            lines.append(quoted)
            break
    links = [f"{k}: {_md(str(fields[k]))}" for k in _PREVIEW_LINKS if isinstance(fields.get(k), str)]
    if links:
        lines.append("> " + " · ".join(links))
    return lines


def _change_markdown(change: Change) -> str:
    symbol = _SYMBOLS[change.action][0]
    who = f"{change.type}, identity `{mask(change.identity)}`" if change.identity else change.type
    out = [f"**`{symbol} {change.address}`** ({who})"]
    if change.reason and change.reason != NEW_REASON:
        out.append(f"<br>{_md(change.reason)}")
    fields, notes = _changed_fields(change) if change.action in ("update", "replace", "blocked") else ([], [])
    if fields:
        out.append("")
        out.append("| field | before | after |")
        out.append("|---|---|---|")
        for key, name in fields:
            before = _md_value(change.before[key]) if change.before and key in change.before else "*(none)*"
            after = _md_value(change.after[key]) if change.after and key in change.after else "*(none)*"
            forced = " ⚠ forces replacement" if change.action == "replace" and key in change.forces else ""
            out.append(f"| {name}{forced} | {before} | {after} |")
    if notes:
        out.append("")
        out.extend(f"{_md(note)}<br>" for note in notes)
    if change.action in ("create", "update", "replace"):
        preview = _preview(change)
        if preview:
            out.append("")
            out.extend(preview)
    return "\n".join(out) + "\n"


def plan_markdown(plan: Plan, *, limit: int = MARKDOWN_LIMIT) -> str:
    """A pull-request comment: summary first, one collapsible section per network, capped."""
    shown = [c for c in plan.changes if c.action != "no-op"]
    head = [MARKER, "### publisher plan", "", f"**{summary_line(plan)}**"]
    blocked = [c for c in shown if c.action == "blocked"]
    if blocked:
        head.append(f"\n⛔ **{len(blocked)} blocked**: the plan cannot be applied until they are resolved.")
    if plan.targets:
        head.append(f"\nTargeted: `{'`, `'.join(plan.targets)}`")
    if not shown:
        head.append("\nNo changes. The catalog matches the state.")
    text = "\n".join(head) + "\n"
    # Leave room for closing a section and saying what was cut.
    budget = limit - 600
    omitted = 0
    networks: dict[str, list[Change]] = {}
    for change in shown:
        networks.setdefault(network_title(change.type), []).append(change)
    for network, changes in networks.items():
        counts = {a: sum(1 for c in changes if c.action == a) for a in _SYMBOLS}
        summary = ", ".join(f"{n} {a}" for a, n in counts.items() if n)
        opening = f"\n<details><summary><b>{network}</b>: {summary}</summary>\n\n"
        if omitted or len(text) + len(opening) > budget:
            omitted += len(changes)
            continue
        section = opening
        for index, change in enumerate(changes):
            block = _change_markdown(change) + "\n"
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
