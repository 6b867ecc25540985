"""Talking to OpenAI-compatible endpoints, for every engine that needs a model's answers (SDG's
teacher, evaluation judges, chat and RAG): the async client with its light HTTP transport,
adaptive concurrency limiter and on-disk request cache; a small synchronous client; and a model
server started on loopback for the length of a ``with`` block.

Importing this package loads no ML stack and no HTTP library beyond the standard one.
"""

from __future__ import annotations

from instructlab.llm.cache import RequestCache, request_digest
from instructlab.llm.client import ClientStats, Completion, LLMClient, client_from
from instructlab.llm.endpoint import Endpoint
from instructlab.llm.limiter import AdaptiveLimiter
from instructlab.llm.running import RunningServer, ServerProcess, running_server
from instructlab.llm.tls import ssl_context

__all__ = [
    "AdaptiveLimiter",
    "ClientStats",
    "Completion",
    "Endpoint",
    "LLMClient",
    "RequestCache",
    "RunningServer",
    "ServerProcess",
    "client_from",
    "request_digest",
    "running_server",
    "ssl_context",
]
