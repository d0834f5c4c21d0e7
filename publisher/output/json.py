"""What apply did, as JSON for programs (`apply --format json`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..model import Action, StateRecord

if TYPE_CHECKING:
    from ..applying.applier import ApplyResult
from ..rules import is_web_url


def apply_to_json(result: ApplyResult | None) -> dict[str, Any]:
    """`apply --format json`: one record per address of the plan that apply acted on (None:
    there was nothing to do)."""
    if result is None:
        return {"format_version": 1, "ok": True, "aborted": None, "resources": []}
    outcomes = [
        ("failed", result.failed),
        ("pending", result.pending),
        ("skipped", result.skipped),
        ("not attempted", dict.fromkeys(result.not_attempted, result.aborted or "not attempted")),
        ("not attempted", dict.fromkeys(result.remaining, "left for the next apply (--max-changes or --max-duration)")),
    ]
    records = [
        {"address": c.address, "type": c.type, "action": c.held_from.value if c.held_from else c.action.value,
         "outcome": "held", "id": None, "url": None, "error": None, "reason": c.reason, "proposal": None, "commit": None}
        for c in result.held
    ]  # fmt: skip
    for change in result.plan.actionable if result.plan is not None else []:
        outcome, error = next(
            ((name, found[change.address]) for name, found in outcomes if change.address in found), ("done", None)
        )
        record = result.records.get(change.address)
        records.append(
            {
                "address": change.address,
                "type": change.type,
                "action": change.action.value,
                "outcome": outcome,
                "id": record.id if record is not None and change.action is not Action.DELETE else None,
                "url": public_url(record) if record is not None and change.action is not Action.DELETE else None,
                "error": error,
                "reason": change.reason,
                "proposal": (record.proposal or None) if record is not None and outcome == "done" else None,
                "commit": (record.commit or None) if record is not None and outcome == "done" else None,
            }
        )
    return {"format_version": 1, "ok": result.ok, "aborted": result.aborted or None, "resources": records}


def public_url(record: StateRecord) -> str | None:
    """Where people see the object, when the API said (`<object>_location`, an http(s) URL)."""
    data = record.result or {}
    found = next((value for key, value in sorted(data.items()) if key.endswith("_location")), None)
    return found if is_web_url(found) else None
