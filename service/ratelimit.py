"""Per-client token buckets with a bounded number of tracked clients (least recently seen are dropped)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict


class RateLimiter:
    """``rate`` requests per minute per key, bursts up to ``rate``; memory bounded by ``max_keys``."""

    def __init__(self, rate_per_minute: int, max_keys: int = 10000) -> None:
        self.capacity = float(max(1, rate_per_minute))
        self.refill = self.capacity / 60.0
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, key: str) -> float:
        """0 when allowed; otherwise the seconds to wait before the next request is allowed."""
        now = time.monotonic()
        with self._lock:
            tokens, stamp = self._buckets.pop(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - stamp) * self.refill)
            wait = 0.0
            if tokens >= 1.0:
                tokens -= 1.0
            else:
                wait = (1.0 - tokens) / self.refill
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
            return wait

    def __len__(self) -> int:
        return len(self._buckets)


class FailureThrottle:
    """Blocks a key for ``lockout_s`` after ``max_failures`` failures inside ``window_s`` (wrong admin tokens)."""

    def __init__(self, max_failures: int, window_s: float, lockout_s: float, max_keys: int = 10000) -> None:
        self.max_failures = max(1, max_failures)
        self.window_s = window_s
        self.lockout_s = lockout_s
        self.max_keys = max_keys
        self._failures: OrderedDict[str, list[float]] = OrderedDict()
        self._lock = threading.Lock()

    def blocked_for(self, key: str) -> float:
        """Seconds the key must still wait; 0 when it may try."""
        now = time.monotonic()
        with self._lock:
            recent = [t for t in self._failures.get(key, []) if now - t < max(self.window_s, self.lockout_s)]
            if len(recent) < self.max_failures:
                return 0.0
            return max(0.0, recent[-1] + self.lockout_s - now)

    def failed(self, key: str) -> None:
        now = time.monotonic()
        with self._lock:
            recent = [t for t in self._failures.pop(key, []) if now - t < self.window_s]
            recent.append(now)
            self._failures[key] = recent[-self.max_failures :]
            while len(self._failures) > self.max_keys:
                self._failures.popitem(last=False)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)
