"""The types every stage shares: resources, the state's records, actions, changes and plans."""

from __future__ import annotations

import datetime as dt
import enum
import functools
import uuid
import zoneinfo
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from . import rules
from .digests import digest
from .errors import Location, StateError
from .resource_types import TYPES, ResourceType

PathKey = tuple[Any, ...]  # where a value sits in a YAML document: ("pins", "camp-nou", "board")


class Action(str, enum.Enum):
    """What happens to one address; the same word in plans, apply steps and every output."""

    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"  # delete, then create: a changed field cannot be updated
    DELETE = "delete"
    FORGET = "forget"  # drop from the state, leave on the network: the API cannot delete it
    NOOP = "no-op"
    BLOCKED = "blocked"  # cannot be carried out; the plan fails and says why
    SCHEDULED = "scheduled"  # publish_at is in the future
    EXPIRED = "expired"  # expire_at passed before it was ever published
    HELD = "held"  # review is required and no approved proposal holds this change: not sent
    TAKEN_DOWN = "taken down"  # `publisher takedown` keeps it off the network until released

    def __str__(self) -> str:
        return self.value

    @property
    def is_carried_out(self) -> bool:
        return self in _CARRIED_OUT

    @property
    def is_waiting(self) -> bool:
        """Reported, not carried out: the calendar decides when it happens."""
        return self in _WAITING


# Sets made once: a plan asks each change (reading members off the class takes 100 ns each).
_CARRIED_OUT = frozenset({Action.CREATE, Action.UPDATE, Action.REPLACE, Action.DELETE, Action.FORGET})
_WAITING = frozenset({Action.SCHEDULED, Action.EXPIRED, Action.HELD, Action.TAKEN_DOWN})


@dataclass(frozen=True, slots=True)
class Ref:
    """The remote id of another resource of the catalog, known once it exists."""

    address: str


class Move(NamedTuple):
    """`moved: [{from: ..., to: ...}]`: a renamed entry keeps its object."""

    source: str
    target: str
    location: Location


class Locator(Protocol):
    def locate(self, path: PathKey) -> Location: ...


# Addresses a resource refers to, sorted. A tuple of strings, unlike a set or a list, is
# dropped from the cycle collector's watch, which at 50,000 resources is time a plan saves;
# all the empty ones are Python's one empty tuple.
Dependencies = tuple[str, ...]


@dataclass(slots=True)
class Resource:
    """One object the catalog wants on the network."""

    address: str
    type: ResourceType
    identity: str  # the identity token, aliases resolved
    body: dict[str, Any]  # the API body fields; values may hold `Ref`s
    ids: dict[str, Any]  # ids that go into the create path; values may be `Ref`s
    lifecycle: Mapping[str, Any]
    # Where it is written (the manifest, the entry's path in it): located only when a message needs it.
    document: Locator = field(repr=False)
    path: PathKey = field(repr=False)
    publish_at: dt.datetime | None = None
    expire_at: dt.datetime | None = None
    # Addresses of the resources it refers to: found in body and ids unless given.
    dependencies: Dependencies = None  # type: ignore[assignment]
    alias: str | None = None  # the identity's alias, when the manifest names one
    source: str = ""  # the data file or manifest it comes from, as change budgets name it
    queued: str = ""  # "queued for Tue 4 Mar 09:00 Europe/Madrid (shop-pins)": publish_at is its slot
    labels: tuple[str, ...] = ()  # `labels:`: --target label:NAME, policies, takedown

    def __post_init__(self) -> None:
        if self.dependencies is None:
            self.dependencies = tuple(sorted({ref.address for ref in refs_in([self.body, self.ids])}))

    @property
    def location(self) -> Location:
        return self.document.locate(self.path)

    def locate(self, field_name: str) -> Location:
        """Where one of its fields is written."""
        return self.document.locate((*self.path, field_name))


def refs_in(value: Any) -> Iterator[Ref]:
    """Every reference inside a value."""
    if isinstance(value, Ref):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from refs_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from refs_in(item)


