"""Retries against the sandbox: which answers are retried, how long the client waits, when it gives up."""

from __future__ import annotations

import random

import pytest

from publisher.api.client import Client
from publisher.api.retry import RetryPolicy, retry_after
from publisher.errors import ApiError, FatalApiError, OutcomeUnknown

from conftest import PIN_TOKEN

BOARD = ("pinterest/board.json", ("board",), {"name": "Stadium"})


def _client(sandbox, waits: list[float], **policy) -> Client:
    retry = RetryPolicy(sleep=waits.append, random=random.Random(1), **policy)
    return Client(sandbox.url, "test-public", "test-private", retry=retry)


def test_429_waits_exactly_what_retry_after_asks(sandbox):
    sandbox.fault(status=429, info="Too many requests", count=2, retry_after=7)
    waits: list[float] = []
    data = _client(sandbox, waits).push(PIN_TOKEN, *BOARD)
    assert data["board_name"] == "Stadium"
    assert waits == [7.0, 7.0]
    assert [r["status"] for r in sandbox.requests()] == [429, 429, 200]


def test_502_and_503_back_off_exponentially_with_jitter(sandbox):
    sandbox.fault(status=503, count=2)
    sandbox.fault(status=502, count=2)
    waits: list[float] = []
    _client(sandbox, waits, base=0.5).push(PIN_TOKEN, *BOARD)
    assert len(waits) == 4
    for attempt, wait in enumerate(waits):
        assert 0 <= wait <= 0.5 * 2**attempt
    assert len(set(waits)) == 4  # jittered, not lock-step


def test_retry_after_longer_than_the_budget_gives_up_at_once(sandbox):
    sandbox.fault(status=429, retry_after=600)
    waits: list[float] = []
    with pytest.raises(ApiError, match=r"asks to wait 600 s \(Retry-After\), more than publisher waits in all \(120 s\)"):
        _client(sandbox, waits).push(PIN_TOKEN, *BOARD)
    assert waits == []
    assert len(sandbox.objects()) == 0


def test_gives_up_after_max_attempts_with_a_clear_message(sandbox):
    sandbox.fault(status=503, count=10)
    waits: list[float] = []
    with pytest.raises(ApiError, match=r"answered 503 \(the API is overloaded\) 3 times; giving up"):
        _client(sandbox, waits, max_attempts=3).push(PIN_TOKEN, *BOARD)
    assert len(waits) == 2


def test_total_wait_is_capped(sandbox):
    sandbox.fault(status=429, count=10, retry_after=50)
    waits: list[float] = []
    with pytest.raises(ApiError, match="more than publisher waits in all"):
        _client(sandbox, waits).push(PIN_TOKEN, *BOARD)
    assert sum(waits) <= 120


def test_500_and_dropped_connections_are_never_retried(sandbox):
    sandbox.fault(status=500, after_processing=True)
    waits: list[float] = []
    with pytest.raises(OutcomeUnknown):
        _client(sandbox, waits).push(PIN_TOKEN, *BOARD)
    sandbox.fault(drop=True, after_processing=True)
    with pytest.raises(OutcomeUnknown, match="connection was lost after sending"):
        _client(sandbox, waits).push(PIN_TOKEN, *BOARD)
    assert waits == []
    assert len(sandbox.requests()) == 2
    assert len(sandbox.objects()) == 2  # both were carried out: that is why they are not retried


def test_connection_refused_is_retried_briefly_then_fatal():
    waits: list[float] = []
    client = Client("http://127.0.0.1:9", "k", "k", retry=RetryPolicy(sleep=waits.append))
    with pytest.raises(FatalApiError, match="connection refused"):
        client.push(PIN_TOKEN, *BOARD)
    assert len(waits) == 2


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("3", 3.0), ("0", 0.0), (None, None), ("soon", None), ("Wed, 21 Oct 2015 07:28:10 GMT", 10.0)],
)
def test_retry_after_header(header, seconds):
    import email.utils

    now = email.utils.parsedate_to_datetime("Wed, 21 Oct 2015 07:28:00 GMT").timestamp()
    assert retry_after(header, now=now) == seconds
