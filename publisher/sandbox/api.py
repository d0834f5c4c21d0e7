"""The sandbox's model of the OneAll endpoints: routes, body rules, objects in memory.

This is the sandbox's own reading of `oneall-api.md`, kept apart from the client's registry
(`publisher/resources.py`) so that a mistake in one is caught by the other. Choices the
reference marks INFERRED are tagged `# INFERRED`.
"""

from __future__ import annotations

import itertools
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

TOKEN = r"(?P<token>[^/]+)"
ID = r"(?P<{}>[^/]+)"
PRIVACY = ("PUBLIC", "PROTECTED", "SECRET")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")


class Refusal(Exception):
    """An API error: becomes the error envelope with this status and info."""

    def __init__(self, status: int, info: str) -> None:
        super().__init__(info)
        self.status = status
        self.info = info


@dataclass
class Store:
    """Objects by (network, kind, id); ids look like Pinterest's 18-digit ones."""

    objects: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: Any = field(default_factory=lambda: itertools.count(352969689546669253))

    def new_id(self) -> str:
        return str(next(self._ids))

    def owned(self, token: str, network: str, kind: str, object_id: str) -> dict[str, Any]:
        found = self.objects.get((network, kind, object_id))
        if found is None or found["_owner"] != token:
            raise Refusal(404, f"The {kind} {object_id} does not exist or does not belong to this identity")
        return found


def _body(payload: Any, *keys: str) -> dict[str, Any]:
    node = payload
    for key in ("request", *keys):
        if not isinstance(node, dict) or not isinstance(node.get(key), dict):
            raise Refusal(400, f"The request body must contain {'.'.join(('request', *keys))}")
        node = node[key]
    return node


def _fields(body: dict[str, Any], allowed: dict[str, Callable[[Any], bool]], required: tuple[str, ...] = ()) -> None:
    for key in body:
        if key not in allowed:
            raise Refusal(400, f"Unknown key '{key}'; allowed: {', '.join(allowed)}")
    for key in required:
        if body.get(key) in (None, ""):
            raise Refusal(400, f"The key '{key}' is required")
    for key, value in body.items():
        if not allowed[key](value):
            raise Refusal(400, f"Invalid value for '{key}'")


def _text(limit: int) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, str) and len(v) <= limit


def _url(value: Any) -> bool:
    return isinstance(value, str) and bool(_URL.match(value))


def _ids(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, (str, int)) for v in value)