class _Unknown:
    """A value that exists only once a dependency has been created."""

    def __repr__(self) -> str:
        return "(known after apply)"


UNKNOWN: Any = _Unknown()


def resolve(value: Any, id_of: Mapping[str, Any]) -> Any:
    """Replace every `Ref` by the id it names (or `UNKNOWN` until it exists). A copy."""
    if isinstance(value, Ref):
        return id_of.get(value.address, UNKNOWN)
    if isinstance(value, dict):
        return {k: resolve(v, id_of) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, id_of) for v in value]
    return value


# The state ----------------------------------------------------------------------------------

CREATED, PENDING = "created", "pending"  # a pending create was sent, its outcome is unknown


@dataclass(slots=True)
class StateRecord:
    """What the state knows of one object publisher made (or is making)."""

    type: str
    identity: str  # the digest of the identity token: the state never holds a token
    status: str  # CREATED or PENDING
    inputs: dict[str, Any]  # the exact body last sent, references resolved
    ids: dict[str, Any] = field(default_factory=dict)  # ids that went into the create path
    id: str | None = None  # the object's id on the network
    result: dict[str, Any] | None = None  # result.data of the last answer
    created_at: str = ""
    updated_at: str = ""
    dependencies: Dependencies = ()  # the addresses it referred to when it was sent
    error: str = ""
    alias: str | None = None  # the identity's alias in the catalog, if it has one
    source: str = ""  # the data file or manifest it came from when last sent
    # Where its last change came from: the reviewed proposal, the git commit, the change's digest.
    proposal: str = ""
    commit: str = ""
    change: str = ""
    labels: tuple[str, ...] = ()  # the entry's labels: a takedown by label finds what the catalog dropped

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "type": self.type,
            "identity": {"alias": self.alias, "digest": self.identity},
            "status": self.status,
            "inputs": self.inputs,
            "ids": self.ids,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }
        if self.dependencies:  # left out when empty, like id and result: most records have none
            data["dependencies"] = list(self.dependencies)
        if self.id is not None:
            data["id"] = self.id
        if self.result is not None:
            data["result"] = self.result
        if self.error:
            data["error"] = self.error
        for key in ("source", "proposal", "commit", "change"):  # left out when empty
            if getattr(self, key):
                data[key] = getattr(self, key)
        if self.labels:
            data["labels"] = list(self.labels)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any], where: str) -> StateRecord:
        """A record read from a state or journal, once schemas/state.schema.json has checked it
        (state/document.py); `where` names it in the error if its identity is not one."""
        if "digest" in data:  # older states held a digest of inputs that nothing read
            data = {key: value for key, value in data.items() if key != "digest"}
        record = cls(**data)
        record.identity, record.alias = _identity(data["identity"], where)
        record.dependencies = tuple(record.dependencies)  # JSON has lists; records hold tuples
        record.labels = tuple(record.labels)
        return record


def _identity(identity: Any, where: str) -> tuple[str, str | None]:
    """A record's identity, {"alias", "digest"}, as (digest, alias). A token, as older states
    held, becomes its digest here, so the next write leaves no token behind. The state's
    schema has checked the fields and their types."""
    if isinstance(identity, dict):
        if identity["digest"].startswith("sha256:"):
            return identity["digest"], identity.get("alias")
    elif rules.is_token(identity):
        return token_digest(identity), None
    raise StateError(f'{where}.identity: must be {{"alias": ALIAS, "digest": "sha256:..."}}')


@functools.lru_cache(maxsize=4096)  # a catalog has a few tokens, compared once per resource
def token_digest(token: str) -> str:
    """How the state, saved plans and journals name an identity token without holding it."""
    return digest(token)


def created_ids(records: Mapping[str, StateRecord]) -> dict[str, str]:
    """The network id of every object the state knows was created."""
    return {address: r.id for address, r in records.items() if r.status == CREATED and r.id}


