"""Which scorer runs a model, opened for the length of a ``with`` block.

- a model folder: transformers in this process (the default; CPU or GPU), or vLLM in this
  process (``backend="vllm"``, GPU only);
- a GGUF file: our llama.cpp server started on loopback, scored through its ``/v1/completions``
  with ``echo`` + ``logprobs`` (``backend="transformers"`` de-quantises it in process instead);
- ``endpoint_url``: a server someone else runs, scored the same way.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from instructlab.errors import UsageError
from instructlab.eval.scoring import Scorer

__all__ = ["KNOWLEDGE_BACKENDS", "Opened", "ScorerOptions", "default_backend", "open_scorer"]

KnowledgeBackend = Literal["transformers", "vllm", "llama-cpp"]
#: The backends a knowledge benchmark can score with.
KNOWLEDGE_BACKENDS: tuple[str, ...] = get_args(KnowledgeBackend)
#: Context a served model gets: a 5-shot MMLU prompt needs more than 4096 tokens at times
#: (InstructLab serves its evaluations with 5120 for the same reason).
_SERVED_CONTEXT = 5120


@dataclass(frozen=True)
class ScorerOptions:
    """How to score: the backend and its settings (None = chosen from the model)."""

    backend: str | None = None
    dtype: str = "auto"
    batch_size: int | None = None
    gpus: int | None = None
    threads: int | None = None
    endpoint_url: str | None = None
    api_key: str | None = None
    enable_serving_output: bool = False
    max_concurrency: int | None = 16


@dataclass(frozen=True)
class Opened:
    """A scorer ready to use and how long it took to get there."""

    scorer: Scorer
    startup_seconds: float


def _is_gguf_file(path: Path) -> bool:
    from instructlab.models.resolve import is_gguf

    return is_gguf(path)


def default_backend(*paths: Path) -> str:
    """llama.cpp (served) when every model is a GGUF file, transformers otherwise: models that
    are compared are scored by the same backend, in the same precision."""
    return "llama-cpp" if paths and all(_is_gguf_file(p) for p in paths) else "transformers"


def _endpoint_model(url: str, wanted: str, api_key: str | None) -> str:
    from instructlab.llm.endpoint import Endpoint

    served = Endpoint(url, api_key, timeout=30).models()
    if wanted in served or not served:
        return wanted
    if len(served) == 1:
        return served[0]
    name = Path(wanted).name
    if name in served:
        return name
    raise UsageError(
        f"{url} serves {', '.join(served)}; name one of them with --model", param="model"
    )


@contextmanager
def open_scorer(model: str | Path, options: ScorerOptions) -> Iterator[Opened]:
    """A scorer for ``model`` (a path, a name in the models folder, ``embedded://...``, or with
    ``endpoint_url`` the model id the endpoint serves); closed when the block ends."""
    from instructlab.eval.openai_scorer import EndpointScorer

    start = time.monotonic()
    if options.endpoint_url:
        model_id = _endpoint_model(options.endpoint_url, str(model), options.api_key)
        scorer: Scorer = EndpointScorer(
            options.endpoint_url,
            model_id,
            api_key=options.api_key,
            max_concurrency=options.max_concurrency,
        )
        yield Opened(scorer, time.monotonic() - start)
        return
    from instructlab.models.resolve import resolve_model_path

    path = resolve_model_path(model)
    backend = options.backend or default_backend(path)
    if backend not in KNOWLEDGE_BACKENDS:
        raise UsageError(
            f"backend: '{backend}' is not one of {', '.join(KNOWLEDGE_BACKENDS)}", param="backend"
        )
    if backend == "llama-cpp":
        yield from _served(model, path, options, start)
        return
    if backend == "vllm":
        if not path.is_dir():
            raise UsageError(f"{path}: vLLM scores model folders only", param="backend")
        from instructlab.eval.vllm_scorer import VllmScorer

        scorer = VllmScorer(path, dtype=options.dtype, gpus=options.gpus)
    else:
        from instructlab.eval.hf_scorer import TransformersScorer

        scorer = TransformersScorer(
            path, dtype=options.dtype, batch_size=options.batch_size, threads=options.threads
        )
    try:
        yield Opened(scorer, time.monotonic() - start)
    finally:
        scorer.close()


def _served(
    model: str | Path, path: Path, options: ScorerOptions, start: float
) -> Iterator[Opened]:
    from instructlab.eval.openai_scorer import EndpointScorer
    from instructlab.llm.running import running_server

    log = Path("/dev/stderr") if options.enable_serving_output else None
    with running_server(
        model,
        backend="llama-cpp",
        ctx_size=_SERVED_CONTEXT,
        parallel=4,
        threads=options.threads,
        startup_timeout=300,
        log_file=log,
    ) as server:
        scorer = EndpointScorer(
            server.base_url,
            server.model_id,
            api_key=server.api_key,
            max_concurrency=options.max_concurrency,
        )
        scorer.description = f"llama.cpp server ({path.name})"
        yield Opened(scorer, time.monotonic() - start)
