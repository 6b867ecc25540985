"""The teacher of a run: the endpoint given, or a model (the embedded one by default) served on
loopback for the run's duration."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from instructlab.sdg.errors import GenerateException

if TYPE_CHECKING:
    from instructlab.config.model import Serve

__all__ = ["teacher"]

log = logging.getLogger("instructlab.sdg")


@contextlib.contextmanager
def teacher(
    endpoint: str | None,
    model: str,
    ctx_size: int | None,
    *,
    serve: Serve | None = None,
    gpus: int | None = None,
    show_log: bool = False,
) -> Iterator[tuple[str, str | None]]:
    """``(base_url, model_id)`` of the teacher: the endpoint given, or the embedded teacher (or
    ``model``) served on loopback for the duration.

    ``serve`` (``generate.teacher``) picks the backend and its settings; ``gpus`` goes to the vLLM
    backend (tensor parallelism) and has no effect on the others, which a warning says.
    ``show_log`` copies the server's log to stderr as it is written.
    """
    if endpoint is not None:
        for name, given in (("gpus (--gpus)", gpus), ("--enable-serving-output", show_log)):
            if given:
                log.warning(
                    "%s has no effect with an endpoint: the teacher is not started here", name
                )
        yield endpoint, None
        return
    try:
        from instructlab.llm.backends import choose_backend
        from instructlab.llm.running import running_server, shown_log
        from instructlab.models.resolve import resolve_model_path
    except ImportError:
        raise GenerateException(
            "no --endpoint-url given, and this build cannot start a teacher; "
            "start one and pass --endpoint-url"
        ) from None
    settings: dict[str, Any] = {}
    if serve is not None:
        gpus = gpus if gpus is not None else serve.vllm.gpus
        settings["vllm_args"] = list(serve.vllm.vllm_args)
        settings["gpu_layers"] = serve.llama_cpp.gpu_layers
    backend = choose_backend(resolve_model_path(model), serve.backend if serve else None)
    if backend == "vllm":
        if gpus == 0:
            raise GenerateException(
                f"gpus (--gpus) 0: the teacher {model} is served by vLLM, which needs at least "
                "one GPU; give a number of GPUs, or leave it out to use them all"
            )
        settings["gpus"] = gpus
    elif gpus is not None:
        log.warning(
            "gpus (--gpus) has no effect: the teacher %s is served by the %s backend, which "
            "does not split a model over GPUs (only vLLM does)",
            model,
            backend,
        )
    with contextlib.ExitStack() as stack:
        if show_log:
            settings["log_file"] = stack.enter_context(shown_log(f"ilab-teacher-{backend}-"))
        server = stack.enter_context(
            running_server(model, backend=backend, ctx_size=ctx_size, **settings)
        )
        yield server.base_url, server.model_id
