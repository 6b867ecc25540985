"""The transformers CPU fallback: a Hugging Face model directory (what training writes) served
one request at a time by ``model.generate``; ``n`` samples come from one batched call.

It exists so a freshly trained student can be chatted with and evaluated anywhere; for speed,
convert it to GGUF or serve it with vLLM on a GPU.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from instructlab.errors import MissingExtra
from instructlab.models.chat_template import ChatTemplate, load_template
from instructlab.serve.generation import (
    Delta,
    EngineError,
    Finish,
    Generation,
    SamplingParams,
    StopMatcher,
    TokenLogprob,
)


class TransformersEngine:
    """A model directory served through ``transformers`` on the CPU (or one GPU if present)."""

    def __init__(
        self,
        model_dir: Path,
        *,
        model_id: str,
        ctx_size: int | None = None,
        chat_template: str | None = None,
    ) -> None:
        try:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError as exc:
            raise MissingExtra("the transformers backend", "train", str(exc)) from None
        self._torch = torch
        self.model_id = model_id
        try:
            self._tokenizer: Any = AutoTokenizer.from_pretrained(str(model_dir))
            model: Any = AutoModelForCausalLM.from_pretrained(str(model_dir))
        except (OSError, ValueError) as exc:
            raise EngineError(
                f"{model_dir}: transformers could not load the model: {exc}", 500
            ) from None
        self._device = "cuda" if torch.cuda.is_available() else "cpu"
        model.to(device=self._device)
        model.eval()
        self._model: Any = model
        limit = getattr(self._model.config, "max_position_embeddings", None) or 4096
        self._ctx = min(ctx_size, limit) if ctx_size else int(limit)
        tok = self._tokenizer
        self._template = ChatTemplate(
            load_template(chat_template, getattr(tok, "chat_template", None)),
            tok.bos_token or "",
            tok.eos_token or "",
        )
        self._lock = threading.Lock()

    @property
    def context_size(self) -> int:
        """Tokens one sequence may hold."""
        return self._ctx

    def render_chat(self, messages: list[dict[str, Any]]) -> str:
        """The prompt for a conversation, through the model's chat template."""
        return self._template.render(messages)

    def score(self, text: str, top: int = 0) -> list[TokenLogprob]:
        """Every token of ``text`` with its log-probability given the ones before it (the first
        has none) and its ``top`` likeliest alternatives: one forward pass."""
        torch = self._torch
        encoded = self._tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
        ids: list[int] = list(encoded["input_ids"])
        if not ids:
            raise EngineError("the prompt is empty")
        if len(ids) > self._ctx:
            raise EngineError(
                f"the prompt has {len(ids)} tokens; this server's context holds {self._ctx}"
            )
        with self._lock, torch.no_grad():
            logits = self._model(torch.tensor([ids], device=self._device)).logits[0]
            logprobs = torch.log_softmax(logits.float(), dim=-1)
        out: list[TokenLogprob] = []
        for pos, (token, (start, end)) in enumerate(
            zip(ids, encoded["offset_mapping"], strict=True)
        ):
            logprob = None
            best = None
            if pos > 0:
                logprob = float(logprobs[pos - 1, token])
                if top > 0:
                    values, indices = torch.topk(logprobs[pos - 1], top)
                    best = {
                        str(self._tokenizer.decode([int(i)])): float(v)
                        for v, i in zip(values.tolist(), indices.tolist(), strict=True)
                    }
            piece = text[start:end] if end > start else str(self._tokenizer.decode([token]))
            out.append(TokenLogprob(piece, int(start), logprob, best))
        return out

    def generate(self, prompt: str, params: SamplingParams) -> Generation:
        """Generates all ``n`` completions, then returns them as one finished generation."""
        if params.constraint is not None:
            raise EngineError(
                "constrained output ('grammar', 'response_format') needs the llama.cpp backend"
            )
        torch = self._torch
        ids = self._tokenizer(prompt, return_tensors="pt", add_special_tokens=False).input_ids
        if ids.shape[1] == 0:
            raise EngineError("the prompt is empty")
        room = self._ctx - ids.shape[1]
        if room < 1:
            raise EngineError(
                f"the prompt has {ids.shape[1]} tokens; this server's context holds {self._ctx}"
            )
        max_new = room if params.max_tokens is None else min(params.max_tokens, room)
        sample = params.temperature > 0
        kwargs: dict[str, Any] = {
            "max_new_tokens": max_new,
            "do_sample": sample,
            "num_return_sequences": params.n,
            "pad_token_id": self._tokenizer.pad_token_id or self._tokenizer.eos_token_id or 0,
        }
        if sample:
            kwargs.update(temperature=params.temperature, top_p=params.top_p)
            if params.top_k > 0:
                kwargs["top_k"] = params.top_k
        if params.repeat_penalty != 1.0:
            kwargs["repetition_penalty"] = params.repeat_penalty
        generation = Generation(int(ids.shape[1]), params.n)
        with self._lock, torch.no_grad():
            if params.seed is not None:
                torch.manual_seed(params.seed)
            out = self._model.generate(ids.to(self._device), **kwargs)
        eos = self._tokenizer.eos_token_id
        for index, row in enumerate(out[:, ids.shape[1] :].tolist()):
            reason = "length"
            tokens = row
            if eos is not None and eos in row:
                tokens = row[: row.index(eos)]
                reason = "stop"
            matcher = StopMatcher(params.stop)
            text, hit = matcher.feed(str(self._tokenizer.decode(tokens, skip_special_tokens=True)))
            text += "" if hit else matcher.flush()
            if hit:
                reason = "stop"
            if text:
                generation.put(Delta(index, text))
            generation.put(Finish(index, reason, len(tokens)))
        generation.close()
        return generation
