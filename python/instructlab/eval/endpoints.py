"""Where the model under test and the judge answer: an endpoint the user gives, or a model served
here for the length of a ``with`` block.

A GGUF file is served by our llama.cpp server, a model folder by vLLM on a GPU and by transformers
otherwise (:func:`instructlab.llm.running_server` picks); the base and the trained model of a
branch benchmark are served with the same backend. With no judge set, the embedded
SmolLM2-135M-Instruct judges, and the report says so.
"""

from __future__ import annotations

import contextlib
import logging
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from instructlab.errors import ModelNotFound, UsageError
from instructlab.eval.judge import Served, model_fingerprint

__all__ = ["EMBEDDED_JUDGE_LABEL", "ServeSettings", "serve"]

log = logging.getLogger("instructlab.eval")

#: How reports name the embedded judge.
EMBEDDED_JUDGE_LABEL = "the embedded SmolLM2-135M-Instruct (no judge model set)"

#: Judge prompts hold a question, a reference and two answers: llama.cpp needs room for them.
MIN_CTX_SIZE = 5120


@dataclass
class ServeSettings:
    """How models are served here (the ``serve`` section, plus the command's options)."""

    backend: str | None = None
    gpus: int | None = None
    ctx_size: int | None = None
    gpu_layers: int = -1
    vllm_args: tuple[str, ...] = ()
    show_log: bool = False
    #: Sequences a llama.cpp server decodes together (None: its default).
    parallel: int | None = None
    startup_timeout: float = 600.0


@contextlib.contextmanager
def serve(
    model: str | Path | None,
    *,
    role: str,
    param: str,
    endpoint_url: str | None = None,
    api_key: str | None = None,
    tls: ssl.SSLContext | None = None,
    settings: ServeSettings | None = None,
    backend: str | None = None,
) -> Iterator[Served]:
    """The model as a :class:`Served` endpoint for the block: ``endpoint_url`` as given (``model``
    is then the model name sent), else ``model`` served here and stopped afterwards.

    ``role`` names the model in messages ("judge", "model"); ``param`` is the SDK argument that
    set it. A judge with no model and no endpoint is the embedded model.
    """
    from instructlab.config import EMBEDDED_MODEL

    settings = settings or ServeSettings()
    if endpoint_url is not None:
        name = str(model) if model else _first_model(endpoint_url, api_key, tls, role)
        yield Served(
            endpoint_url.rstrip("/"),
            name,
            f"{name} at {endpoint_url}",
            f"{endpoint_url}|{name}",
            local=False,
            api_key=api_key,
            ssl_context=tls,
        )
        return
    label = str(model) if model else EMBEDDED_JUDGE_LABEL
    model = model or EMBEDDED_MODEL
    from instructlab.llm.backends import choose_backend
    from instructlab.llm.running import running_server, shown_log
    from instructlab.models.resolve import resolve_model_path

    try:
        path = resolve_model_path(model)
    except ModelNotFound as exc:
        where = "judge_endpoint_url" if param == "judge_model" else "endpoint_url"
        hint = f"; for a model served elsewhere, give its endpoint ({where})"
        raise UsageError(f"{param}: {exc.message}{hint}", param) from None
    chosen = choose_backend(path, backend or settings.backend)
    options: dict[str, Any] = {"backend": chosen, "startup_timeout": settings.startup_timeout}
    if chosen == "llama-cpp":
        options["ctx_size"] = max(settings.ctx_size or 0, MIN_CTX_SIZE)
        options["gpu_layers"] = settings.gpu_layers
        if settings.parallel is not None:
            options["parallel"] = settings.parallel
    elif chosen == "vllm":
        options["vllm_args"] = list(settings.vllm_args)
        if settings.gpus == 0:
            raise UsageError(
                f"gpus: 0, but the {role} {model} is served by vLLM, which needs a GPU", "gpus"
            )
        options["gpus"] = settings.gpus
        options["ctx_size"] = settings.ctx_size
    with contextlib.ExitStack() as stack:
        if settings.show_log:
            options["log_file"] = stack.enter_context(shown_log(f"ilab-eval-{role}-"))
        log.info("starting the %s %s (%s)", role, label, chosen)
        server = stack.enter_context(running_server(model, **options))
        yield Served(
            server.base_url,
            server.model_id,
            label,
            model_fingerprint(path),
            local=True,
            constrains=chosen in ("llama-cpp", "vllm"),
            api_key=server.api_key,
        )


def _first_model(url: str, api_key: str | None, tls: ssl.SSLContext | None, role: str) -> str:
    """The first model an endpoint lists (when no model name was given for it)."""
    import asyncio

    from instructlab.errors import RequestFailed
    from instructlab.llm.client import LLMClient

    async def listed() -> list[str]:
        client = LLMClient(url, api_key=api_key, ssl_context=tls)
        try:
            return await client.models()
        finally:
            await client.aclose()

    try:
        found = asyncio.run(listed())
    except RequestFailed as exc:
        reason = exc.reason.replace("the teacher does not answer: ", "")
        raise RequestFailed(url, f"the {role} does not answer: {reason}") from None
    if not found:
        raise RequestFailed(url, f"the {role}'s endpoint lists no model; name one")
    return found[0]
