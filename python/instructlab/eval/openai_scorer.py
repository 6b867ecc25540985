"""Scoring through any OpenAI-compatible ``/v1/completions`` endpoint that echoes the prompt with
its log-probabilities (``echo: true`` + ``logprobs``): vLLM's server, our ``ilab model serve``
(llama.cpp for GGUF files, transformers for model folders), OpenAI's legacy completions.

Each (question, choice) is one request whose prompt is ``context + continuation``; the
continuation's log-likelihood is the sum over the echoed tokens that start at or after the end of
the context (``text_offset``). ``max_tokens`` is 0 (nothing generated); a server that refuses 0
is asked for 1 token, which is left out. Requests run concurrently under the house client's
adaptive limiter, so a batching server stays busy.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from instructlab.errors import RequestFailed, ServerError
from instructlab.eval.scoring import Item, Progress, split_pair

__all__ = ["EndpointScorer", "NoPromptLogprobs"]


class NoPromptLogprobs(ServerError):
    """The endpoint answered without the prompt's log-probabilities."""

    def __init__(self, url: str, detail: str) -> None:
        super().__init__(
            f"{url} gives no prompt log-probabilities ({detail}): scoring multiple choice needs "
            "a /v1/completions endpoint that honours echo=true with logprobs (vLLM, or "
            "`ilab model serve`); serve the model with one of them, or evaluate its folder "
            "in-process (--backend transformers)"
        )
        self.url = url


def continuation_logprob(reply: dict[str, Any], start: int, end: int, url: str) -> float:
    """The sum of the echoed token log-probabilities whose text starts in ``[start, end)``."""
    choices = reply.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise NoPromptLogprobs(url, "the reply has no choices")
    logprobs = choices[0].get("logprobs")
    if not isinstance(logprobs, dict):
        raise NoPromptLogprobs(url, "its reply has no 'logprobs'")
    values = logprobs.get("token_logprobs")
    offsets = logprobs.get("text_offset")
    if not isinstance(values, list) or not isinstance(offsets, list) or not values:
        raise NoPromptLogprobs(url, "its 'logprobs' lack token_logprobs or text_offset")
    if len(values) != len(offsets):
        raise NoPromptLogprobs(url, "token_logprobs and text_offset differ in length")
    total = 0.0
    found = 0
    for value, offset in zip(values, offsets, strict=True):
        if isinstance(offset, int) and start <= offset < end:
            if not isinstance(value, int | float):
                raise NoPromptLogprobs(url, f"the token at offset {offset} has no log-probability")
            total += float(value)
            found += 1
    if not found:
        raise NoPromptLogprobs(url, "no echoed token starts within the scored continuation")
    return total


class EndpointScorer:
    """Scores items with prompt log-probabilities from ``base_url`` (ending in ``/v1``)."""

    def __init__(
        self,
        base_url: str,
        model_id: str,
        *,
        api_key: str | None = None,
        max_concurrency: int | None = 16,
        timeout: float = 600.0,
        ssl_context: Any = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model_id = model_id
        self.api_key = api_key
        self.max_concurrency = max_concurrency
        self.timeout = timeout
        self.ssl_context = ssl_context
        self.description = f"endpoint {self.base_url} (model {model_id})"
        self._max_tokens = 0

    def loglikelihoods(
        self, items: Sequence[Item], progress: Progress | None = None
    ) -> list[tuple[float, ...]]:
        """Every (item, continuation) pair as one echo request, many in flight."""
        return asyncio.run(self._all(items, progress))

    def close(self) -> None:
        """Nothing is held between calls."""

    async def _all(
        self, items: Sequence[Item], progress: Progress | None
    ) -> list[tuple[float, ...]]:
        from instructlab.llm.client import LLMClient

        client = LLMClient(
            self.base_url,
            api_key=self.api_key,
            ssl_context=self.ssl_context,
            max_concurrency=self.max_concurrency,
            timeout=self.timeout,
            max_attempts=3,
        )
        sums = [[0.0] * len(item.continuations) for item in items]
        left = [len(item.continuations) for item in items]
        pairs = [(i, j) for i, item in enumerate(items) for j in range(len(item.continuations))]
        tasks: list[asyncio.Task[tuple[int, int, float]]] = []
        done = 0
        try:
            for n, (i, j) in enumerate(pairs):
                if n == 0:
                    # The first request learns whether max_tokens=0 is accepted (and fails fast
                    # on an endpoint without logprobs) before the rest are sent.
                    first = await self._pair(client, items, i, j)
                    tasks.append(asyncio.create_task(_ready(first)))
                else:
                    tasks.append(asyncio.create_task(self._pair(client, items, i, j)))
            for next_done in asyncio.as_completed(tasks):
                i, j, value = await next_done
                sums[i][j] = value
                left[i] -= 1
                if not left[i]:
                    done += 1
                    if progress is not None:
                        progress(done, len(items))
        finally:
            for task in tasks:
                task.cancel()
            await client.aclose()
        return [tuple(s) for s in sums]

    async def _pair(
        self, client: Any, items: Sequence[Item], i: int, j: int
    ) -> tuple[int, int, float]:
        return i, j, await self._one(client, items[i], j)

    async def _one(self, client: Any, item: Item, choice: int) -> float:
        prompt = item.context + item.continuations[choice]
        body = {
            "model": self.model_id,
            "prompt": prompt,
            "max_tokens": self._max_tokens,
            "echo": True,
            "logprobs": 1,
            "temperature": 0.0,
        }
        url = f"{self.base_url}/completions"
        try:
            reply = await client.post("/completions", body)
        except RequestFailed as exc:
            if self._max_tokens == 0 and exc.status == 400:
                self._max_tokens = 1  # a server that must generate: one token, left out below
                body["max_tokens"] = 1
                try:
                    reply = await client.post("/completions", body)
                except RequestFailed as again:
                    raise NoPromptLogprobs(url, f"it refused an echo request: {again}") from None
            else:
                raise
        context, _ = split_pair(item.context, "")
        return continuation_logprob(reply, len(context), len(prompt), url)


async def _ready(value: tuple[int, int, float]) -> tuple[int, int, float]:
    return value
