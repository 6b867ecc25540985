"""The teacher client: async, adaptive concurrency, retries with jitter, timeouts, ``n``.

It speaks the OpenAI HTTP API (``/chat/completions``, ``/completions``, ``/models``) over the light
transport in :mod:`instructlab.llm.transport`. It accepts a base URL or an ``openai.OpenAI`` /
``AsyncOpenAI`` object, whose URL, key and TLS settings it reuses.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import ssl
import time
from dataclasses import dataclass, field
from typing import Any

from instructlab.errors import RequestFailed
from instructlab.llm.limiter import AdaptiveLimiter
from instructlab.llm.transport import HttpError, Transport

__all__ = ["ClientStats", "Completion", "LLMClient", "client_from"]

_RETRYABLE = {408, 409, 425, 429, 500, 502, 503, 504}
#: A server error that says it cannot do n > 1 (llama.cpp: HTTP 500 "Only one completion choice
#: is allowed"); any other server error on a first request for n says nothing about n.
_N_REFUSAL = re.compile(r"\bchoices?\b|['\"`]n['\"`]|\bn\s*(?:must|should|>|=)", re.IGNORECASE)
_CONTEXT_WORDS = ("context length", "context size", "context window", "context_length", "too long")


@dataclass
class Completion:
    """The texts of one logical request (None where a sample failed) and its token counts."""

    texts: list[str | None]
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass
class ClientStats:
    """What the client did, for the run report."""

    requests: int = 0
    retries: int = 0
    errors: int = 0
    throttled: int = 0
    timeouts: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    sequences: int = 0
    first_request: float | None = None
    last_reply: float | None = None
    status_counts: dict[int, int] = field(default_factory=dict)


class LLMClient:
    """An OpenAI-compatible endpoint, kept busy without being overloaded."""

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        ssl_context: ssl.SSLContext | None = None,
        max_concurrency: int | None = None,
        timeout: float = 600.0,
        max_attempts: int = 5,
        supports_n: bool | None = None,
        backoff_base: float = 0.5,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self._transport = Transport(self.base_url, api_key=api_key, ssl_context=ssl_context)
        self.limiter = AdaptiveLimiter(cap=max_concurrency)
        self.timeout = timeout
        self.max_attempts = max(1, max_attempts)
        self.backoff_base = backoff_base
        #: Whether the server honours ``n`` (None: find out on the first request that needs it).
        self.supports_n = supports_n
        self.stats = ClientStats()

    # -- plumbing ------------------------------------------------------------------------------

    async def _once(self, path: str, payload: bytes, weight: int) -> dict[str, Any]:
        """One attempt, inside the limiter. Raises _Retry or RequestFailed."""
        await self.limiter.acquire(weight)
        start = time.monotonic()
        ok = False
        load_signal = True
        try:
            self.stats.requests += 1
            if self.stats.first_request is None:
                self.stats.first_request = start
            try:
                resp = await asyncio.wait_for(
                    self._transport.request("POST", path, payload), self.timeout
                )
            except asyncio.TimeoutError:
                self.stats.timeouts += 1
                raise _Retry(f"no reply within {self.timeout:g} s", None) from None
            except HttpError as exc:
                raise _Retry(str(exc), None) from None
            status = resp.status
            self.stats.status_counts[status] = self.stats.status_counts.get(status, 0) + 1
            if status == 200:
                try:
                    data = resp.json()
                except ValueError:
                    raise _Retry("the reply is not JSON", None) from None
                if not isinstance(data, dict) or not isinstance(data.get("choices"), list):
                    raise _Retry("the reply has no choices", None)
                ok = True
                return data
            text = resp.body[:500].decode("utf-8", "replace")
            load_signal = status == 429 or status >= 500
            if status == 429:
                self.stats.throttled += 1
                after = _retry_after(resp.headers.get("retry-after"))
                raise _Retry(f"HTTP 429 (too many requests): {text}", after, status)
            if status in _RETRYABLE:
                raise _Retry(f"HTTP {status}: {text}", None, status)
            if status == 400 and any(w in text.lower() for w in _CONTEXT_WORDS):
                raise RequestFailed(self.base_url + path, "context overflow: " + text, status=400)
            raise RequestFailed(self.base_url + path, f"HTTP {status}: {text}", status=status)
        finally:
            end = time.monotonic()
            self.stats.last_reply = end
            self.limiter.release(weight, end - start, ok, sample=load_signal)

    async def post(
        self, path: str, body: dict[str, Any], weight: int = 1, attempts: int | None = None
    ) -> dict[str, Any]:
        """POSTs JSON with retries (jittered exponential back-off); returns the parsed reply.
        The RequestFailed raised at the end carries the last HTTP status, if any."""
        payload = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        last = ""
        last_status: int | None = None
        attempts = attempts or self.max_attempts
        for attempt in range(attempts):
            try:
                return await self._once(path, payload, weight)
            except _Retry as retry:
                last, last_status = retry.reason, retry.status
                self.stats.errors += 1
                if attempt + 1 == attempts:
                    break
                self.stats.retries += 1
                delay = retry.after or min(30.0, self.backoff_base * 2**attempt)
                await asyncio.sleep(delay * random.uniform(0.5, 1.5))
            except RequestFailed:
                self.stats.errors += 1
                raise
        raise RequestFailed(
            self.base_url + path, f"failed after {attempts} attempts: {last}", status=last_status
        )

    async def models(self) -> list[str]:
        """The model ids the server offers (raises RequestFailed if it cannot be reached)."""
        try:
            resp = await asyncio.wait_for(self._transport.request("GET", "/models"), 30)
        except (HttpError, asyncio.TimeoutError) as exc:
            raise RequestFailed(self.base_url, f"the teacher does not answer: {exc}") from None
        if resp.status != 200:
            raise RequestFailed(
                self.base_url + "/models", f"HTTP {resp.status}", status=resp.status
            )
        try:
            data = resp.json()
            return [str(m["id"]) for m in data.get("data", [])]
        except (ValueError, KeyError, TypeError, AttributeError):
            raise RequestFailed(
                self.base_url + "/models", "the reply is not a model list"
            ) from None

    # -- generation ----------------------------------------------------------------------------

    async def generate(
        self, kind: str, body: dict[str, Any], n: int, seeds: list[int] | None = None
    ) -> Completion:
        """``n`` completions of one prompt: natively where the server honours ``n``, else one
        request per sample (each with its own seed, so samples differ yet are reproducible).

        ``kind`` is "chat" or "completions". Failed samples come back as None; a context overflow
        or a refused request raises RequestFailed.
        """
        path = "/chat/completions" if kind == "chat" else "/completions"
        if n > 1 and self.supports_n is not False:
            req = dict(body, n=n)
            if seeds:
                req.setdefault("seed", seeds[0])
            probing = self.supports_n is None
            try:
                # Until the server has shown it honours n, one attempt: llama.cpp's server
                # answers n > 1 with HTTP 500, which must not be retried as a passing fault.
                data = await self.post(path, req, weight=n, attempts=1 if probing else None)
            except RequestFailed as exc:
                if not probing or "context overflow" in exc.reason:
                    raise
                refused = exc.status in (400, 422) or (
                    exc.status in (500, 501) and bool(_N_REFUSAL.search(exc.reason))
                )
                if refused and self.supports_n is not True:
                    self.supports_n = False  # refuses n: emulate from now on
                    return await self.generate(kind, body, n, seeds)
                if refused or self.max_attempts <= 1 or exc.status not in _RETRYABLE | {None}:
                    raise
                # Throttled, unreachable or timed out: nothing learnt about n; the usual retries.
                data = await self.post(path, req, weight=n, attempts=self.max_attempts - 1)
            out = self._completion(kind, data)
            if len(out.texts) >= n:
                self.supports_n = True
                out.texts = out.texts[:n]
                return out
            self.supports_n = False  # answered fewer choices: emulate the rest
            rest = await self._emulate(
                kind, body, n - len(out.texts), (seeds or [])[len(out.texts) :]
            )
            out.texts += rest.texts
            out.prompt_tokens += rest.prompt_tokens
            out.completion_tokens += rest.completion_tokens
            return out
        if n == 1:
            req = dict(body)
            if seeds:
                req.setdefault("seed", seeds[0])
            return self._completion(kind, await self.post(path, req))
        return await self._emulate(kind, body, n, seeds or [])

    async def _emulate(
        self, kind: str, body: dict[str, Any], n: int, seeds: list[int]
    ) -> Completion:
        async def one(i: int) -> Completion:
            req = dict(body)
            if i < len(seeds):
                req["seed"] = seeds[i]
            try:
                return await self.generate(kind, req, 1)
            except RequestFailed as exc:
                if "context overflow" in exc.reason:
                    raise
                return Completion([None])

        parts = await asyncio.gather(*(one(i) for i in range(n)))
        return Completion(
            [t for p in parts for t in p.texts],
            sum(p.prompt_tokens for p in parts),
            sum(p.completion_tokens for p in parts),
        )

    def _completion(self, kind: str, data: dict[str, Any]) -> Completion:
        texts: list[str | None] = []
        for choice in data["choices"]:
            if not isinstance(choice, dict):
                texts.append(None)
                continue
            if kind == "chat":
                msg = choice.get("message") or {}
                value = msg.get("content") if isinstance(msg, dict) else None
            else:
                value = choice.get("text")
            texts.append(value if isinstance(value, str) else None)
        usage = data.get("usage") or {}
        prompt = int(usage.get("prompt_tokens") or 0) if isinstance(usage, dict) else 0
        done = int(usage.get("completion_tokens") or 0) if isinstance(usage, dict) else 0
        self.stats.prompt_tokens += prompt
        self.stats.completion_tokens += done
        self.stats.sequences += len(texts)
        return Completion(texts, prompt, done)

    async def aclose(self) -> None:
        """Closes idle connections."""
        await self._transport.aclose()


class _Retry(Exception):
    def __init__(self, reason: str, after: float | None, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.after = after
        self.status = status


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return min(60.0, max(0.0, float(value)))
    except ValueError:
        return None


def client_from(
    client: Any,
    *,
    max_concurrency: int | None = None,
    timeout: float = 600.0,
    max_attempts: int = 5,
) -> LLMClient:
    """An :class:`LLMClient` for a URL or an ``openai.OpenAI`` / ``AsyncOpenAI`` object."""
    if isinstance(client, LLMClient):
        return client
    if isinstance(client, str):
        return LLMClient(
            client, max_concurrency=max_concurrency, timeout=timeout, max_attempts=max_attempts
        )
    base_url = getattr(client, "base_url", None)
    if base_url is None:
        raise TypeError(
            f"expected a URL, an LLMClient or an OpenAI client object, not {type(client).__name__}"
        )
    api_key = getattr(client, "api_key", None) or None
    given_timeout = getattr(client, "timeout", None)
    # A number, or an httpx Timeout whose read timeout is what a generation waits for.
    given_timeout = getattr(given_timeout, "read", given_timeout)
    if isinstance(given_timeout, (int, float)) and not isinstance(given_timeout, bool):
        timeout = float(given_timeout)
    return LLMClient(
        str(base_url),
        api_key=api_key,
        ssl_context=_ssl_context_of(client),
        max_concurrency=max_concurrency,
        timeout=timeout,
        max_attempts=max_attempts,
    )


def _ssl_context_of(client: Any) -> ssl.SSLContext | None:
    """The TLS context of an OpenAI client's httpx transport, where it can be found."""
    inner = getattr(client, "_client", None)
    transport = getattr(inner, "_transport", None)
    pool = getattr(transport, "_pool", None)
    ctx = getattr(pool, "_ssl_context", None)
    return ctx if isinstance(ctx, ssl.SSLContext) else None