@dataclass
class State:
    lineage: str = field(default_factory=lambda: str(uuid.uuid4()))
    serial: int = 0
    resources: dict[str, StateRecord] = field(default_factory=dict)
    commit: str | None = None  # the git commit of the catalog at the last apply, where known
    queues: dict[str, dict[str, str]] = field(default_factory=dict)  # queue → address → its slot (UTC)
    # address → {by, at, reason, commit}: taken down by `publisher takedown`, kept down until released
    takedowns: dict[str, dict[str, str]] = field(default_factory=dict)


# Plans --------------------------------------------------------------------------------------


@dataclass(slots=True)
class Change:
    address: str
    type: str
    action: Action
    identity: str  # full token: renderers must mask it
    reason: str = ""
    before: dict[str, Any] | None = None  # what the state says was last sent
    after: dict[str, Any] | None = None  # what will be sent (ids and body, refs resolved)
    changed: Sequence[str] = ()  # fields that differ
    forces: Sequence[str] = ()  # of those, the ones that force a replace
    keep_old: bool = False  # replace by `recreate`: the old object stays on the network
    resource: Resource | None = None  # the desired resource (None for delete / forget)
    digest: str = ""  # what the change does, as a review names it (planning/reviews.py)
    proposal: str = ""  # the approved proposal that holds it, under the review rule
    held_from: Action | None = None  # a held change: what it would have done
    alias: str | None = None  # the identity's alias, shown instead of the masked token where there is one

    def is_field(self, key: str) -> bool:
        """Whether a key of `changed` is a field (in before or after), not the marker
        `identity` or `type` that says the account or the resource type changed."""
        return key in (self.before or {}) or key in (self.after or {})

    def field_name(self, key: str) -> str:
        """A key of `changed` as the manifest names it: a page post's `id` is `page_id`."""
        rtype = TYPES.get(self.type)
        return rtype.field_name(key) if rtype is not None and self.is_field(key) else key


NEW_REASON = "not in the state"  # the reason of an ordinary create, not worth printing


@dataclass
class Plan:
    state_lineage: str
    state_serial: int
    changes: list[Change]
    targets: tuple[str, ...] = ()  # --target globs; empty: everything
    moved: list[str] = field(default_factory=list)  # renames applied to the state by `moved`
    notes: list[str] = field(default_factory=list)  # what --refresh found that needs no action
    tokens: dict[str, str] = field(default_factory=dict, repr=False)  # digest → token, for deletes; never saved
    over_budget: list[str] = field(default_factory=list)  # why it changes more than one run may

    @property
    def actionable(self) -> list[Change]:
        return [c for c in self.changes if c.action.is_carried_out]

    @property
    def blocked(self) -> list[Change]:
        return [c for c in self.changes if c.action is Action.BLOCKED]

    def counts(self) -> dict[Action, int]:
        counts = dict.fromkeys(Action, 0)
        for change in self.changes:
            counts[change.action] += 1
        return counts

    @property
    def has_changes(self) -> bool:
        return any(c.action.is_carried_out for c in self.changes)

    @property
    def changes_or_blocked(self) -> bool:
        return any(c.action is not Action.NOOP for c in self.changes)


# Calendars ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    when: dt.datetime  # aware, in the calendar's time zone
    kind: str  # "publish" or "expire"
    address: str
    type: str
    identity: str  # the alias, or the token masked
    text: str  # the first words of its text, for people
    published: bool = False  # the state says it is out already (a publish item)
    url: str | None = None  # where people see it, when published and the API said

    @property
    def network(self) -> str:
        return rules.network(self.type)


@dataclass
class Calendar:
    time_zone: zoneinfo.ZoneInfo
    start: dt.date
    days: int
    items: list[Item] = field(default_factory=list)
    today: dt.date | None = None  # marked on the grids

    @property
    def end(self) -> dt.date:
        """The first day not shown."""
        return self.start + dt.timedelta(days=self.days)

    def by_day(self) -> dict[dt.date, list[Item]]:
        grouped: dict[dt.date, list[Item]] = {}
        for item in self.items:
            grouped.setdefault(item.when.date(), []).append(item)
        return grouped
