"""The plan as data: what will happen to each address, and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .catalog import Catalog, Resource

ACTIONS = ("create", "update", "replace", "delete", "forget", "no-op", "blocked")


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


@dataclass
class Change:
    address: str
    type: str
    action: str
    identity: str  # full token: renderers must mask it
    reason: str = ""
    before: dict[str, Any] | None = None  # what the state says was last sent
    after: dict[str, Any] | None = None  # what will be sent (ids and body, refs resolved)
    changed: list[str] = field(default_factory=list)  # fields that differ
    forces: list[str] = field(default_factory=list)  # of those, the ones that force a replace
    keep_old: bool = False  # replace by `recreate`: the old object stays on the network
    resource: Resource | None = None  # the desired resource (None for delete / forget)


@dataclass
class Plan:
    catalog: Catalog
    state_lineage: str
    state_serial: int
    changes: list[Change]

    @property
    def actionable(self) -> list[Change]:
        return [c for c in self.changes if c.action not in ("no-op", "blocked")]

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
