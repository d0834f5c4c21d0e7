"""The sandbox's model of the OneAll endpoints: routes, body rules, objects in memory.

This is the sandbox's own reading of the API's documentation, kept apart from the client's
registry (`publisher/resource_types.py`) so that a mistake in one is caught by the other.
What the documentation does not say and was inferred is tagged `# INFERRED`.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..limits import within_twitter_length
from ..rules import is_token

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
    "description": text(5000),
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
        {"video_url": url, "title": text(100), "description": text(5000), "thumbnail_url": url, "callback_url": url},
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


@dataclass
class Store:
    """Objects by (network, kind, id), each with its owner's token; ids look like Pinterest's."""

    objects: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: Any = field(default_factory=lambda: itertools.count(352969689546669253))

    def new_id(self) -> str:
        return str(next(self._ids))

    def dump(self) -> dict[str, Any]:
        """Everything held, as JSON (call with `lock` held)."""
        objects = [[n, k, i, o] for (n, k, i), o in sorted(self.objects.items())]
        return {"next_id": int(self.new_id()), "objects": objects}

    def load(self, data: dict[str, Any]) -> None:
        self.objects = {(n, k, i): o for n, k, i, o in data.get("objects", [])}
        self._ids = itertools.count(int(data.get("next_id", 352969689546669253)))

    def owned(self, token: str, network: str, kind: str, object_id: str) -> dict[str, Any]:
        found = self.objects.get((network, kind, object_id))
        if found is None or found["_owner"] != token:
            raise Refusal(404, f"The {network} {kind} {object_id} does not exist or does not belong to this identity")
        return found


def _body(payload: Any, keys: tuple[str, ...]) -> dict[str, Any]:
    node = payload
    for key in ("request", *keys):
        if not isinstance(node, dict) or not isinstance(node.get(key), dict):
            raise Refusal(400, f"The request body must contain {'.'.join(('request', *keys))}")
        node = node[key]
    return node


def _data(network: str, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
    """The flat result.data of the seed pages: provider, object, then <kind>_<field>."""
    data: dict[str, Any] = {"provider": network, "object": kind}
    data.update({f"{kind}_{k}": v for k, v in obj.items() if not k.startswith("_")})
    return data


class Api:
    """Serves `ENDPOINTS`; `handle` returns result.data or raises `Refusal`."""

    def __init__(self) -> None:
        self.store = Store()
        self.routes = [(endpoint, endpoint.pattern()) for endpoint in ENDPOINTS]

    def handle(self, method: str, path: str, payload: Any) -> dict[str, Any]:
        matched = [(e, m) for e, p in self.routes if (m := p.match(path))]
        if not matched:
            raise Refusal(404, "The requested resource does not exist")
        chosen = next(((e, m) for e, m in matched if e.method == method), None)
        if chosen is None:
            raise Refusal(405, f"The method {method} is not supported for this resource")  # INFERRED
        endpoint, match = chosen
        params = match.groupdict()
        token = params.pop("token")
        if not is_token(token):
            raise Refusal(404, "The identity_token is invalid or unknown")  # INFERRED code
        with self.store.lock:
            if endpoint.action == "create":
                return self._create(endpoint, token, payload, params)
            if endpoint.action == "update":
                return self._update(endpoint, token, payload, params)
            if endpoint.action == "list":
                return self._list(endpoint, token, params)
            return self._delete(endpoint, token, params)

    def _check(self, endpoint: Endpoint, token: str, body: dict[str, Any]) -> None:
        for key in body:
            if key not in endpoint.fields:
                raise Refusal(400, f"Unknown key '{key}'; allowed: {', '.join(endpoint.fields)}")
        for key in endpoint.required:
            if body.get(key) in (None, ""):
                raise Refusal(400, f"The key '{key}' is required")
        if endpoint.any_of and not any(body.get(k) not in (None, "", []) for k in endpoint.any_of):
            raise Refusal(400, f"One of {', '.join(endpoint.any_of)} is required")
        if endpoint.exclusive and sum(1 for k in endpoint.exclusive if body.get(k)) > 1:
            raise Refusal(400, f"You can include {' or '.join(endpoint.exclusive)}, but not both")
        for key, value in body.items():
            if not endpoint.fields[key](value):
                raise Refusal(400, f"Invalid value for '{key}'")
        for key, kinds in endpoint.links.items():
            for linked in body.get(key) or []:
                if not any(self._exists(token, kind, str(linked)) for kind in kinds):
                    raise Refusal(404, f"The id {linked} in '{key}' is not a {' or '.join(kinds)} of this identity")

    def _exists(self, token: str, network_kind: str, object_id: str) -> bool:
        network, kind = network_kind.split(":")
        found = self.store.objects.get((network, kind, object_id))
        return found is not None and found["_owner"] == token

    def _create(self, endpoint: Endpoint, token: str, payload: Any, params: dict[str, str]) -> dict[str, Any]:
        if endpoint.parent is not None:
            param, network, kind = endpoint.parent
            self.store.owned(token, network, kind, params[param])
        body = _body(payload, ("push", *endpoint.body_key))
        self._check(endpoint, token, body)
        if endpoint.kind == "entry":
            # A playlist entry is known by its video's id within the playlist (INFERRED).
            object_id = str(body["id"])
            key = (endpoint.network, "entry", f"{params['playlist_id']}/{object_id}")
            if key in self.store.objects:
                raise Refusal(409, "The video is already in the playlist")
        else:
            object_id = self.store.new_id()
            key = (endpoint.network, endpoint.kind, object_id)
        fields = {endpoint.aliases.get(k, k): v for k, v in body.items() if k != "id"}
        obj: dict[str, Any] = {"id": object_id, **endpoint.defaults, **fields, "_owner": token}
        if "id" in body and endpoint.kind != "entry":
            obj["_in"] = str(body["id"])  # the group or page it was posted to
        obj.update({f"_{k}": v for k, v in params.items()})
        if "location" in obj:  # a tweet's place; `<kind>_location` is the public URL
            obj["place"] = obj.pop("location")
        if endpoint.network in ("pinterest", "twitter"):
            obj["location"] = _location(endpoint.network, endpoint.kind, object_id)
        if endpoint.kind == "board":
            obj["owner"] = "sandboxuser"
        self.store.objects[key] = obj
        return _data(endpoint.network, "video" if endpoint.kind == "entry" else endpoint.kind, obj)

    def _find(self, endpoint: Endpoint, token: str, params: dict[str, str]) -> tuple[tuple[str, str, str], dict[str, Any]]:
        object_id = params["object_id"]
        if endpoint.kind == "entry":
            object_id = f"{params['playlist_id']}/{object_id}"
        obj = self.store.owned(token, endpoint.network, endpoint.kind, object_id)
        if "page_id" in params and obj.get("_in") != params["page_id"]:
            raise Refusal(404, f"The {endpoint.kind} {params['object_id']} was not published on page {params['page_id']}")
        return (endpoint.network, endpoint.kind, object_id), obj

    def _update(self, endpoint: Endpoint, token: str, payload: Any, params: dict[str, str]) -> dict[str, Any]:
        _, obj = self._find(endpoint, token, params)
        body = _body(payload, endpoint.body_key)
        self._check(endpoint, token, body)
        if "board" in body and endpoint.kind == "pin":
            boards = [o for (n, k, _), o in self.store.objects.items() if k == "board" and o["_owner"] == token]
            board = next((b for b in boards if b["name"] == body["board"]), None)
            if board is None:
                raise Refusal(404, f"The board '{body['board']}' does not exist")
            obj["_board_id"] = board["id"]
            body = {k: v for k, v in body.items() if k != "board"}
        obj.update(body)
        return _data(endpoint.network, endpoint.kind, obj)

    def _list(self, endpoint: Endpoint, token: str, params: dict[str, str]) -> dict[str, Any]:
        if endpoint.parent is not None:
            self.store.owned(token, endpoint.parent[1], endpoint.parent[2], params[endpoint.parent[0]])
        # A page's posts are those published on it (kept as `_in`, the body's `id`).
        wanted = {("_in" if k == "page_id" else f"_{k}"): v for k, v in params.items()}
        found = [
            _data(network, kind, obj)
            for (network, kind, _), obj in self.store.objects.items()
            if (network, kind) == (endpoint.network, endpoint.kind)
            and obj["_owner"] == token
            and all(obj.get(k) == v for k, v in wanted.items())
        ]
        plural = _PLURAL[(endpoint.network, endpoint.kind)]
        return {"provider": endpoint.network, "object": plural, plural: found}

    def _delete(self, endpoint: Endpoint, token: str, params: dict[str, str]) -> dict[str, Any]:
        key, _ = self._find(endpoint, token, params)
        del self.store.objects[key]
        kind = "video" if endpoint.kind == "entry" else endpoint.kind
        return {"provider": endpoint.network, "object": kind, f"{kind}_id": params["object_id"]}


def _location(network: str, kind: str, object_id: str) -> str:
    if network == "pinterest" and kind == "pin":
        return f"https://www.pinterest.com/pin/{object_id}/"
    if network == "pinterest":
        return f"https://www.pinterest.com/sandboxuser/{object_id}/"
    return f"https://twitter.com/i/web/status/{object_id}"
