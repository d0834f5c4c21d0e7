"""The sandbox's HTTP side: loopback server, Basic auth, envelopes, request log, faults.

Test hooks live under `/_sandbox/` (no auth: the server only listens on loopback):
- `GET /_sandbox/requests` the log of API requests (method, path, body, status);
  `DELETE` clears it.
- `GET /_sandbox/objects` every object held.
- `POST /_sandbox/faults` `{"status": 400, "info": "...", "count": 1, "after_processing": false,
  "path_contains": "pin", "retry_after": 2, "drop": false}` makes the next matching requests fail.
"""

from __future__ import annotations

import base64
import contextlib
import email.utils
import hmac
import json
import random
import secrets
import socket
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..atomic import write_atomically
from ..errors import PublisherError
from .api import Api, Refusal

_INFO = {
    200: "Your request has been processed successfully",
    401: "Authentication credentials are missing or incorrect: http://docs.oneall.com/api/basic/authentication/",
}


@dataclass
class Fault:
    """The next `count` requests whose path contains `path_contains` fail this way."""

    status: int = 500
    info: str = "Injected fault"
    count: int = 1
    after_processing: bool = False  # do the work, then fail (the client cannot know it was done)
    path_contains: str = ""
    retry_after: int | None = None  # seconds, sent as the Retry-After header
    drop: bool = False  # close the connection without an answer instead

    def __post_init__(self) -> None:
        """Only what a real API could answer: a fault cannot inject headers or break the log."""
        checks = [
            (type(self.status) is int and 400 <= self.status <= 599, "status must be a whole number from 400 to 599"),
            (isinstance(self.info, str) and len(self.info) <= 1000 and self.info.isprintable(), "info must be one line of text"),
            (type(self.count) is int and 1 <= self.count <= 100_000, "count must be a whole number from 1"),
            (type(self.after_processing) is bool and type(self.drop) is bool, "after_processing and drop are true or false"),
            (isinstance(self.path_contains, str) and self.path_contains.isprintable(), "path_contains must be text"),
            (self.retry_after is None or (type(self.retry_after) is int and 0 <= self.retry_after <= 3600),
             "retry_after must be a whole number of seconds from 0 to 3600"),
        ]  # fmt: skip
        for ok, message in checks:
            if not ok:
                raise ValueError(message)


@dataclass
class Behaviour:
    """Faults drawn at random on every API request (`publisher sandbox` flags)."""

    latency: float = 0.0  # seconds added to every answer
    error_rate: float = 0.0  # share of requests refused with 503 before processing
    fail_after_processing: float = 0.0  # share processed, then answered 500
    drop_rate: float = 0.0  # share processed, then the connection dropped
    rate_limit: int = 0  # requests per second; more get 429 with Retry-After: 1
    seed: int | None = None


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.connections: set[socket.socket] = set()  # open ones: stop() ends them
        self.connections_lock = threading.Lock()

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        with self.connections_lock:
            self.connections.add(request)
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self.connections_lock:
                self.connections.discard(request)

    def close_connections(self) -> None:
        """End every kept-alive connection, so no handler thread outlives the sandbox
        (a thread left waiting for a client's next request would, until the client closes)."""
        with self.connections_lock:
            for connection in self.connections:
                with contextlib.suppress(OSError):  # closed already
                    connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that goes away mid-request (killed, timed out) is normal here.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class _Server6(_Server):
    address_family = socket.AF_INET6


