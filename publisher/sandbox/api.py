"""The sandbox's model of the OneAll API: requests routed to endpoints, objects in memory.

What each endpoint accepts is in `endpoints.py`."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from typing import Any

from ..rules import is_token
from .endpoints import _PLURAL, ENDPOINTS, Endpoint, Refusal


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
