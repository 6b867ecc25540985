"""The loss: summed token cross-entropy over the learned tokens, divided by the learned tokens of
the whole optimizer step (an exact token mean over the step, however its samples were split into
micro-batches: instructlab-training's definition since 0.16).

Logits are computed only for positions whose next token is learned (``logits_to_keep`` with the
positions, which every transformers causal LM of the current families accepts); the model applies
its own output scaling and soft-capping to them, so the loss is the model's. SmolLM2's tied
49k-token output layer is about a fifth of its FLOPs; prompts and system messages skip it.

When a micro-batch learns many tokens, their logits alone take gigabytes (4,000 learned tokens x
49,152 vocabulary x 4 bytes = 786 MB, three times over with the softmax and its gradient). For
models whose output layer is a plain linear map (the families :mod:`instructlab.train.attention`
handles), the loss then goes through the output layer in chunks of positions whose logits are
recomputed in the backward pass instead of kept: at most one chunk's logits exist at a time, for
one more pass of the output layer.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

from instructlab.train.collate import MicroBatch

__all__ = ["CHUNK_ABOVE_BYTES", "CHUNK_POSITIONS", "summed_loss"]

#: Positions per chunk of the output layer when the logits would be big.
CHUNK_POSITIONS = 1024
#: Logit bytes above which the output layer goes chunk by chunk.
CHUNK_ABOVE_BYTES = 512 * 2**20
#: Model types whose logits are ``lm_head(hidden)`` (granite's divided by ``logits_scaling``).
_PLAIN_HEAD = frozenset(
    {"llama", "mistral", "qwen2", "qwen3", "granite", "phi3", "olmo", "olmo2", "smollm3"}
)


@functools.cache
def _takes_logits_to_keep(forward: Any) -> bool:
    try:
        params = inspect.signature(forward).parameters
    except (TypeError, ValueError):
        return False
    return "logits_to_keep" in params


def _inner(model: Any) -> Any:
    """The model under any wrapper (peft keeps it in ``get_base_model``)."""
    return model.get_base_model() if hasattr(model, "get_base_model") else model


def _plain_head(model: Any) -> tuple[Any, Any, float] | None:
    """``(backbone, output layer, scale)`` when the logits are ``scale * head(backbone(...))``."""
    inner = _inner(model)
    config = inner.config
    if config.model_type not in _PLAIN_HEAD or getattr(config, "final_logit_softcapping", None):
        return None
    backbone = getattr(inner, "model", None)
    head = inner.get_output_embeddings()
    if backbone is None or head is None:
        return None
    scaling = getattr(config, "logits_scaling", None)
    return backbone, head, 1.0 / scaling if scaling else 1.0


def _head_loss(hidden: Any, weight: Any, bias: Any, targets: Any, scale: float) -> Any:
    import torch.nn.functional as F

    logits = F.linear(hidden, weight, bias)
    if scale != 1.0:
        logits = logits * scale
    return F.cross_entropy(logits.float(), targets, reduction="sum")


def summed_loss(
    model: Any,
    batch: MicroBatch,
    *,
    chunk: int = CHUNK_POSITIONS,
    chunk_above: int = CHUNK_ABOVE_BYTES,
) -> Any:
    """The summed cross-entropy of ``batch``'s learned tokens (a 0-d fp32 tensor); the output
    layer goes ``chunk`` positions at a time when the logits would take more than
    ``chunk_above`` bytes (plain output layers only)."""
    import torch.nn.functional as F

    kwargs: dict[str, Any] = {
        "input_ids": batch.input_ids,
        "position_ids": batch.position_ids,
        "use_cache": False,
        **batch.extra,
    }
    plain = _plain_head(model)
    if plain is not None:
        backbone, head, scale = plain
        if batch.learned * head.weight.shape[0] * 4 > chunk_above:
            return _chunked(backbone, head, scale, kwargs, batch, chunk)
    if _takes_logits_to_keep(type(_inner(model)).forward):
        logits = model(**kwargs, logits_to_keep=batch.keep).logits[0]
    else:  # older remote code: all logits, then the learned positions
        logits = model(**kwargs).logits[0, batch.keep]
    return F.cross_entropy(logits.float(), batch.targets, reduction="sum")


def _chunked(
    backbone: Any, head: Any, scale: float, kwargs: dict[str, Any], batch: MicroBatch, chunk: int
) -> Any:
    from torch.utils.checkpoint import checkpoint

    hidden = backbone(**kwargs).last_hidden_state[0, batch.keep]
    total: Any = None
    for start in range(0, batch.learned, chunk):
        part = checkpoint(
            _head_loss,
            hidden[start : start + chunk],
            head.weight,
            head.bias,
            batch.targets[start : start + chunk],
            scale,
            use_reentrant=False,
        )
        total = part if total is None else total + part
    return total
