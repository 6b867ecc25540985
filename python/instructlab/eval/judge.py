"""Talking to the model under test and to the judge: one cached chat client for both, and what a
judge's answer means.

:class:`ChatClient` sits on :class:`instructlab.llm.LLMClient` (many requests in flight under its
adaptive limiter, retries with back-off, timeouts) and the request cache: every answered request
is written through to ``requests.jsonl`` in the run folder, keyed by its content and its place
in the run (question, turn, judge sample), so an evaluation killed halfway and started again
re-sends nothing it already has an answer for.

A judge's verdict is read from ``[[n]]`` (FastChat's format), ``[n]`` (its fallback) or a JSON
``"rating"``; anything else is unparseable and counted in the error rate. A judge served here is
constrained to a JSON schema (OpenAI's ``response_format``, honoured by our llama.cpp server and
by vLLM; the transformers fallback cannot constrain and is not asked to), so even a 135M model
gives a rating every time.
"""

from __future__ import annotations

import hashlib
import json
import re
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from instructlab.errors import RequestFailed

__all__ = [
    "ChatClient",
    "Served",
    "model_fingerprint",
    "parse_rating",
    "prompt_hash",
    "rating_format",
    "stable_seed",
]

_DOUBLE = re.compile(r"\[\[\s*(\d+(?:\.\d+)?)\s*\]\]")
_SINGLE = re.compile(r"\[\s*(\d+(?:\.\d+)?)\s*\]")
_JSON_RATING = re.compile(r'"rating"\s*:\s*"?(\d+(?:\.\d+)?)')


@dataclass(frozen=True)
class Served:
    """An OpenAI-compatible endpoint serving one model, and how it came to be."""

    base_url: str
    #: The model name sent in requests.
    model_id: str
    #: What the model is, for reports (a path, a name, or the embedded model).
    label: str
    #: Identifies the model's weights for the request cache: a changed file is a new model.
    fingerprint: str
    #: Served here.
    local: bool = False
    #: Its server honours ``response_format`` (our llama.cpp server, vLLM): a judge is held to
    #: the rating schema.
    constrains: bool = False
    api_key: str | None = None
    ssl_context: ssl.SSLContext | None = field(default=None, compare=False)


def stable_seed(*parts: object) -> int:
    """A seed derived from ``parts``: requests are reproducible, so a cached answer is the answer
    the same request would get."""
    text = "\x1f".join(map(str, parts)).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=4).digest(), "big") & 0x7FFFFFFF


def prompt_hash(*texts: str) -> str:
    """A short hash of the judge prompts (reports carry it: scores from two prompts differ)."""
    digest = hashlib.sha256("\x1e".join(texts).encode("utf-8")).hexdigest()
    return digest[:12]


def rating_format(high: int) -> dict[str, Any]:
    """``response_format`` holding a judge to a short explanation and a rating 1..``high``.

    The explanation is bounded (240 characters: a few sentences) because a small model, held to
    a string, may never close it on its own; decoding time grows with it.
    """
    schema = {
        "type": "object",
        "properties": {
            "explanation": {"type": "string", "maxLength": 240},
            "rating": {"enum": list(range(1, high + 1))},
        },
        "required": ["explanation", "rating"],
    }
    return {"type": "json_schema", "json_schema": {"name": "rating", "schema": schema}}


def parse_rating(text: str | None, high: int) -> float | None:
    """The rating in a judge's answer (1..``high``), or None when there is none."""
    if not text:
        return None
    for pattern in (_DOUBLE, _JSON_RATING, _SINGLE):
        found = pattern.search(text)
        if found is not None:
            value = float(found.group(1))
            return value if 1 <= value <= high else None
    return None


class ChatClient:
    """Chat completions from one served model, through the request cache."""

    def __init__(
        self,
        served: Served,
        cache: Any,
        *,
        max_concurrency: int | None = None,
        role: str = "model",
        timeout: float = 600.0,
    ) -> None:
        from instructlab.llm.client import LLMClient

        self.served = served
        self.cache = cache
        self.role = role
        self.client = LLMClient(
            served.base_url,
            api_key=served.api_key,
            ssl_context=served.ssl_context,
            max_concurrency=max_concurrency,
            timeout=timeout,
            supports_n=False,
        )
        #: Requests answered from the cache, and sent.
        self.cached = 0
        self.sent = 0
        #: Requests that failed for good (their texts count as errors).
        self.failed = 0
        self.last_failure = ""

    async def check(self) -> None:
        """Fails at once, naming the endpoint, when it does not answer."""
        try:
            await self.client.models()
        except RequestFailed as exc:
            reason = exc.reason.replace("the teacher does not answer: ", "")
            raise RequestFailed(
                exc.endpoint,
                f"the {self.role} ({self.served.label}) does not answer: {reason}; "
                "check the URL and that its server is running",
                status=exc.status,
            ) from None

    async def chat(
        self,
        messages: list[dict[str, str]],
        *,
        place: str,
        temperature: float,
        max_tokens: int,
        seed: int,
        sample: int = 0,
        response_format: dict[str, Any] | None = None,
    ) -> str | None:
        """The reply's text (None when the request failed for good; a context overflow counts
        as such a failure)."""
        from instructlab.llm.cache import RequestCache, request_digest

        body: dict[str, Any] = {
            "model": self.served.model_id,
            "messages": messages,
            "temperature": temperature,
            "max_tokens": max_tokens,
            "seed": seed,
        }
        if response_format is not None:
            body["response_format"] = response_format
        key = RequestCache.key(
            request_digest("chat", body), f"{self.served.fingerprint}|{place}", sample
        )
        found = self.cache.get(key)
        if found is not None:
            self.cached += 1
            return str(found)
        self.sent += 1
        try:
            done = await self.client.generate("chat", body, 1)
        except RequestFailed as exc:
            self.failed += 1
            self.last_failure = exc.message
            return None
        text = done.texts[0] if done.texts else None
        if text is None:
            self.failed += 1
            return None
        self.cache.put(key, text)
        return text

    async def aclose(self) -> None:
        """Closes the connections."""
        await self.client.aclose()


def model_fingerprint(path: Path) -> str:
    """A model file's or folder's identity for the cache: its path, sizes and times."""
    try:
        files = [path] if path.is_file() else sorted(p for p in path.iterdir() if p.is_file())
        parts = [f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files]
    except OSError:
        parts = []
    return hashlib.blake2b(
        json.dumps([str(path.resolve()), parts]).encode(), digest_size=8
    ).hexdigest()
