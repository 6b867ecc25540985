"""Scoring in-process with vLLM's prompt log-probabilities (GPU only).

Every ``context + continuation`` is one prompt given as token ids (split as lm-eval splits them,
with vLLM's own tokenizer); ``prompt_logprobs=0`` returns, for each prompt token, the
log-probability of that very token, and the continuation's tokens are summed. vLLM's automatic
prefix caching computes a subject's shared few-shot prefix once, as the transformers scorer does
by hand. This path needs a CUDA GPU with vLLM installed (the ``gpu`` extra): it is tested by the
``gpu``-marked test only, on a machine that has one.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from instructlab.errors import FileError
from instructlab.eval.scoring import Item, Progress, split_pair
from instructlab.extras import require

__all__ = ["VllmScorer"]


class VllmScorer:
    """A model folder loaded by vLLM in this process."""

    def __init__(
        self,
        model_path: str | Path,
        *,
        dtype: str = "auto",
        gpus: int | None = None,
        max_model_len: int | None = None,
        gpu_memory_utilization: float = 0.85,
    ) -> None:
        vllm = require("vllm", "gpu", "scoring with the vLLM backend")
        self._vllm = vllm
        self.dtype = "bfloat16" if dtype == "auto" else dtype
        options: dict[str, Any] = {
            "model": str(model_path),
            "dtype": self.dtype,
            "tensor_parallel_size": gpus or 1,
            "enable_prefix_caching": True,
            "gpu_memory_utilization": gpu_memory_utilization,
        }
        if max_model_len is not None:
            options["max_model_len"] = max_model_len
        try:
            self._llm: Any = vllm.LLM(**options)
        except (OSError, ValueError) as exc:
            raise FileError(str(model_path), f"vLLM could not load the model: {exc}") from None
        self._tokenizer: Any = self._llm.get_tokenizer()
        self.description = f"vLLM ({self.dtype}, {gpus or 1} GPU)"

    def _encode(self, text: str) -> list[int]:
        return list(self._tokenizer(text, add_special_tokens=False)["input_ids"])

    def loglikelihoods(
        self, items: Sequence[Item], progress: Progress | None = None
    ) -> list[tuple[float, ...]]:
        """One prompt per (item, continuation); vLLM schedules and batches them all."""
        prompts: list[dict[str, Any]] = []
        spans: list[tuple[int, int, int, int]] = []  # item, choice, first scored index, end
        for i, item in enumerate(items):
            context, _ = split_pair(item.context, "")
            ctx = self._encode(context) if context else []
            if not ctx:
                start = self._tokenizer.bos_token_id
                ctx = [start if start is not None else self._tokenizer.eos_token_id]
            for j, continuation in enumerate(item.continuations):
                ctx_text, cont_text = split_pair(item.context, continuation)
                cont = self._encode(ctx_text + cont_text)[len(self._encode(ctx_text)) :]
                ids = ctx + cont
                prompts.append({"prompt_token_ids": ids})
                spans.append((i, j, len(ctx), len(ids)))
        params = self._vllm.SamplingParams(max_tokens=1, temperature=0.0, prompt_logprobs=0)
        outputs = self._llm.generate(prompts, params, use_tqdm=False)
        sums = [[0.0] * len(item.continuations) for item in items]
        for (i, j, start, end), prompt, output in zip(spans, prompts, outputs, strict=True):
            ids = prompt["prompt_token_ids"]
            per_token = output.prompt_logprobs
            sums[i][j] = sum(float(per_token[k][ids[k]].logprob) for k in range(start, end))
        if progress is not None:
            progress(len(items), len(items))
        return [tuple(s) for s in sums]

    def close(self) -> None:
        """Drops the engine (and its GPU memory)."""
        self._llm = None
