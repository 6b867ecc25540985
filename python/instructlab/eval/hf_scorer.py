"""Scoring in-process with transformers (CPU or GPU), the few-shot prefix computed once.

The questions of a subject share their few-shot examples, hundreds of tokens that lm-eval runs
through the model again for every question. Here the items of a group are tokenised, the tokens
they all start with are run once, and that prefix's key/value cache serves every question of the
group: each batch of questions runs only its own tokens, attending to the cached prefix. Rows are
right-padded (a padding token comes after every real one, so causal attention keeps it out of
what is read) and only the positions whose next-token distribution is needed are projected onto
the vocabulary. When every continuation is one token (MMLU's " A" ... " D"), one row per question
gives all four log-probabilities at once.

The numbers equal a full forward pass of each ``context + continuation`` (tests check 1e-4).
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from instructlab.errors import FileError
from instructlab.eval.scoring import Item, Progress, common_prefix_len, split_pair
from instructlab.extras import require

__all__ = ["TransformersScorer", "resolve_dtype"]

#: Tokens one batch may hold (rows x longest row), per device; "auto" batch sizes follow it.
#: On 2 CPU threads a larger batch gains nothing and copies more of the prefix cache.
_TOKEN_BUDGET = {"cpu": 2048, "cuda": 32768}
_MAX_ROWS = 64


@dataclass
class _Row:
    """One sequence to run after the shared prefix, and what to read from its output."""

    tokens: list[int]
    #: position in the row -> [(next token, item index, choice index)]
    reads: dict[int, list[tuple[int, int, int]]] = field(default_factory=dict)


def resolve_dtype(dtype: str, device: str) -> str:
    """``auto``: float32 on the CPU, bfloat16 on a GPU (what InstructLab evaluates in)."""
    if dtype != "auto":
        return dtype
    return "bfloat16" if device.startswith("cuda") else "float32"


class TransformersScorer:
    """A Hugging Face model folder (or a GGUF file, de-quantised) scored in this process."""

    def __init__(
        self,
        model_path: str | Path,
        *,
        dtype: str = "auto",
        device: str | None = None,
        batch_size: int | None = None,
        threads: int | None = None,
    ) -> None:
        feature = "scoring with the transformers backend"
        torch = require("torch", "train", feature)
        transformers = require("transformers", "train", feature)
        self._torch = torch
        if threads:
            torch.set_num_threads(threads)
        transformers.utils.logging.disable_progress_bar()
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.dtype = resolve_dtype(dtype, self.device)
        path = Path(model_path)
        folder, extra = (path.parent, {"gguf_file": path.name}) if path.is_file() else (path, {})
        version = tuple(int(p) for p in transformers.__version__.split(".")[:2] if p.isdigit())
        dtype_arg = "dtype" if version >= (4, 56) else "torch_dtype"
        try:
            self.tokenizer: Any = transformers.AutoTokenizer.from_pretrained(str(folder), **extra)
            model = transformers.AutoModelForCausalLM.from_pretrained(
                str(folder), **{dtype_arg: getattr(torch, self.dtype)}, **extra
            )
        except (OSError, ValueError, KeyError) as exc:
            raise FileError(str(path), f"transformers could not load the model: {exc}") from None
        model.to(self.device)
        model.eval()
        self.model: Any = model
        self.batch_size = batch_size
        params = inspect.signature(model.forward).parameters
        self._cache_arg = "cache" if "cache" in params else "past_key_values"
        modeling = transformers.modeling_utils
        if "logits_to_keep" not in params:
            self._keep = "all"
        elif hasattr(modeling, "slice_logits_to_keep"):
            self._keep = "mask"  # (batch, position) booleans: exactly the positions read
        else:
            self._keep = "positions"  # the same positions for every row
        self.description = f"transformers ({self.dtype}, {self.device})"
        self._pad = self.tokenizer.pad_token_id
        if self._pad is None:
            self._pad = self.tokenizer.eos_token_id or 0
        self._start = self.tokenizer.bos_token_id
        if self._start is None:
            self._start = self.tokenizer.eos_token_id or 0

    # -- the public part ---------------------------------------------------------------------------

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text`` (no special tokens added; special-token text still maps)."""
        return list(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def encode_item(self, item: Item) -> tuple[list[int], list[list[int]]]:
        """The context's tokens and each continuation's, split as lm-eval splits them."""
        context, _ = split_pair(item.context, "")
        ctx = self.encode(context) if context else []
        conts: list[list[int]] = []
        for continuation in item.continuations:
            ctx_text, cont_text = split_pair(item.context, continuation)
            whole = self.encode(ctx_text + cont_text)
            conts.append(whole[len(ctx) :])
        if not ctx:
            ctx = [self._start]  # lm-eval's stand-in context: the start-of-text token
        if any(not c for c in conts):
            raise ValueError(f"an empty continuation after {item.context[-40:]!r}")
        return ctx, conts

    def loglikelihoods(
        self, items: Sequence[Item], progress: Progress | None = None
    ) -> list[tuple[float, ...]]:
        """Each item's continuation log-likelihoods, group by group."""
        encoded = [self.encode_item(item) for item in items]
        sums = [[0.0] * len(item.continuations) for item in items]
        groups: dict[str, list[int]] = {}
        for index, item in enumerate(items):
            groups.setdefault(item.group, []).append(index)
        done = 0
        with self._torch.inference_mode():
            for indices in groups.values():
                self._score_group(encoded, indices, sums)
                done += len(indices)
                if progress is not None:
                    progress(done, len(items))
        return [tuple(s) for s in sums]

    def close(self) -> None:
        """Drops the model (and the GPU memory it holds)."""
        self.model = None
        if self.device.startswith("cuda"):
            self._torch.cuda.empty_cache()

    # -- the work ----------------------------------------------------------------------------------

    def _score_group(
        self,
        encoded: list[tuple[list[int], list[list[int]]]],
        indices: list[int],
        sums: list[list[float]],
    ) -> None:
        contexts = [encoded[i][0] for i in indices]
        shared = min(common_prefix_len(contexts), min(len(c) for c in contexts) - 1)
        prefix = self._prefill(contexts[0][:shared]) if shared > 0 else None
        rows = [row for i in indices for row in self._rows(i, *encoded[i], shared)]
        rows.sort(key=lambda r: len(r.tokens), reverse=True)
        for batch in self._batches(rows):
            self._run(batch, prefix, sums)

    @staticmethod
    def _rows(index: int, ctx: list[int], conts: list[list[int]], shared: int) -> list[_Row]:
        last = len(ctx) - 1 - shared
        if all(len(c) == 1 for c in conts):
            return [_Row(ctx[shared:], {last: [(c[0], index, j) for j, c in enumerate(conts)]})]
        rows = []
        for j, cont in enumerate(conts):
            reads = {last + p: [(token, index, j)] for p, token in enumerate(cont)}
            rows.append(_Row((ctx + cont[:-1])[shared:], reads))
        return rows

    def _batches(self, rows: list[_Row]) -> Iterator[list[_Row]]:
        start = 0
        while start < len(rows):
            if self.batch_size is not None:
                size = self.batch_size
            else:
                budget = _TOKEN_BUDGET["cuda" if self.device.startswith("cuda") else "cpu"]
                size = max(1, min(_MAX_ROWS, budget // max(1, len(rows[start].tokens))))
            yield rows[start : start + size]
            start += size

    def _prefill(self, tokens: list[int]) -> list[tuple[Any, Any]]:
        """The per-layer keys and values of ``tokens``."""
        torch = self._torch
        ids = torch.tensor([tokens], device=self.device)
        kwargs: dict[str, Any] = {"use_cache": True}
        if self._keep != "all":
            kwargs["logits_to_keep"] = 1
        out = self.model(input_ids=ids, **kwargs)
        cache = getattr(out, "cache", None) or out.past_key_values
        if hasattr(cache, "layers"):
            return [(layer.keys, layer.values) for layer in cache.layers]
        if hasattr(cache, "key_cache"):
            return list(zip(cache.key_cache, cache.value_cache, strict=True))
        return [(k, v) for k, v, *_ in cache]

    def _cache_for(self, prefix: list[tuple[Any, Any]], rows: int) -> Any:
        from transformers import DynamicCache

        try:
            cache = DynamicCache(config=self.model.config)
        except TypeError:  # transformers before 4.56
            cache = DynamicCache()
        for layer, (keys, values) in enumerate(prefix):
            shape = (rows, *keys.shape[1:])
            cache.update(keys.expand(shape), values.expand(shape), layer)
        return cache

    def _run(
        self, batch: list[_Row], prefix: list[tuple[Any, Any]] | None, sums: list[list[float]]
    ) -> None:
        torch = self._torch
        width = max(len(r.tokens) for r in batch)
        ids = torch.full((len(batch), width), self._pad, dtype=torch.long)
        for b, row in enumerate(batch):
            ids[b, : len(row.tokens)] = torch.tensor(row.tokens)
        reads = [(b, pos) for b, row in enumerate(batch) for pos in sorted(row.reads)]
        logits = self._logits(ids.to(self.device), reads, prefix)
        logprobs = torch.log_softmax(logits.float(), dim=-1)
        for n, (b, pos) in enumerate(reads):
            for token, item, choice in batch[b].reads[pos]:
                sums[item][choice] += float(logprobs[n, token])

    def _call(self, ids: Any, prefix: list[tuple[Any, Any]] | None, **kwargs: Any) -> Any:
        if prefix is not None:
            # A fresh cache per call: the model appends to the one it is given.
            kwargs[self._cache_arg] = self._cache_for(prefix, len(ids))
        return self.model(input_ids=ids, use_cache=prefix is not None, **kwargs).logits

    def _logits(
        self, ids: Any, reads: list[tuple[int, int]], prefix: list[tuple[Any, Any]] | None
    ) -> Any:
        """The logits at ``reads`` ((row, position) pairs), one row each, in that order."""
        torch = self._torch
        if self._keep == "mask":
            keep = torch.zeros(ids.shape, dtype=torch.bool, device=ids.device)
            for b, pos in reads:
                keep[b, pos] = True
            with contextlib.suppress(TypeError, RuntimeError, IndexError):
                logits = self._call(ids, prefix, logits_to_keep=keep)
                if logits.dim() == 2 and logits.shape[0] == len(reads):
                    return logits
            self._keep = "positions"  # this model's class slices differently; never ask again
        if self._keep == "positions":
            positions = sorted({pos for _, pos in reads})
            where = {pos: i for i, pos in enumerate(positions)}
            keep_t = torch.tensor(positions, device=ids.device)
            logits = self._call(ids, prefix, logits_to_keep=keep_t)
            return torch.stack([logits[b, where[pos]] for b, pos in reads])
        logits = self._call(ids, prefix)
        return torch.stack([logits[b, pos] for b, pos in reads])
