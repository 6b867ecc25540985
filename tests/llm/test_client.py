"""The teacher client: client objects, adaptive concurrency, retries, errors that stop a run."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from instructlab.llm.client import LLMClient, client_from
from instructlab.llm.limiter import AdaptiveLimiter
from instructlab.sdg.errors import RequestFailed
from instructlab.testing import MockOpenAI, Rule

BODY = {"model": "m", "messages": [{"role": "user", "content": "hello"}]}


def test_accepts_an_openai_like_object() -> None:
    fake = SimpleNamespace(base_url="http://127.0.0.1:9/v1/", api_key="sk-x", timeout=12.0)
    client = client_from(fake)
    assert client.base_url == "http://127.0.0.1:9/v1"
    assert client.api_key == "sk-x"
    assert client.timeout == 12.0
    with pytest.raises(TypeError):
        client_from(42)


def test_concurrency_grows_to_use_the_server() -> None:
    # 64 sequences at a time, 50 ms each: the limit grows past its start (64) while replies
    # keep their pace, and the server is kept full.
    with MockOpenAI(capacity=64, seq_time=0.05) as server:

        async def go() -> LLMClient:
            client = LLMClient(server.base_url)
            await asyncio.gather(*(client.generate("chat", BODY, 1, [i]) for i in range(1500)))
            await client.aclose()
            return client

        client = asyncio.run(go())
        assert server.stats.max_active_sequences == 64
    assert client.limiter.peak_limit > 64


def test_errors_cut_the_limit() -> None:
    limiter = AdaptiveLimiter(start=40)
    limiter.inflight = 1
    limiter.release(1, 0.1, ok=False)
    assert limiter.limit == pytest.approx(28)


def test_cap_is_respected() -> None:
    with MockOpenAI(latency=0.02) as server:

        async def go() -> None:
            client = LLMClient(server.base_url, max_concurrency=3)
            await asyncio.gather(*(client.generate("chat", BODY, 1, [i]) for i in range(30)))
            await client.aclose()

        asyncio.run(go())
        assert server.stats.max_active_sequences <= 3


def test_refused_request_is_not_retried() -> None:
    with MockOpenAI(api_key="right") as server:

        async def go() -> None:
            client = LLMClient(server.base_url, api_key="wrong")
            try:
                await client.generate("chat", BODY, 1)
            finally:
                await client.aclose()

        with pytest.raises(RequestFailed) as err:
            asyncio.run(go())
        assert err.value.status == 401
        assert server.stats.requests == 0


def test_unreachable_endpoint_names_it() -> None:
    async def go() -> None:
        client = LLMClient("http://127.0.0.1:9/v1", max_attempts=2, backoff_base=0.01)
        try:
            await client.models()
        finally:
            await client.aclose()

    with pytest.raises(RequestFailed, match=r"127\.0\.0\.1:9"):
        asyncio.run(go())


def test_429_is_retried_until_it_passes() -> None:
    rules = [Rule("hello", ["hi"], rate_429=0.6)]
    with MockOpenAI(rules) as server:

        async def go() -> list[str | None]:
            client = LLMClient(server.base_url, backoff_base=0.01, max_attempts=20)
            out = await asyncio.gather(*(client.generate("chat", BODY, 1, [i]) for i in range(20)))
            await client.aclose()
            return [t for c in out for t in c.texts]

        texts = asyncio.run(go())
        assert server.stats.throttled > 0
    assert texts == ["hi"] * 20