class Sandbox:
    """A OneAll-compatible API on a loopback port; `start()` runs it in a thread."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        public_key: str | None = None,
        private_key: str | None = None,
        behaviour: Behaviour | None = None,
        data_file: Path | None = None,
    ) -> None:
        self.public_key = public_key or secrets.token_hex(8)
        self.private_key = private_key or secrets.token_hex(16)
        self.api = Api()
        self.data_file = data_file
        if data_file is not None and data_file.exists():
            try:
                self.api.store.load(json.loads(data_file.read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError, ValueError, TypeError, KeyError, AttributeError, RecursionError) as error:
                raise PublisherError(
                    f"{data_file}: not a sandbox data file ({type(error).__name__}); give a new file name, or the file "
                    "a sandbox wrote"
                ) from None
        self.log: list[dict[str, Any]] = []
        self.faults: list[Fault] = []
        self.behaviour = behaviour or Behaviour()
        self._random = random.Random(self.behaviour.seed)
        self._window: tuple[int, int] = (0, 0)  # (second, requests in it) for rate_limit
        self._lock = threading.Lock()
        server_class = _Server6 if ":" in host else _Server
        self.server = server_class((host, port), _handler_for(self))
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else str(host)
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    def start(self) -> Sandbox:
        # A short poll interval makes stop() quick (tests start and stop many sandboxes).
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.server.close_connections()

    def authorized(self, header: str | None) -> bool:
        expected = base64.b64encode(f"{self.public_key}:{self.private_key}".encode()).decode()
        return header is not None and hmac.compare_digest(header.encode(), f"Basic {expected}".encode())

    def take_fault(self, path: str) -> Fault | None:
        """A queued fault for this request, else one drawn from the random behaviour."""
        with self._lock:
            for fault in self.faults:
                if fault.path_contains in path and fault.count > 0:
                    fault.count -= 1
                    if fault.count == 0:
                        self.faults.remove(fault)
                    return fault
            b = self.behaviour
            if b.rate_limit:
                second = int(time.monotonic())
                start, used = self._window
                used = used + 1 if start == second else 1
                self._window = (second, used)
                if used > b.rate_limit:
                    return Fault(429, "Too many requests", retry_after=1)
            draw = self._random.random()
            if draw < b.error_rate:
                return Fault(503, "The API is overloaded with requests")
            draw -= b.error_rate
            if draw < b.fail_after_processing:
                return Fault(500, "The server encountered an unrecoverable error", after_processing=True)
            draw -= b.fail_after_processing
            if draw < b.drop_rate:
                return Fault(drop=True, after_processing=True)
        return None

    def record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self.log.append(entry)
        if self.data_file is not None and entry["method"] != "GET":
            with self.api.store.lock:
                snapshot = self.api.store.dump()
            write_atomically(self.data_file, json.dumps(snapshot, indent=1) + "\n")


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


MAX_BODY = 1024 * 1024  # far beyond any request publisher sends


class _Handler(BaseHTTPRequestHandler):
    sandbox: Sandbox  # set by `_handler_for`
    protocol_version = "HTTP/1.1"
    server_version = "OneAllSandbox/1"
    # One write per response and no Nagle: otherwise keep-alive clients wait ~40 ms for
    # a delayed ACK on every request.
    wbufsize = -1
    disable_nagle_algorithm = True
    timeout = 30  # seconds a client may take to send a request: no thread waits for ever

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read the log instead
        pass

    def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        raw = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(raw)

    def _read(self) -> bytes:
        """The body, of a declared length within the limit; a Refusal otherwise."""
        declared = self.headers.get("Content-Length")
        if declared is None:
            return b""
        if not declared.strip().isdigit():
            raise Refusal(400, "The Content-Length header is not a length")
        length = int(declared)
        if length > MAX_BODY:
            raise Refusal(413, f"The request body is larger than {MAX_BODY:,} bytes")
        return self.rfile.read(length) if length else b""

    def _admin(self, method: str, path: str, raw: bytes) -> None:
        if path == "/_sandbox/requests" and method == "GET":
            with self.sandbox._lock:
                self._send(200, list(self.sandbox.log))
        elif path == "/_sandbox/requests" and method == "DELETE":
            with self.sandbox._lock:
                self.sandbox.log.clear()
            self._send(200, [])
        elif path == "/_sandbox/objects" and method == "GET":
            with self.sandbox.api.store.lock:
                objects = [
                    {"network": n, "object": k, "id": i, **{f: v for f, v in o.items() if f != "_owner"}}
                    for (n, k, i), o in self.sandbox.api.store.objects.items()
                ]
            self._send(200, objects)
        elif path == "/_sandbox/faults" and method == "POST":
            try:
                fault = Fault(**json.loads(raw or b"{}"))
            except (TypeError, ValueError, RecursionError) as error:
                self._send(400, {"error": str(error)})
                return
            with self.sandbox._lock:
                self.sandbox.faults.append(fault)
            self._send(200, {"ok": True})
        else:
            self._send(404, {"error": "unknown sandbox endpoint"})

    def _api(self, method: str) -> None:
        path = urlsplit(self.path).path
        if path.startswith("/_sandbox/"):
            try:
                raw = self._read()
            except Refusal as refusal:
                self.close_connection = True  # what is left of the body would read as a request
                self._send(refusal.status, {"error": refusal.info})
                return
            self._admin(method, path, raw)
            return
        payload: Any = None
        entry: dict[str, Any] = {"method": method, "path": path, "body": None}
        status, info, data = 200, _INFO[200], None
        headers: dict[str, str] = {}
        fault = None
        try:
            # Who asks first: a stranger's body is never read.
            if not self.sandbox.authorized(self.headers.get("Authorization")):
                self.close_connection = True
                raise Refusal(401, _INFO[401])
            try:
                raw = self._read()
            except Refusal:
                self.close_connection = True
                raise
            if raw:
                # The API parses the raw body as JSON whatever the Content-Type (INFERRED).
                try:
                    payload = entry["body"] = json.loads(raw)
                except (ValueError, RecursionError):
                    entry["body"] = raw[:1000].decode("utf-8", "replace")
                    raise Refusal(400, "The request body is not valid JSON") from None
            fault = self.sandbox.take_fault(path)
            if fault is not None and fault.retry_after is not None:
                headers["Retry-After"] = str(fault.retry_after)
            if fault is not None and not fault.after_processing and not fault.drop:
                raise Refusal(fault.status, fault.info)
            data = self.sandbox.api.handle(method, path, payload)
            if fault is not None and not fault.drop:
                raise Refusal(fault.status, fault.info)
        except Refusal as refusal:
            status, info, data = refusal.status, refusal.info, None
        if self.sandbox.behaviour.latency:
            time.sleep(self.sandbox.behaviour.latency)
        if fault is not None and fault.drop:
            entry["status"] = "dropped"
            self.sandbox.record(entry)
            self.close_connection = True  # processed, but the client never hears of it
            return
        entry["status"] = status
        self.sandbox.record(entry)
        self._send(status, envelope(path, status, info, data), headers)

    def do_GET(self) -> None:
        self._api("GET")

    def do_POST(self) -> None:
        self._api("POST")

    def do_PUT(self) -> None:
        self._api("PUT")

    def do_DELETE(self) -> None:
        self._api("DELETE")


def _handler_for(sandbox: Sandbox) -> type[BaseHTTPRequestHandler]:
    """A handler class bound to one sandbox (the server makes a handler per request)."""
    return type("Handler", (_Handler,), {"sandbox": sandbox})
