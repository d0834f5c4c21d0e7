"""Plans and apply results as text for a terminal or a CI log, like Terraform's."""

from __future__ import annotations

import zoneinfo

from ..applying.applier import ApplyResult
from ..model import NEW_REASON, Action, Change, Plan
from ..rules import counted
from .changes import SYMBOLS, changed_fields, reason, summary_line, value, who
from .json import apply_to_json
from .terminal import inert

_COLOURS = {"red": 31, "green": 32, "yellow": 33, "blue": 34, "magenta": 35, "cyan": 36, "white": 37}  # ANSI SGR codes


def _style(text: str, colour: str, enabled: bool, bold: bool = False) -> str:
    """`text` in a terminal colour: the ANSI codes click.style writes, without click here."""
    if not enabled:
        return text
    return f"\x1b[{'1;' if bold else ''}{_COLOURS[colour]}m{text}\x1b[0m"


def _fields(change: Change) -> list[str]:
    before, after = change.before or {}, change.after or {}
    lines = []
    if change.action is Action.CREATE:
        keys = sorted(after)
        width = max((len(k) for k in keys), default=0)
        lines = [f"{k.ljust(width)} = {value(after[k])}" for k in keys]
    elif change.action in (Action.UPDATE, Action.REPLACE, Action.BLOCKED):
        fields, notes = changed_fields(change)
        width = max((len(name) for _, name in fields), default=0)
        for k, name in fields:
            old = value(before[k]) if k in before else "(none)"
            new = value(after[k]) if k in after else "(none)"
            forces = "   # forces replacement" if change.action is Action.REPLACE and k in change.forces else ""
            lines.append(f"{name.ljust(width)} : {old} -> {new}{forces}")
        lines.extend(notes)
    return lines


def plan_text(plan: Plan, *, color: bool = False, time_zone: str = "UTC") -> str:
    """Like Terraform's plan: what is due now, then the calendar (scheduled, expired), its
    times in the catalog's time zone."""
    zone = zoneinfo.ZoneInfo(time_zone)
    budget = [_style(inert(message), "red", color, bold=True) for message in plan.over_budget]  # first: nothing is applied
    shown = [c for c in plan.changes if c.action is not Action.NOOP and not c.action.is_waiting]
    later = [c for c in plan.changes if c.action.is_waiting]
    unchanged = len(plan.changes) - len(shown) - len(later)
    out = [inert(f"  {line} (nothing is sent)") for line in plan.moved] + [inert(f"  {line}") for line in plan.notes]
    if shown:
        out[:0] = ["publisher will perform these actions:", ""]
        for change in shown:
            symbol, colour = SYMBOLS[change.action]
            account = f"{change.type}, identity {who(change)}" if change.identity else change.type
            head = f"{symbol} {change.address}" if change.action is not Action.FORGET else f"forget {change.address}"
            out.append(f"  {_style(inert(head), colour, color, bold=True)}  ({inert(account)})")
            if change.reason and change.reason != NEW_REASON:
                out.append(inert(f"      {reason(change, zone)}"))
            out.extend(inert(f"      {line}") for line in _fields(change))
            out.append("")
    for action, title in (
        (Action.HELD, "Held (not reviewed), nothing is sent:"),
        (Action.TAKEN_DOWN, "Taken down, not published until `publisher takedown --release`:"),
        (Action.SCHEDULED, "Scheduled, not published yet:"),
        (Action.EXPIRED, "Expired, never published:"),
    ):
        entries = [c for c in later if c.action == action]
        if entries:
            out.append(_style(title, SYMBOLS[action][1], color, bold=True))
            out.extend(inert(f"  {SYMBOLS[action][0]} {c.address}  ({c.type}): {reason(c, zone)}") for c in entries)
            out.append("")
    if not shown:
        if later:
            out.append(f"No changes due now. The catalog matches the state ({counted(unchanged, 'resource')}).")
            return "".join(line + "\n" for line in budget) + "\n".join(out) + "\n"
        return "".join(line + "\n" for line in [*budget, *out]) + no_changes_text(unchanged)
    counts = plan.counts()
    out.append(_style(summary_line(plan.counts()), "white", color, bold=True))
    if counts[Action.BLOCKED]:
        out.append(
            _style(
                f"{counts[Action.BLOCKED]} blocked: the plan cannot be applied until they are resolved.", "red", color, bold=True
            )
        )
    return "".join(line + "\n" for line in budget) + "\n".join(out) + "\n"


def _addresses(addresses: list[str], limit: int = 20) -> str:
    shown = ", ".join(sorted(addresses)[:limit])
    return shown + (f" and {len(addresses) - limit} more" if len(addresses) > limit else "")


def no_changes_text(unchanged: int) -> str:
    """What plan says when the catalog matches the state (the memo of a no-op plan says it too)."""
    return f"No changes. The catalog matches the state ({counted(unchanged, 'resource')}).\n"


def apply_summary(result: ApplyResult) -> str:
    lines = []
    if result.aborted:
        lines.append(f"Error: {result.aborted}")
    held = [c.address for c in result.held]
    for title, addresses in (
        ("Held (not reviewed)", held),
        ("Failed (see above)", list(result.failed)),
        ("Pending, outcome unknown", list(result.pending)),
        ("Skipped, a dependency failed", list(result.skipped)),
        ("Not attempted", result.not_attempted),
    ):
        if addresses:
            lines.append(f"{title}: {_addresses(addresses)}")
    published = _published(result)
    if published:
        lines.append("Published:")
        lines.extend(f"  {address}  {url}" for address, url in published)
    verdict = "Apply complete" if result.ok else "Apply incomplete"
    lines.append(
        f"{verdict}: {len(result.done)} done, {len(result.failed)} failed, {len(result.pending)} pending, "
        f"{len(result.skipped)} skipped, {len(result.not_attempted)} not attempted"
        + (f", {len(held)} held (not reviewed)." if held else ".")
    )
    if result.pending:
        lines.append("Settle each pending address with: publisher state resolve ADDR --id REMOTE_ID | --absent")
    if result.remaining:
        lines.append(f"{counted(len(result.remaining), 'change')} remain: run apply again (nothing is done twice).")
    return inert("\n".join(lines)) + "\n"


def _published(result: ApplyResult) -> list[tuple[str, str]]:
    """(address, public URL) of what this apply created or changed, where the API gave a URL:
    the records of `apply --format json` that are done and have one."""
    records = apply_to_json(result)["resources"]
    return sorted((r["address"], r["url"]) for r in records if r["outcome"] == "done" and r["url"])
