"""Per-network request pacing for apply (`rate_limits` in publisher.yaml: requests per minute)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping


class RateLimiter:
    """Spaces request starts per network so no more than N begin in any minute, on average."""

    def __init__(
        self,
        per_minute: Mapping[str, float],
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = {network: 60.0 / rate for network, rate in per_minute.items() if rate > 0}
        self.clock = clock
        self.sleep = sleep
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, network: str) -> float:
        """Block until `network` may take another request; returns the time waited."""
        interval = self.interval.get(network)
        if interval is None:
            return 0.0
        with self._lock:
            now = self.clock()
            start = max(now, self._next.get(network, now))
            self._next[network] = start + interval
        delay = start - now
        if delay > 0:
            self.sleep(delay)
        return delay
