"""The sandbox's HTTP side: loopback server, Basic auth, envelopes, request log, faults.

Test hooks live under `/_sandbox/` (no auth: the server only listens on loopback):
- `GET /_sandbox/requests` the log of API requests (method, path, body, status);
  `DELETE` clears it.
- `GET /_sandbox/objects` every object held.
- `POST /_sandbox/faults` `{"status": 400, "info": "...", "count": 1, "after_processing": false,
  "path_contains": "pin"}` makes the next matching requests fail.
"""

from __future__ import annotations

import base64
import email.utils
import hmac
import json
import secrets
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from .api import Api, Refusal

_INFO = {
    200: "Your request has been processed successfully",
    401: "Authentication credentials are missing or incorrect: http://docs.oneall.com/api/basic/authentication/",
}


@dataclass
class Fault:
    status: int
    info: str = "Injected fault"
    count: int = 1
    after_processing: bool = False
    path_contains: str = ""


class Sandbox:
    """A OneAll-compatible API on a loopback port; `start()` runs it in a thread."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        public_key: str | None = None,
        private_key: str | None = None,
    ) -> None:
        self.public_key = public_key or secrets.token_hex(8)
        self.private_key = private_key or secrets.token_hex(16)
        self.api = Api()
        self.log: list[dict[str, Any]] = []
        self.faults: list[Fault] = []
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer((host, port), _handler_for(self))
        self.server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> Sandbox:
        # A short poll interval makes stop() quick (tests start and stop many sandboxes).
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def authorized(self, header: str | None) -> bool:
        expected = base64.b64encode(f"{self.public_key}:{self.private_key}".encode()).decode()
        return header is not None and hmac.compare_digest(header.encode(), f"Basic {expected}".encode())

    def take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.path_contains in path and fault.count > 0:
                    fault.count -= 1
                    if fault.count == 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self.log.append(entry)


def envelope(resource: str, status: int, info: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    request = {
        "date": email.utils.formatdate(localtime=True),
        "resource": resource,
        "status": {"flag": "success" if status < 400 else "error", "code": status, "info": info},
    }
    response: dict[str, Any] = {"request": request}
    if data is not None:
        response["result"] = {"data": data}
    return {"response": response}


def _handler_for(sandbox: Sandbox) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "OneAllSandbox/1"
        # One write per response and no Nagle: otherwise keep-alive clients wait ~40 ms for
        # a delayed ACK on every request.
        wbufsize = -1
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read the log instead
            pass

        def _send(self, status: int, payload: Any) -> None:
            raw = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def _read(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _admin(self, method: str, path: str, raw: bytes) -> None:
            if path == "/_sandbox/requests" and method == "GET":
                with sandbox._lock:
                    self._send(200, list(sandbox.log))
            elif path == "/_sandbox/requests" and method == "DELETE":
                with sandbox._lock:
                    sandbox.log.clear()
                self._send(200, [])
            elif path == "/_sandbox/objects" and method == "GET":
                with sandbox.api.store.lock:
                    objects = [
                        {"network": n, "object": k, "id": i, **{f: v for f, v in o.items() if f != "_owner"}}
                        for (n, k, i), o in sandbox.api.store.objects.items()
                    ]
                self._send(200, objects)
            elif path == "/_sandbox/faults" and method == "POST":
                try:
                    fault = Fault(**json.loads(raw or b"{}"))
                except (TypeError, ValueError) as error:
                    self._send(400, {"error": str(error)})
                    return
                with sandbox._lock:
                    sandbox.faults.append(fault)
                self._send(200, {"ok": True})
            else:
                self._send(404, {"error": "unknown sandbox endpoint"})

        def _api(self, method: str) -> None:
            raw = self._read()
            path = urlsplit(self.path).path
            if path.startswith("/_sandbox/"):
                self._admin(method, path, raw)
                return
            payload: Any = None
            entry: dict[str, Any] = {"method": method, "path": path, "body": None}
            status, info, data = 200, _INFO[200], None
            try:
                if not sandbox.authorized(self.headers.get("Authorization")):
                    raise Refusal(401, _INFO[401])
                if raw:
                    # The API parses the raw body as JSON whatever the Content-Type (INFERRED).
                    try:
                        payload = entry["body"] = json.loads(raw)
                    except ValueError:
                        entry["body"] = raw.decode("utf-8", "replace")
                        raise Refusal(400, "The request body is not valid JSON") from None
                fault = sandbox.take_fault(path)
                if fault is not None and not fault.after_processing:
                    raise Refusal(fault.status, fault.info)
                data = sandbox.api.handle(method, path, payload)
                if fault is not None:
                    raise Refusal(fault.status, fault.info)
            except Refusal as refusal:
                status, info, data = refusal.status, refusal.info, None
            entry["status"] = status
            sandbox.record(entry)
            self._send(status, envelope(path, status, info, data))

        def do_GET(self) -> None:
            self._api("GET")

        def do_POST(self) -> None:
            self._api("POST")

        def do_PUT(self) -> None:
            self._api("PUT")

        def do_DELETE(self) -> None:
            self._api("DELETE")

    return Handler
