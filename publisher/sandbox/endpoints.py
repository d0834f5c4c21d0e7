"""The endpoints the sandbox serves: paths, the body each accepts, and the rules of each.

This is the sandbox's own reading of the API's documentation, kept apart from the client's
registry (`publisher/resource_types.py`) so that a mistake in one is caught by the other.
What the documentation does not say and was inferred is tagged `# INFERRED`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..twitter_text import within_twitter_length

PUSH = "/push/identities/{token}/"
UPDATE = "/update/identities/{token}/"
PULL = "/pull/identities/{token}/"
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")

Check = Callable[[Any], bool]


class Refusal(Exception):
    """An API error: becomes the error envelope with this status and info."""

    def __init__(self, status: int, info: str) -> None:
        super().__init__(info)
        self.status = status
        self.info = info


def text(limit: int) -> Check:
    return lambda v: isinstance(v, str) and len(v) <= limit


def utf8_text(limit: int) -> Check:
    """YouTube counts descriptions in bytes of UTF-8, not in characters."""
    return lambda v: isinstance(v, str) and len(v.encode("utf-8", "surrogatepass")) <= limit


def tweet_text(value: Any) -> bool:
    return isinstance(value, str) and within_twitter_length(value, 280)


def url(value: Any) -> bool:
    return isinstance(value, str) and bool(_URL.match(value))


def one_of(*allowed: str) -> Check:
    return lambda v: v in allowed


def ident(value: Any) -> bool:
    return isinstance(value, (str, int)) and not isinstance(value, bool) and str(value) != ""


def ids(value: Any) -> bool:
    return isinstance(value, list) and all(ident(v) for v in value)


def boolean(value: Any) -> bool:
    return isinstance(value, bool)


def position(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


@dataclass(frozen=True)
class Endpoint:
    """One method on one path. `action` is create, update or delete."""

    method: str
    path: str  # with {token} and other {params}
    action: str
    network: str
    kind: str  # the object name of result.data (`<kind>_id`, `<kind>_...`)
    body_key: tuple[str, ...] = ()
    fields: dict[str, Check] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()  # at least one of these
    exclusive: tuple[str, ...] = ()  # at most one of these
    parent: tuple[str, str, str] | None = None  # (path param, network, kind) that must exist
    links: dict[str, tuple[str, ...]] = field(default_factory=dict)  # body key → kinds its ids must be
    defaults: dict[str, Any] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)  # an older key → the key it is stored as

    def pattern(self) -> re.Pattern[str]:
        regex = re.sub(r"\\\{(\w+)\\\}", lambda m: f"(?P<{m.group(1)}>[^/]+)", re.escape(self.path))
        return re.compile("^" + regex + "$")


def _create(path: str, network: str, kind: str, key: tuple[str, ...], fields: dict[str, Check], **rules: Any) -> Endpoint:
    return Endpoint("POST", PUSH + path, "create", network, kind, key, fields, **rules)


_PRIVACY = one_of("PUBLIC", "PROTECTED", "SECRET")
_PICTURE = {"url": url, "description": text(63206)}
_FB_POST = {"message": text(63206), "link": url, "attachments": ids}
_FB_PICTURES = ("facebook:picture",)
_LINKEDIN = {"title": text(200), "description": text(256), "message": text(3000), "link": url, "picture": url}
_SECTION = {
    "type": one_of(
        "allPlaylists",
        "completedEvents",
        "likedPlaylists",
        "likes",
        "liveEvents",
        "multipleChannels",
        "multiplePlaylists",
        "popularUploads",
        "recentActivity",
        "recentPosts",
        "recentUploads",
        "singlePlaylist",
        "subscriptions",
        "upcomingEvents",
    ),
    "style": one_of("horizontalRow", "verticalList"),
    "title": text(100),
    "position": position,
    "defaultLanguage": text(35),
    "playlists": ids,
}
_PLAYLIST = {
    "title": text(150),
    "description": utf8_text(5000),
    "privacy_status": one_of("public", "private", "unlisted"),  # INFERRED: YouTube's values
    "default_language": text(35),
}

ENDPOINTS: tuple[Endpoint, ...] = (
    # Facebook user
    _create(
        "facebook/post.json",
        "facebook",
        "post",
        ("post",),
        _FB_POST,
        any_of=("message", "link"),
        exclusive=("link", "attachments"),
        links={"attachments": _FB_PICTURES},
    ),
    _create(
        "facebook/picture.json", "facebook", "picture", ("picture",), {**_PICTURE, "create_post": boolean}, required=("url",)
    ),
    _create("facebook/video.json", "facebook", "video", ("video",), {**_PICTURE, "create_post": boolean}, required=("url",)),
    # Facebook group (INFERRED: like the page variants, `group.id` names the group)
    _create(
        "facebook/group/post.json",
        "facebook",
        "post",
        ("group",),
        {"id": ident, **_FB_POST},
        required=("id",),
        any_of=("message", "link", "attachments"),
        exclusive=("link", "attachments"),
        links={"attachments": _FB_PICTURES},
    ),
    _create("facebook/group/picture.json", "facebook", "picture", ("group",), {"id": ident, **_PICTURE}, required=("id", "url")),
    _create("facebook/group/video.json", "facebook", "video", ("group",), {"id": ident, **_PICTURE}, required=("id", "url")),
    # Facebook page
    _create(
        "facebook/page/post.json",
        "facebook",
        "post",
        ("page",),
        {"id": ident, **_FB_POST},
        required=("id",),
        any_of=("message", "link", "attachments"),
        exclusive=("link", "attachments"),
        links={"attachments": _FB_PICTURES},
    ),
    Endpoint(
        "PUT",
        UPDATE + "facebook/page/{page_id}/post/{object_id}.json",
        "update",
        "facebook",
        "post",
        ("update", "post"),
        _FB_POST,
        any_of=("message", "link", "attachments"),
        exclusive=("link", "attachments"),
        links={"attachments": _FB_PICTURES},
    ),
    Endpoint("DELETE", UPDATE + "facebook/page/{page_id}/post/{object_id}.json", "delete", "facebook", "post"),
    _create("facebook/page/picture.json", "facebook", "picture", ("page",), {"id": ident, **_PICTURE}, required=("id", "url")),
    Endpoint("DELETE", UPDATE + "facebook/page/{page_id}/picture/{object_id}.json", "delete", "facebook", "picture"),
    _create(
        "facebook/page/video.json", "facebook", "video", ("page",), {"id": ident, **_PICTURE}, required=("id", "url")
    ),  # INFERRED
    Endpoint("DELETE", UPDATE + "facebook/page/{page_id}/video/{object_id}.json", "delete", "facebook", "video"),
    # LinkedIn
    _create("linkedin/post.json", "linkedin", "post", ("post",), _LINKEDIN, required=("link",)),
    _create(
        "linkedin/company/post.json", "linkedin", "post", ("post",), {"company": ident, **_LINKEDIN}, required=("company", "link")
    ),
    # Pinterest
    _create(
        "pinterest/board.json",
        "pinterest",
        "board",
        ("board",),
        {"name": text(180), "description": text(500), "privacy": _PRIVACY},
        required=("name",),
        defaults={"description": "", "privacy": "PUBLIC"},
    ),
    # Both spellings of the picture key exist in the SDK's history (the documentation shows both).
    _create(
        "pinterest/board/{board_id}/pin.json",
        "pinterest",
        "pin",
        ("pin",),
        {"description": text(500), "link": url, "picture": url, "image_url": url},
        any_of=("picture", "image_url"),
        parent=("board_id", "pinterest", "board"),  # INFERRED: a pin needs an image
        defaults={"description": "", "link": ""},
        aliases={"image_url": "picture"},
    ),
    Endpoint(
        "PUT",
        UPDATE + "pinterest/pin/{object_id}.json",
        "update",
        "pinterest",
        "pin",
        ("update", "pin"),
        {"board": text(180), "description": text(500), "link": url},
        any_of=("board", "description", "link"),
    ),
    Endpoint("DELETE", UPDATE + "pinterest/pin/{object_id}.json", "delete", "pinterest", "pin"),
    # Twitter
    _create(
        "twitter/post.json",
        "twitter",
        "post",
        ("post",),
        {"message": tweet_text, "attachments": ids, "location": text(200)},
        any_of=("message", "attachments"),
        links={"attachments": ("twitter:picture", "twitter:video")},
    ),
    Endpoint("DELETE", UPDATE + "twitter/post/{object_id}.json", "delete", "twitter", "post"),
    _create(
        "twitter/picture.json", "twitter", "picture", ("picture",), {"url": url, "description": text(1000)}, required=("url",)
    ),
    _create(
        "twitter/video.json", "twitter", "video", ("video",), {"video_url": url, "callback_url": url}, required=("video_url",)
    ),
    # YouTube
    _create(
        "youtube/video.json",
        "youtube",
        "video",
        ("video",),
        {"video_url": url, "title": text(100), "description": utf8_text(5000), "thumbnail_url": url, "callback_url": url},
        required=("video_url", "title"),
    ),
    _create("youtube/playlist.json", "youtube", "playlist", ("playlist",), _PLAYLIST, required=("title",)),  # INFERRED body
    Endpoint(
        "PUT",
        UPDATE + "youtube/playlist/{object_id}.json",
        "update",
        "youtube",
        "playlist",
        ("update", "playlist"),
        _PLAYLIST,
        required=("title",),
    ),
    Endpoint("DELETE", UPDATE + "youtube/playlist/{object_id}.json", "delete", "youtube", "playlist"),
    _create(
        "youtube/playlist/{playlist_id}/video.json",
        "youtube",
        "entry",
        ("video",),
        {"id": ident, "position": position},
        required=("id",),
        parent=("playlist_id", "youtube", "playlist"),
    ),  # INFERRED body
    Endpoint("DELETE", UPDATE + "youtube/playlist/{playlist_id}/video/{object_id}.json", "delete", "youtube", "entry"),
    _create(
        "youtube/channel/section.json",
        "youtube",
        "section",
        ("channel", "section"),
        _SECTION,
        required=("type",),
        links={"playlists": ("youtube:playlist",)},
    ),  # INFERRED body
    Endpoint(
        "PUT",
        UPDATE + "youtube/channel/section/{object_id}.json",
        "update",
        "youtube",
        "section",
        ("update", "channel", "section"),
        _SECTION,
        links={"playlists": ("youtube:playlist",)},
    ),
    Endpoint("DELETE", UPDATE + "youtube/channel/section/{object_id}.json", "delete", "youtube", "section"),
    # Pull (INFERRED shapes: result.data.<plural> lists the objects as Push returns them)
    Endpoint("GET", PULL + "pinterest/boards.json", "list", "pinterest", "board"),
    Endpoint(
        "GET",
        PULL + "pinterest/board/{board_id}/pins.json",
        "list",
        "pinterest",
        "pin",
        parent=("board_id", "pinterest", "board"),
    ),
    Endpoint("GET", PULL + "twitter/tweets.json", "list", "twitter", "post"),
    Endpoint("GET", PULL + "youtube/playlists.json", "list", "youtube", "playlist"),
    Endpoint("GET", PULL + "facebook/page/{page_id}/posts.json", "list", "facebook", "post"),
)
_PLURAL = {
    ("pinterest", "board"): "boards",
    ("pinterest", "pin"): "pins",
    ("twitter", "post"): "tweets",
    ("youtube", "playlist"): "playlists",
    ("facebook", "post"): "posts",
}
