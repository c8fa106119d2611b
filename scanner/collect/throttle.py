"""A client-side mirror of ARM's read throttling, per subscription.

ARM limits reads per subscription (and principal) with a token bucket: 250 requests of burst,
refilled at 25 per second. Spending our own bucket first means the scan rarely meets a 429; when
it does, `Retry-After` closes that subscription's gate, so its requests wait while the other
subscriptions' requests go on.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

ARM_BURST = 250
ARM_REFILL_PER_SECOND = 25.0
TENANT_KEY = "tenant"
_SUBSCRIPTION_IN_URL = re.compile(r"/subscriptions/([0-9a-fA-F-]{36})(?:[/?]|$)")


def throttle_key(url: str) -> str:
    """The bucket a request draws from: its subscription, or the tenant for tenant-level calls."""
    match = _SUBSCRIPTION_IN_URL.search(url)
    return match.group(1).lower() if match else TENANT_KEY


class TokenBucket:
    """Tokens may go negative: a request that finds none reserves the next one and waits for it,
    which keeps waiting requests in arrival order without a queue."""

    def __init__(self, capacity: float, rate: float, now: float) -> None:
        self.capacity = capacity
        self.rate = rate
        self._tokens = float(capacity)
        self._stamp = now

    def _refill(self, now: float) -> None:
        if now > self._stamp:
            self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now

    def reserve(self, now: float) -> float:
        """Take one token; the seconds to wait before using it (0 when one was available)."""
        self._refill(now)
        self._tokens -= 1
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    def wait_time(self, now: float) -> float:
        """Seconds until a token is free, without taking it."""
        self._refill(now)
        return 0.0 if self._tokens >= 1 else (1 - self._tokens) / self.rate

    def observe_remaining(self, remaining: int, now: float) -> None:
        """ARM reports what is left of its bucket; never believe we have more than that
        (other tools may spend the same principal's quota)."""
        self._refill(now)
        self._tokens = min(self._tokens, float(remaining))

    @property
    def tokens(self) -> float:
        return self._tokens


@dataclass
class ThrottleStats:
    waits: int = 0
    waited_seconds: float = 0.0
    gates_closed: int = 0


@dataclass
class Throttle:
    """Buckets and `Retry-After` gates keyed by subscription, shared by all clients of a scan."""

    capacity: float = ARM_BURST
    rate: float = ARM_REFILL_PER_SECOND
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    stats: ThrottleStats = field(default_factory=ThrottleStats)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[str, TokenBucket] = {}
        self._blocked_until: dict[str, float] = {}

    def _bucket(self, key: str, now: float) -> TokenBucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = TokenBucket(self.capacity, self.rate, now)
        return bucket

    def acquire(self, key: str) -> float:
        """Block until the key's gate is open and a token is ours; the seconds spent waiting."""
        waited = 0.0
        reserved = False
        while True:
            with self._lock:
                now = self.clock()
                gate = self._blocked_until.get(key, 0.0) - now
                if gate <= 0:
                    if reserved:
                        break
                    delay = self._bucket(key, now).reserve(now)
                    reserved = True
                    if delay <= 0:
                        break
                else:
                    delay = gate
            self.sleep(delay)
            waited += delay
        if waited:
            with self._lock:
                self.stats.waits += 1
                self.stats.waited_seconds += waited
        return waited

    def block(self, key: str, seconds: float) -> None:
        """ARM said `Retry-After: seconds` for this key: hold its requests until then."""
        with self._lock:
            until = self.clock() + max(seconds, 0.0)
            if until > self._blocked_until.get(key, 0.0):
                self._blocked_until[key] = until
                self.stats.gates_closed += 1

    def observe_remaining(self, key: str, remaining: int) -> None:
        with self._lock:
            now = self.clock()
            self._bucket(key, now).observe_remaining(remaining, now)

    def ready_in(self, key: str) -> float:
        """Seconds before a request for `key` could be sent (0: now)."""
        with self._lock:
            now = self.clock()
            gate = self._blocked_until.get(key, 0.0) - now
            return max(gate, self._bucket(key, now).wait_time(now), 0.0)
