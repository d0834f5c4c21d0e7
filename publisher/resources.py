"""The registry of resource types: one row of data per OneAll endpoint family.

Every fact here that `oneall-api.md` marks INFERRED is tagged `# INFERRED` so it can be
corrected in this one place (the sandbox keeps its own, independent copy of the API's rules).
Adding a type means adding a row here and a schema in `schemas/`, nothing in the planner.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping


@dataclass(frozen=True)
class Reference:
    """A manifest field that names another object: `{ref: ADDRESS}` or a raw id."""

    targets: tuple[str, ...]  # resource types the reference may point at
    into: str  # the path parameter (or body key) that receives the target's remote id


@dataclass(frozen=True)
class ResourceType:
    name: str  # the manifest's `type`, e.g. "pinterest/pin"
    title: str
    create_path: str  # below /push/identities/<token>/, with {path ids}
    object_key: tuple[str, ...]  # where the body sits: request.push.<key...>
    id_field: str  # the key of result.data holding the new object's id
    update_path: str | None = None  # below /update/identities/<token>/, with {id} and {path ids}
    delete_path: str | None = None
    update_key: tuple[str, ...] = ()
    update_fields: frozenset[str] = frozenset()  # body fields a PUT may change
    path_ids: tuple[str, ...] = ()  # ids that go into the path, not the body
    references: Mapping[str, Reference] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def network(self) -> str:
        return self.name.split("/", 1)[0]

    @property
    def can_update(self) -> bool:
        return self.update_path is not None and bool(self.update_fields)

    @property
    def can_delete(self) -> bool:
        return self.delete_path is not None

    @property
    def schema_name(self) -> str:
        return self.name.replace("/", ".") + ".json"


_TYPES = (
    ResourceType(
        name="pinterest/board",
        title="Pinterest board",
        create_path="pinterest/board.json",
        object_key=("board",),
        id_field="board_id",
    ),
    ResourceType(
        name="pinterest/pin",
        title="Pinterest pin",
        create_path="pinterest/board/{board_id}/pin.json",
        object_key=("pin",),
        id_field="pin_id",
        update_path="pinterest/pin/{id}.json",
        delete_path="pinterest/pin/{id}.json",
        update_key=("pin",),
        # The PUT also takes `board`, but as a board *name*; moving a pin re-creates it instead.
        update_fields=frozenset({"description", "link"}),
        path_ids=("board_id",),
        references=MappingProxyType(
            {"board": Reference(targets=("pinterest/board",), into="board_id")}
        ),
    ),
    ResourceType(
        name="twitter/post",
        title="Tweet",
        create_path="twitter/post.json",
        object_key=("post",),
        id_field="post_id",  # INFERRED: result.data.<object>_id as in the seed pages
        delete_path="twitter/post/{id}.json",
    ),
)

TYPES: Mapping[str, ResourceType] = MappingProxyType({t.name: t for t in _TYPES})

_BOARD_TYPES = ("pinterest/board", "youtube/playlist")

# Which manifest section may hold which types, and the type an entry gets when it names none.
SECTIONS: Mapping[str, tuple[str | None, tuple[str, ...]]] = MappingProxyType(
    {
        "boards": ("pinterest/board", tuple(n for n in TYPES if n in _BOARD_TYPES)),
        "pins": ("pinterest/pin", ("pinterest/pin",)),
        "posts": (None, tuple(n for n in TYPES if n not in (*_BOARD_TYPES, "pinterest/pin"))),
    }
)

# Keys every entry may carry besides the API's body fields (SPEC §2).
COMMON_FIELDS = frozenset({"type", "identity", "lifecycle"})
