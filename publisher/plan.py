"""The plan as data: what will happen to each address, and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from .catalog import Catalog, Ref, Resource
from .redact import mask
from .resources import TYPES

ACTIONS = ("create", "update", "replace", "delete", "forget", "no-op", "blocked", "scheduled", "expired")
NEW_REASON = "not in the state"  # the reason of an ordinary create, not worth printing
# Reported, not carried out: the calendar decides when they happen.
WAITING = ("scheduled", "expired")


class _Unknown:
    """A value that exists only once a dependency has been created."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "(known after apply)"


UNKNOWN = _Unknown()


@dataclass(slots=True)
class Change:
    address: str
    type: str
    action: str
    identity: str  # full token: renderers must mask it
    reason: str = ""
    before: dict[str, Any] | None = None  # what the state says was last sent
    after: dict[str, Any] | None = None  # what will be sent (ids and body, refs resolved)
    changed: Sequence[str] = ()  # fields that differ
    forces: Sequence[str] = ()  # of those, the ones that force a replace
    keep_old: bool = False  # replace by `recreate`: the old object stays on the network
    resource: Resource | None = None  # the desired resource (None for delete / forget)

    def is_field(self, key: str) -> bool:
        """Whether a key of `changed` is a field (in before or after), not the marker
        `identity` or `type` that says the account or the resource type changed."""
        return key in (self.before or {}) or key in (self.after or {})

    def field_name(self, key: str) -> str:
        """A key of `changed` as the manifest names it: a page post's `id` is `page_id`."""
        rtype = TYPES.get(self.type)
        return rtype.field_name(key) if rtype is not None and self.is_field(key) else key


@dataclass
class Plan:
    catalog: Catalog | None  # None for a plan read back from a file
    state_lineage: str
    state_serial: int
    changes: list[Change]
    targets: tuple[str, ...] = ()  # --target globs; empty: everything
    moved: list[str] = field(default_factory=list)  # renames applied to the state by `moved`
    notes: list[str] = field(default_factory=list)  # what --refresh found that needs no action

    @property
    def actionable(self) -> list[Change]:
        return [c for c in self.changes if c.action not in ("no-op", "blocked", *WAITING)]

    @property
    def blocked(self) -> list[Change]:
        return [c for c in self.changes if c.action == "blocked"]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(ACTIONS, 0)
        for change in self.changes:
            counts[change.action] += 1
        return counts

    @property
    def has_changes(self) -> bool:
        return bool(self.actionable)

    @property
    def changes_or_blocked(self) -> bool:
        return any(c.action != "no-op" for c in self.changes)


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


def to_json(plan: Plan) -> dict[str, Any]:
    """The public, versioned JSON form (schemas/plan.schema.json). Tokens are masked."""
    return {
        "format_version": FORMAT_VERSION,
        "summary": plan.counts(),
        "targets": list(plan.targets),
        "moved": list(plan.moved),
        "changes": [
            {
                "address": c.address,
                "type": c.type,
                "action": c.action,
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
