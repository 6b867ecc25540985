"""How many sequences to keep in flight: found by watching throughput, not configured.

It starts in slow start: while requests wait for room and replies come back no slower than the
fastest seen, every reply adds its weight to the limit (doubling it each round trip). The first
reply that is half again slower than the fastest (a queue is forming on the server) ends slow
start, and the mean latency of the replies before it is the unqueued latency the rules below
compare with. From then on the limit grows while throughput grows (doubling at first, then by a
quarter); once more in flight buys nothing and only adds latency it steps back; errors, 429s and
timeouts cut it by 30% (and end slow start). A request asking for ``n`` completions weighs ``n``,
since it occupies ``n`` sequences on the server.
"""

from __future__ import annotations

import asyncio
import collections
import time

__all__ = ["AdaptiveLimiter"]


class AdaptiveLimiter:
    """An asyncio semaphore whose size follows the server's throughput."""

    def __init__(self, cap: int | None = None, start: int = 64, floor: int = 1) -> None:
        self.cap = cap if cap is not None else 1024
        self.floor = max(1, floor)
        self.limit = float(max(self.floor, min(start, self.cap)))
        self.inflight = 0
        self.peak_limit = self.limit
        self._waiters: collections.deque[tuple[int, asyncio.Future[None]]] = collections.deque()
        self._fixed = cap is not None and cap <= start
        self._window_start = time.monotonic()
        self._window_weight = 0
        self._window_latency = 0.0
        self._window_count = 0
        self._window_saturated = False
        self._prev_tput: float | None = None
        self._prev_latency: float | None = None
        self._grew = False
        self._min_latency: float | None = None
        self._best_tput = 0.0
        self.slow_start = not self._fixed
        self._fastest: float | None = None
        self._ss_latency = 0.0
        self._ss_count = 0
        self.rows = 0
        self._row_waiters: collections.deque[asyncio.Future[None]] = collections.deque()

    async def acquire(self, weight: int = 1) -> None:
        """Waits until ``weight`` more sequences fit (a heavy request alone always fits)."""
        if not self._waiters and (self.inflight == 0 or self.inflight + weight <= self.limit):
            self.inflight += weight
            return
        self._window_saturated = True
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((weight, fut))
        try:
            await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():
                self.inflight -= weight  # granted just as we were cancelled: give it back
                self._wake()
            else:
                self._waiters.remove((weight, fut))
            raise

    def release(self, weight: int, latency: float, ok: bool, sample: bool = True) -> None:
        """Returns ``weight`` sequences; ``ok`` is False for errors, 429s and timeouts.
        ``sample=False`` (a refused request, say) says nothing about the server's load."""
        self.inflight -= weight
        if not sample:
            pass
        elif ok:
            if self.slow_start:
                self._slow_start_step(weight, latency)
            self._window_weight += weight
            self._window_latency += latency
            self._window_count += 1
            self._maybe_adjust()
        else:
            self.slow_start = False
            self.limit = max(float(self.floor), self.limit * 0.7)
            self._reset_window()
            self._prev_tput = None
        self._wake()

    def _slow_start_step(self, weight: int, latency: float) -> None:
        if self._fastest is None or latency < self._fastest:
            self._fastest = latency
        if latency > 1.5 * self._fastest:
            # Replies slow down: the server queues. The replies so far were not queued: their
            # mean is the latency the window rules compare with.
            self.slow_start = False
            if self._ss_count:
                self._min_latency = self._ss_latency / self._ss_count
            self._reset_window()
            self._prev_tput = None
            return
        self._ss_latency += latency
        self._ss_count += 1
        if self._waiters:
            self.limit = min(float(self.cap), self.limit + weight)
            self.peak_limit = max(self.peak_limit, self.limit)

    def _row_room(self) -> bool:
        return self.rows < max(16.0, 2 * self.limit)

    async def admit_row(self) -> None:
        """Waits until one more row may enter a stream (see :meth:`row_done`)."""
        if not self._row_waiters and self._row_room():
            self.rows += 1
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._row_waiters.append(fut)
        try:
            await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():
                self.row_done()  # admitted just as we were cancelled: give the place back
            else:
                self._row_waiters.remove(fut)
            raise

    def row_done(self) -> None:
        """A row admitted by :meth:`admit_row` has left its stream."""
        self.rows -= 1
        self._wake_rows()

    def _wake_rows(self) -> None:
        while self._row_waiters and self._row_room():
            fut = self._row_waiters.popleft()
            if fut.cancelled():
                continue
            self.rows += 1
            fut.set_result(None)

    def _wake(self) -> None:
        self._wake_rows()
        while self._waiters:
            weight, fut = self._waiters[0]
            if fut.cancelled():
                self._waiters.popleft()
                continue
            if self.inflight > 0 and self.inflight + weight > self.limit:
                return
            self._waiters.popleft()
            self.inflight += weight
            fut.set_result(None)

    def _reset_window(self) -> None:
        self._window_start = time.monotonic()
        self._window_weight = 0
        self._window_latency = 0.0
        self._window_count = 0
        self._window_saturated = bool(self._waiters)

    def _maybe_adjust(self) -> None:
        if self._fixed or self.slow_start:
            return
        now = time.monotonic()
        elapsed = now - self._window_start
        if self._window_weight < max(8.0, self.limit) or elapsed < 0.2:
            return
        tput = self._window_weight / elapsed
        latency = self._window_latency / max(1, self._window_count)
        saturated = self._window_saturated
        prev_tput, prev_latency = self._prev_tput, self._prev_latency
        self._reset_window()
        if not saturated:
            return  # demand was below the limit: this window says nothing about the server
        if self._min_latency is None or latency < self._min_latency:
            self._min_latency = latency
        self._best_tput = max(self._best_tput * 0.98, tput)
        if latency > 2 * self._min_latency and tput < self._best_tput * 1.05:
            # Twice the best latency and no more throughput than before: requests only queue.
            self.limit = max(float(self.floor), self.limit * 0.8)
            self._grew = False
        elif prev_tput is None or tput > prev_tput * 1.08:
            factor = 2.0 if prev_tput is None or tput > prev_tput * 1.5 else 1.25
            self.limit = min(float(self.cap), self.limit * factor + 1)
            self._grew = True
        elif tput < prev_tput * 0.85 or (
            self._grew and prev_latency is not None and latency > prev_latency * 1.3
        ):
            # More in flight bought no throughput, only latency (or we lost throughput).
            self.limit = max(float(self.floor), self.limit * 0.85)
            self._grew = False
        else:
            self._grew = False
        self.peak_limit = max(self.peak_limit, self.limit)
        self._prev_tput = tput
        self._prev_latency = latency
