"""The adaptive limiter: slow start, its end, and the row gate the executor streams through."""

from __future__ import annotations

import asyncio

import pytest

from instructlab.llm.limiter import AdaptiveLimiter


async def _queued(limiter: AdaptiveLimiter, count: int) -> list[asyncio.Task[None]]:
    tasks = [asyncio.create_task(limiter.acquire()) for _ in range(count)]
    await asyncio.sleep(0)
    return tasks


def test_slow_start_adds_each_reply_while_requests_wait() -> None:
    async def go() -> AdaptiveLimiter:
        limiter = AdaptiveLimiter(start=4)
        tasks = await _queued(limiter, 20)  # 4 in flight, 16 waiting
        for _ in range(3):
            limiter.release(1, 0.2, ok=True)
        assert limiter.slow_start
        assert limiter.limit == 7
        for t in tasks:
            t.cancel()
        return limiter

    asyncio.run(go())


def test_slow_start_ends_when_replies_slow_down() -> None:
    async def go() -> None:
        limiter = AdaptiveLimiter(start=4)
        tasks = await _queued(limiter, 20)
        limiter.release(1, 0.2, ok=True)
        limiter.release(1, 0.4, ok=True)  # twice the fastest: the server queues
        assert not limiter.slow_start
        grown = limiter.limit
        limiter.release(1, 0.2, ok=True)
        assert limiter.limit == grown  # no more growth per reply
        for t in tasks:
            t.cancel()

    asyncio.run(go())


def test_an_error_ends_slow_start() -> None:
    limiter = AdaptiveLimiter(start=40)
    limiter.inflight = 1
    limiter.release(1, 0.1, ok=False)
    assert not limiter.slow_start
    assert limiter.limit == pytest.approx(28)


def test_no_growth_without_waiting_requests() -> None:
    limiter = AdaptiveLimiter(start=8)
    limiter.inflight = 2
    limiter.release(1, 0.1, ok=True)
    assert limiter.limit == 8


def test_a_fixed_cap_never_grows() -> None:
    async def go() -> None:
        limiter = AdaptiveLimiter(cap=3, start=32)
        tasks = await _queued(limiter, 10)
        limiter.release(1, 0.1, ok=True)
        assert limiter.limit == 3
        for t in tasks:
            t.cancel()

    asyncio.run(go())


def test_rows_are_admitted_up_to_twice_the_limit() -> None:
    async def go() -> None:
        limiter = AdaptiveLimiter(cap=10, start=10)
        admitted = [asyncio.create_task(limiter.admit_row()) for _ in range(25)]
        await asyncio.sleep(0)
        assert limiter.rows == 20
        assert sum(t.done() for t in admitted) == 20
        limiter.row_done()
        await asyncio.sleep(0)
        assert sum(t.done() for t in admitted) == 21
        pending = [t for t in admitted if not t.done()]
        pending[0].cancel()  # a cancelled waiter takes no place
        await asyncio.sleep(0)
        for _ in range(2):
            limiter.row_done()
        await asyncio.sleep(0)
        assert limiter.rows == 20
        assert sum(t.done() and not t.cancelled() for t in admitted) == 23

    asyncio.run(go())


def test_after_slow_start_queueing_latency_cuts_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    import instructlab.llm.limiter as limiter_module

    now = [0.0]
    monkeypatch.setattr(limiter_module.time, "monotonic", lambda: now[0])

    async def go() -> None:
        limiter = AdaptiveLimiter(start=8)
        tasks = await _queued(limiter, 200)
        for _ in range(8):
            limiter.release(1, 0.2, ok=True)  # unqueued replies: slow start grows
        limiter.release(1, 0.5, ok=True)  # queued: slow start ends
        assert not limiter.slow_start
        before = limiter.limit
        # A window of replies at 0.5 s (2.5x the unqueued 0.2 s) and no more throughput: the
        # server only queues, so the limit steps back instead of growing.
        for _ in range(2):
            now[0] += 1.0
            for _ in range(int(limiter.limit) + 1):
                limiter.release(1, 0.5, ok=True)
        assert limiter.limit < before
        for t in tasks:
            t.cancel()

    asyncio.run(go())
