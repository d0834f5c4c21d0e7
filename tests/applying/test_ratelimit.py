from __future__ import annotations

from publisher.applying.ratelimit import RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_requests_are_spaced_per_network():
    clock = FakeClock()
    limiter = RateLimiter({"twitter": 60}, clock=clock, sleep=clock.sleep)
    for _ in range(4):
        limiter.wait("twitter")
    assert clock.slept == [1.0, 1.0, 1.0]
    assert limiter.wait("pinterest") == 0.0  # no limit set for it


def test_idle_time_is_not_saved_up_into_a_burst():
    clock = FakeClock()
    limiter = RateLimiter({"twitter": 30}, clock=clock, sleep=clock.sleep)
    limiter.wait("twitter")
    clock.now += 100
    limiter.wait("twitter")
    limiter.wait("twitter")
    assert clock.slept == [2.0]
