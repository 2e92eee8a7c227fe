"""Per-key rate limiting: a token bucket per caller, in memory."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Server limits; ``rate`` is requests per second per key (None: unlimited)."""

    max_body_bytes: int = 8 * 1024 * 1024
    max_batch: int = 5_000
    rate: float | None = None
    burst: int = 20


class RateLimiter:
    """``acquire(who)`` returns 0 when allowed, else the seconds until it would be."""

    def __init__(self, rate: float | None, burst: int) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def acquire(self, who: str) -> float:
        if self.rate is None:
            return 0.0
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(who, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[who] = (tokens - 1.0, now)
                return 0.0
            self._buckets[who] = (tokens, now)
            return (1.0 - tokens) / self.rate
