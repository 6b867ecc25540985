"""The mock server's model of a real one: limited capacity, and faults.

Capacity: at most ``size`` sequences generate at once, each for ``duration`` seconds; a request
for ``n`` choices holds ``n`` slots. Faults: a request meets HTTP 429, HTTP 500 or a hang with the
rates of its rule, decided by the request's content and how many times the same request was seen,
so a retry can succeed and a run is reproducible.
"""

from __future__ import annotations

import asyncio
import collections
import heapq
import random
import time
from dataclasses import dataclass, field

from instructlab.testing.rules import Rule, digest

__all__ = ["Capacity", "FaultModel", "MockStats", "sleep_until"]


@dataclass
class MockStats:
    """What the server saw."""

    requests: int = 0
    completions: int = 0
    sequences: int = 0
    errors: int = 0
    throttled: int = 0
    hung: int = 0
    max_active_sequences: int = 0
    #: Every HTTP request, whatever its route (``/models`` and health checks included).
    http_requests: int = 0
    #: The most completion requests in flight at once (from arrival to reply).
    max_active_requests: int = 0
    by_rule: collections.Counter[str] = field(default_factory=collections.Counter)
    n_values: collections.Counter[int] = field(default_factory=collections.Counter)
    busy_time: float = 0.0
    first: float | None = None
    last: float | None = None
    #: With ``trace=True``: (arrival, start, end, n) of every completed generation.
    trace: list[tuple[float, float, float, int]] | None = None


class Capacity:
    """``size`` slots, each generating one sequence for ``duration`` seconds; a request takes
    ``n`` at once, in arrival order.

    The schedule is kept in ideal time, like a GPU that does not wait for Python: a queued
    request starts the moment its slots' previous sequences end on paper, not when this event
    loop gets round to noticing, so the loop's own lag never lowers the capacity.
    """

    def __init__(self, size: int, duration: float) -> None:
        self.size = size
        self.duration = duration
        self.free_at = [0.0] * size  # a min-heap: when each slot is free
        self.last_start = 0.0

    def reserve(self, n: int, now: float) -> tuple[float, int]:
        """Books ``n`` slots for a request arriving ``now``: when it starts, and how many
        sequences are generating at that moment (on paper)."""
        n = min(n, self.size)
        taken = [heapq.heappop(self.free_at) for _ in range(n)]
        start = max(now, self.last_start, taken[-1])
        self.last_start = start
        for _ in range(n):
            heapq.heappush(self.free_at, start + self.duration)
        return start, sum(1 for t in self.free_at if t > start)


class FaultModel:
    """Decides, per request, whether it is throttled, fails, hangs or is answered."""

    def __init__(self, default: Rule) -> None:
        self.default = default
        self._seen: collections.Counter[int] = collections.Counter()

    def outcome(self, rule: Rule, prompt: str, seed: object, n: int) -> str:
        """``"429"``, ``"error"``, ``"hang"`` or ``"ok"`` for this sending of the request."""
        key = digest(prompt, seed, n)
        self._seen[key] += 1
        roll = random.Random(digest(key, self._seen[key])).random()
        r429 = rule.rate_429 or self.default.rate_429
        err = rule.error_rate or self.default.error_rate
        hang = rule.hang_rate or self.default.hang_rate
        if roll < r429:
            return "429"
        if roll < r429 + err:
            return "error"
        if roll < r429 + err + hang:
            return "hang"
        return "ok"


async def sleep_until(when: float) -> None:
    """Sleeps until ``time.monotonic()`` reaches ``when`` (the event loop's clock)."""
    delay = when - time.monotonic()
    if delay > 0:
        await asyncio.sleep(delay)
