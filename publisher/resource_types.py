"""The registry of resource types: one row of data per OneAll endpoint family.

Every fact here that the API's documentation does not state, and that was inferred from its
examples or its SDKs, is tagged `# INFERRED`, so it can be corrected in this one place (the
sandbox keeps its own, independent copy of the API's rules).
Adding a type means adding a row here, a schema in `schemas/` and the sources of its limits in
`resource_limits.py`; nothing in the planner.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


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
    update_path: str | None = None  # below /update/identities/<token>/, with {id} and {ids}
    delete_path: str | None = None
    update_key: tuple[str, ...] = ()
    update_fields: frozenset[str] = frozenset()  # body keys a PUT may change
    update_always: tuple[str, ...] = ()  # body keys every PUT must carry
    path_ids: tuple[str, ...] = ()  # ids that go into the create path, not the body
    references: Mapping[str, Reference] = field(default_factory=lambda: MappingProxyType({}))
    renames: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # manifest → body key
    note: str = ""  # said in the README and the schema
    pull_path: str | None = None  # below /pull/identities/<token>/: lists objects of this type
    pull_key: str = ""  # the key of result.data holding that list

    @property
    def can_update(self) -> bool:
        return self.update_path is not None and bool(self.update_fields)

    @property
    def can_delete(self) -> bool:
        return self.delete_path is not None

    @property
    def schema_name(self) -> str:
        return self.name.replace("/", ".") + ".json"

    def body_key(self, field_name: str) -> str:
        return self.renames.get(field_name, field_name)

    def field_name(self, body_key: str) -> str:
        """The manifest's name for a body key, as plans show it: a page post's `id` is `page_id`."""
        return next((name for name, key in self.renames.items() if key == body_key), body_key)

    def path_values(self, ids: Mapping[str, Any], inputs: Mapping[str, Any]) -> dict[str, Any]:
        """What update and delete paths may name: path ids, and body ids by their manifest name."""
        values = dict(ids)
        for manifest_name, body_name in self.renames.items():
            if body_name in inputs:
                values.setdefault(manifest_name, inputs[body_name])
        return values


def _refs(**fields: Reference) -> Mapping[str, Reference]:
    return MappingProxyType(fields)


def _names(**names: str) -> Mapping[str, str]:
    return MappingProxyType(names)


_FB_PICTURES = ("facebook/picture", "facebook/page/picture", "facebook/group/picture")
_TW_MEDIA = ("twitter/picture", "twitter/video")

_TYPES = (
    # Facebook ------------------------------------------------------------------------------
    ResourceType(
        name="facebook/post",
        title="Facebook post",
        create_path="facebook/post.json",
        object_key=("post",),
        id_field="post_id",  # INFERRED
        references=_refs(attachments=Reference(_FB_PICTURES, "attachments")),
    ),
    ResourceType(
        name="facebook/picture",
        title="Facebook picture",
        create_path="facebook/picture.json",
        object_key=("picture",),
        id_field="picture_id",
    ),
    ResourceType(
        name="facebook/video",
        title="Facebook video",
        create_path="facebook/video.json",
        object_key=("video",),
        id_field="video_id",  # INFERRED
    ),
    ResourceType(
        name="facebook/group/post",
        title="Facebook group post",
        create_path="facebook/group/post.json",
        object_key=("group",),  # INFERRED: like the page variants, with the group's id
        id_field="post_id",  # INFERRED
        references=_refs(attachments=Reference(_FB_PICTURES, "attachments")),
        renames=_names(group_id="id"),  # INFERRED
    ),
    ResourceType(
        name="facebook/group/picture",
        title="Facebook group picture",
        create_path="facebook/group/picture.json",
        object_key=("group",),  # INFERRED
        id_field="picture_id",
        renames=_names(group_id="id"),  # INFERRED
    ),
    ResourceType(
        name="facebook/group/video",
        title="Facebook group video",
        create_path="facebook/group/video.json",
        object_key=("group",),  # INFERRED
        id_field="video_id",  # INFERRED
        renames=_names(group_id="id"),  # INFERRED
    ),
    ResourceType(
        name="facebook/page/post",
        title="Facebook page post",
        create_path="facebook/page/post.json",
        object_key=("page",),
        id_field="post_id",  # INFERRED
        update_path="facebook/page/{page_id}/post/{id}.json",
        delete_path="facebook/page/{page_id}/post/{id}.json",
        update_key=("post",),
        update_fields=frozenset({"message", "link", "attachments"}),
        references=_refs(attachments=Reference(_FB_PICTURES, "attachments")),
        renames=_names(page_id="id"),
        pull_path="facebook/page/{page_id}/posts.json",
        pull_key="posts",  # INFERRED
    ),
    ResourceType(
        name="facebook/page/picture",
        title="Facebook page picture",
        create_path="facebook/page/picture.json",
        object_key=("page",),
        id_field="picture_id",
        delete_path="facebook/page/{page_id}/picture/{id}.json",
        renames=_names(page_id="id"),
    ),
    ResourceType(
        name="facebook/page/video",
        title="Facebook page video",
        create_path="facebook/page/video.json",
        object_key=("page",),  # INFERRED
        id_field="video_id",  # INFERRED
        delete_path="facebook/page/{page_id}/video/{id}.json",
        renames=_names(page_id="id"),  # INFERRED
    ),
    # LinkedIn ------------------------------------------------------------------------------
    ResourceType(
        name="linkedin/post",
        title="LinkedIn post",
        create_path="linkedin/post.json",
        object_key=("post",),
        id_field="post_id",  # INFERRED
    ),
    ResourceType(
        name="linkedin/company/post",
        title="LinkedIn company post",
        create_path="linkedin/company/post.json",
        object_key=("post",),
        id_field="post_id",  # INFERRED
    ),
    # Pinterest -----------------------------------------------------------------------------
    ResourceType(
        name="pinterest/board",
        title="Pinterest board",
        create_path="pinterest/board.json",
        object_key=("board",),
        id_field="board_id",
        pull_path="pinterest/boards.json",
        pull_key="boards",  # INFERRED: the Pull API's data shapes are not documented
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
        references=_refs(board=Reference(("pinterest/board",), "board_id")),
        pull_path="pinterest/board/{board_id}/pins.json",
        pull_key="pins",  # INFERRED
    ),
    # Twitter -------------------------------------------------------------------------------
    ResourceType(
        name="twitter/post",
        title="Tweet",
        create_path="twitter/post.json",
        object_key=("post",),
        id_field="post_id",  # INFERRED
        delete_path="twitter/post/{id}.json",
        references=_refs(attachments=Reference(_TW_MEDIA, "attachments")),  # INFERRED for videos
        pull_path="twitter/tweets.json",
        pull_key="tweets",  # INFERRED
    ),
    ResourceType(
        name="twitter/picture",
        title="Twitter picture",
        create_path="twitter/picture.json",
        object_key=("picture",),
        id_field="picture_id",
        note="Twitter removes a picture that no tweet attaches within 24 hours.",
    ),
    ResourceType(
        name="twitter/video",
        title="Twitter video",
        create_path="twitter/video.json",
        object_key=("video",),
        id_field="video_id",  # INFERRED
        note="Uploaded asynchronously.",
    ),
    # YouTube -------------------------------------------------------------------------------
    ResourceType(
        name="youtube/video",
        title="YouTube video",
        create_path="youtube/video.json",
        object_key=("video",),
        id_field="video_id",  # INFERRED
        note="Uploaded asynchronously.",
    ),
    ResourceType(
        name="youtube/playlist",
        title="YouTube playlist",
        create_path="youtube/playlist.json",
        object_key=("playlist",),  # INFERRED from the update body
        id_field="playlist_id",  # INFERRED
        update_path="youtube/playlist/{id}.json",
        delete_path="youtube/playlist/{id}.json",
        update_key=("playlist",),
        update_fields=frozenset({"title", "description", "privacy_status", "default_language"}),
        update_always=("title",),  # the PUT requires it
        pull_path="youtube/playlists.json",
        pull_key="playlists",  # INFERRED
    ),
    ResourceType(
        name="youtube/playlist/video",
        title="YouTube playlist entry",
        create_path="youtube/playlist/{playlist_id}/video.json",
        object_key=("video",),  # INFERRED
        id_field="video_id",  # INFERRED: the entry is known by its video's id
        delete_path="youtube/playlist/{playlist_id}/video/{id}.json",
        path_ids=("playlist_id",),
        references=_refs(
            playlist=Reference(("youtube/playlist",), "playlist_id"),
            video=Reference(("youtube/video",), "video_id"),
        ),
        renames=_names(video_id="id"),  # INFERRED
    ),
    ResourceType(
        name="youtube/channel/section",
        title="YouTube channel section",
        create_path="youtube/channel/section.json",
        object_key=("channel", "section"),  # INFERRED from the update body
        id_field="section_id",  # INFERRED
        update_path="youtube/channel/section/{id}.json",
        delete_path="youtube/channel/section/{id}.json",
        update_key=("channel", "section"),
        update_fields=frozenset({"type", "style", "title", "position", "defaultLanguage", "playlists"}),
        references=_refs(playlists=Reference(("youtube/playlist",), "playlists")),
        renames=_names(section_type="type"),  # `type` is publisher's own field
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

# Keys every entry may carry besides the API's body fields.
COMMON_FIELDS = frozenset({"type", "identity", "lifecycle", "enabled", "for_each", "publish_at", "expire_at", "labels"})
