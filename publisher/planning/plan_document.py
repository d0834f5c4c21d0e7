"""The plan as a versioned JSON document (schemas/plan.schema.json): what `plan --format json`
prints and what a saved plan shows. Values keep what JSON cannot say: an id not known yet is
{"$unknown": true}, a reference {"ref": ADDRESS}."""

from __future__ import annotations

from typing import Any

from ..model import UNKNOWN, Plan, Ref
from ..redact import mask

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
                "alias": c.alias,
                "before": encode(c.before),
                "after": encode(c.after),
                "changed": list(c.changed),
                "forces": list(c.forces),
                "keep_old": c.keep_old,
                "digest": c.digest or None,
            }
            for c in plan.changes
        ],
    }