def _data(network: str, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
    """The flat result.data of the seed pages: provider, object, then <kind>_<field>."""
    data: dict[str, Any] = {"provider": network, "object": kind}
    data.update({f"{kind}_{k}": v for k, v in obj.items() if not k.startswith("_")})
    return data


class Api:
    """Handlers return result.data; they raise `Refusal` for API errors."""

    def __init__(self) -> None:
        self.store = Store()
        self.routes: list[tuple[str, re.Pattern[str], Callable[..., dict[str, Any]]]] = []
        push, update = f"/push/identities/{TOKEN}/", f"/update/identities/{TOKEN}/"
        self._route("POST", push + "pinterest/board.json", self.create_board)
        self._route("POST", push + "pinterest/board/" + ID.format("board_id") + "/pin.json", self.create_pin)
        self._route("PUT", update + "pinterest/pin/" + ID.format("pin_id") + ".json", self.update_pin)
        self._route("DELETE", update + "pinterest/pin/" + ID.format("pin_id") + ".json", self.delete_pin)
        self._route("POST", push + "twitter/post.json", self.create_tweet)
        self._route("DELETE", update + "twitter/post/" + ID.format("post_id") + ".json", self.delete_tweet)

    def _route(self, method: str, pattern: str, handler: Callable[..., dict[str, Any]]) -> None:
        self.routes.append((method, re.compile("^" + pattern + "$"), handler))

    def handle(self, method: str, path: str, payload: Any) -> dict[str, Any]:
        allowed_here = False
        for route_method, pattern, handler in self.routes:
            match = pattern.match(path)
            if not match:
                continue
            allowed_here = True
            if route_method != method:
                continue
            params = match.groupdict()
            token = params.pop("token")
            if not _UUID.match(token):
                raise Refusal(404, "The identity_token is invalid or unknown")  # INFERRED code
            with self.store.lock:
                return handler(token, payload, **params)
        if allowed_here:
            raise Refusal(405, f"The method {method} is not supported for this resource")  # INFERRED
        raise Refusal(404, "The requested resource does not exist")

    # Pinterest ----------------------------------------------------------------------------
    def create_board(self, token: str, payload: Any) -> dict[str, Any]:
        body = _body(payload, "push", "board")
        _fields(body, {"name": _text(180), "description": _text(500), "privacy": lambda v: v in PRIVACY}, ("name",))
        board = {
            "id": self.store.new_id(),
            "name": body["name"],
            "description": body.get("description", ""),
            "privacy": body.get("privacy", "PUBLIC"),
            "owner": "sandboxuser",
            "_owner": token,
        }
        self.store.objects[("pinterest", "board", board["id"])] = board
        return _data("pinterest", "board", board)

    def create_pin(self, token: str, payload: Any, board_id: str) -> dict[str, Any]:
        self.store.owned(token, "pinterest", "board", board_id)
        body = _body(payload, "push", "pin")
        # Both spellings of the picture key exist in the SDK's history (oneall-api.md §2.10).
        rules = {"description": _text(500), "link": _url, "picture": _url, "image_url": _url}
        _fields(body, rules)
        picture = body.get("picture") or body.get("image_url")
        if not picture:
            raise Refusal(400, "The key 'picture' is required")  # INFERRED: a pin needs an image
        pin_id = self.store.new_id()
        pin = {
            "id": pin_id,
            "picture": picture,
            "description": body.get("description", ""),
            "link": body.get("link", ""),
            "location": f"https://www.pinterest.com/pin/{pin_id}/",
            "_owner": token,
            "_board": board_id,
        }
        self.store.objects[("pinterest", "pin", pin_id)] = pin
        return _data("pinterest", "pin", pin)

    def update_pin(self, token: str, payload: Any, pin_id: str) -> dict[str, Any]:
        pin = self.store.owned(token, "pinterest", "pin", pin_id)
        body = _body(payload, "update", "pin")
        _fields(body, {"board": _text(180), "description": _text(500), "link": _url})
        if not body:
            raise Refusal(400, "Nothing to update: give board, description or link")  # INFERRED
        if "board" in body:
            names = [b for k, b in self.store.objects.items() if k[1] == "board" and b["_owner"] == token]
            board = next((b for b in names if b["name"] == body["board"]), None)
            if board is None:
                raise Refusal(404, f"The board '{body['board']}' does not exist")
            pin["_board"] = board["id"]
        pin.update({k: v for k, v in body.items() if k != "board"})
        return _data("pinterest", "pin", pin)

    def delete_pin(self, token: str, payload: Any, pin_id: str) -> dict[str, Any]:
        self.store.owned(token, "pinterest", "pin", pin_id)
        del self.store.objects[("pinterest", "pin", pin_id)]
        return {"provider": "pinterest", "object": "pin", "pin_id": pin_id}

    # Twitter ------------------------------------------------------------------------------
    def create_tweet(self, token: str, payload: Any) -> dict[str, Any]:
        body = _body(payload, "push", "post")
        _fields(body, {"message": _text(280), "attachments": _ids, "location": _text(200)})
        if not body.get("message") and not body.get("attachments"):
            raise Refusal(400, "A tweet needs a message or attachments")
        tweet_id = self.store.new_id()
        tweet = {
            "id": tweet_id,
            "message": body.get("message", ""),
            "location": f"https://twitter.com/i/web/status/{tweet_id}",
            "_owner": token,
        }
        if body.get("attachments"):
            tweet["attachments"] = list(body["attachments"])
        self.store.objects[("twitter", "post", tweet_id)] = tweet
        return _data("twitter", "post", tweet)

    def delete_tweet(self, token: str, payload: Any, post_id: str) -> dict[str, Any]:
        self.store.owned(token, "twitter", "post", post_id)
        del self.store.objects[("twitter", "post", post_id)]
        return {"provider": "twitter", "object": "post", "post_id": post_id}
