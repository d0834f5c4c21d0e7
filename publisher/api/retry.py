"""When to retry a refused or unsent request, and how long to wait.

Only what certainly did not happen is retried: 429 and 502/503 (the API documents them as
refusals) and connection failures before the request was sent. A create whose outcome is
unknown is never retried here.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

RETRY_STATUSES = frozenset({429, 502, 503})


@dataclass
class RetryPolicy:
    max_attempts: int = 8  # tries of one request, the first included
    max_connect_attempts: int = 3  # a refused connection is more often a wrong URL than a blip
    base: float = 0.5  # first backoff, doubled each time
    max_backoff: float = 30.0  # longest single backoff (Retry-After may ask for more)
    max_total_wait: float = 120.0  # longest total wait for one request
    sleep: Callable[[float], None] = time.sleep
    random: random.Random = field(default_factory=random.Random)

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter: spreads clients that failed together."""
        return self.random.uniform(0, min(self.max_backoff, self.base * 2**attempt))


def retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds asked for by a Retry-After header (delay-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))
