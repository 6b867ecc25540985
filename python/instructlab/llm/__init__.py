"""Talking to OpenAI-compatible endpoints, for every engine that needs a model's answers (SDG's
teacher, evaluation judges, chat and RAG): the async client with its light HTTP transport,
adaptive concurrency limiter and on-disk request cache; a small synchronous client; and a model
server started on loopback for the length of a ``with`` block.

Names are imported on first use, so ``instructlab.llm.url`` alone costs nothing more.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from instructlab._lazy import lazy_exports

if TYPE_CHECKING:
    from instructlab.llm.cache import RequestCache, request_digest
    from instructlab.llm.client import ClientStats, Completion, LLMClient, client_from
    from instructlab.llm.endpoint import Endpoint
    from instructlab.llm.limiter import AdaptiveLimiter
    from instructlab.llm.running import RunningServer, ServerProcess, running_server
    from instructlab.llm.tls import ssl_context
    from instructlab.llm.url import check_url

_HOMES = {
    "AdaptiveLimiter": "limiter",
    "ClientStats": "client",
    "Completion": "client",
    "Endpoint": "endpoint",
    "LLMClient": "client",
    "RequestCache": "cache",
    "RunningServer": "running",
    "ServerProcess": "running",
    "check_url": "url",
    "client_from": "client",
    "request_digest": "cache",
    "running_server": "running",
    "ssl_context": "tls",
}

__getattr__, __dir__ = lazy_exports(__name__, _HOMES)

__all__ = [
    "AdaptiveLimiter",
    "ClientStats",
    "Completion",
    "Endpoint",
    "LLMClient",
    "RequestCache",
    "RunningServer",
    "ServerProcess",
    "check_url",
    "client_from",
    "request_digest",
    "running_server",
    "ssl_context",
]
