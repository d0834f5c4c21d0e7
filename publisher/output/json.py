"""The plan as versioned JSON (schemas/plan.schema.json), for programs and saved plans."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..model import UNKNOWN, Action, Plan, Ref, StateRecord

if TYPE_CHECKING:
    from ..applying.applier import ApplyResult
from ..redact import mask
from ..rules import is_web_url

FORMAT_VERSION = 1


def encode(value: Any) -> Any:
    """Plan values as JSON: an unknown id is {"$unknown": true}, a reference {"ref": ADDR}."""
    if value is UNKNOWN:
        return {"$unknown": True}
    if isinstance(value, Ref):
        return {"ref": value.address}
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [encode(v) for v in value]
    return value


def decode(value: Any) -> Any:
    if isinstance(value, dict):
        if value == {"$unknown": True}:
            return UNKNOWN
        if set(value) == {"ref"} and isinstance(value["ref"], str):
            return Ref(value["ref"])
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def plan_to_json(plan: Plan) -> dict[str, Any]:
    """The public form of a plan. Tokens are masked."""
    return {
        "format_version": FORMAT_VERSION,
        "summary": {action.value: count for action, count in plan.counts().items()},
        "targets": list(plan.targets),
        "moved": list(plan.moved),
        "changes": [
            {
                "address": c.address,
                "type": c.type,
                "action": c.action.value,
                "reason": c.reason,
                "identity": mask(c.identity) if c.identity else None,
                "before": encode(c.before),
                "after": encode(c.after),
                "changed": list(c.changed),
                "forces": list(c.forces),
                "keep_old": c.keep_old,
            }
            for c in plan.changes
        ],
    }


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
    ]
    records = []
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
            }
        )
    return {"format_version": 1, "ok": result.ok, "aborted": result.aborted or None, "resources": records}


def public_url(record: StateRecord) -> str | None:
    """Where people see the object, when the API said (`<object>_location`, an http(s) URL)."""
    data = record.result or {}
    found = next((value for key, value in sorted(data.items()) if key.endswith("_location")), None)
    return found if is_web_url(found) else None
