"""The sandbox is a server like any other: who asks first, bounded bodies, no hanging thread,
a 4xx for anything malformed, and fault settings that cannot inject headers."""

from __future__ import annotations

import socket

import pytest
import requests

from publisher.sandbox import Sandbox

TOKEN = "2af20011-8965-471b-8f6b-8b66a611aae6"


@pytest.fixture
def server():
    running = Sandbox(public_key="k", private_key="s").start()
    yield running
    running.stop()


def _raw(server: Sandbox, request: bytes, *, timeout: float = 10) -> bytes:
    """Send raw bytes; what comes back before the server closes (or `timeout`)."""
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as connection:
        connection.sendall(request)
        answer = b""
        while True:
            try:
                chunk = connection.recv(65536)
            except TimeoutError:
                return answer
            if not chunk:
                return answer
            answer += chunk
            if b"\r\n\r\n" in answer and b"Connection: close" not in answer and len(answer) > 20:
                return answer


def _post(length: str, body: bytes = b"", auth: bool = True) -> bytes:
    head = f"POST /push/identities/{TOKEN}/twitter/post.json HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n"
    if auth:
        head += "Authorization: Basic azpz\r\n"  # k:s
    return head.encode() + b"\r\n" + body


@pytest.mark.parametrize("length", ["-1", "abc", "1e3", " "])  # found: -1 hung a thread, abc crashed the handler
def test_a_malformed_content_length_is_a_400(server, length):
    assert _raw(server, _post(length)).startswith(b"HTTP/1.1 400")


def test_a_body_over_the_limit_is_refused_without_reading_it(server):
    assert _raw(server, _post(str(50 * 1024 * 1024))).startswith(b"HTTP/1.1 413")


def test_a_stranger_gets_401_before_the_body_is_read(server):
    # Declares a large body and sends none: answered at once, not after waiting for it.
    assert _raw(server, _post("100000", auth=False), timeout=5).startswith(b"HTTP/1.1 401")
    assert all(entry["status"] == 401 for entry in requests.get(server.url + "/_sandbox/requests", timeout=5).json())


@pytest.mark.parametrize("body", [b"[" * 100_000 + b"]" * 100_000, b"\xff\xfe", b'{"request": '])  # found: nesting crashed it
def test_a_malformed_body_is_a_400(server, body):
    assert _raw(server, _post(str(len(body)), body)).startswith(b"HTTP/1.1 400")


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 429, "retry_after": "1\r\nX-Injected: yes"},  # found: a header injected
        {"status": 500, "info": "line\r\nX-Injected: yes"},
        {"status": "500"},
        {"status": 200},
        {"count": -1},
        {"unknown": 1},
        [1, 2],
    ],
)
def test_fault_settings_are_validated(server, fault):
    answer = requests.post(server.url + "/_sandbox/faults", json=fault, timeout=5)
    assert answer.status_code == 400
    after = requests.post(f"{server.url}/push/identities/{TOKEN}/twitter/post.json", auth=("k", "s"),
                          json={"request": {"push": {"post": {"message": "hi"}}}}, timeout=5)  # fmt: skip
    assert "X-Injected" not in after.headers and after.status_code == 200
