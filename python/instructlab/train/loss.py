"""The loss: summed token cross-entropy over the learned tokens, divided by the learned tokens of
the whole optimizer step (an exact token mean over the step, however its samples were split into
micro-batches: instructlab-training's definition since 0.16).

Logits are computed only for positions whose next token is learned (``logits_to_keep`` with the
positions, which every transformers causal LM of the current families accepts); the model applies
its own output scaling and soft-capping to them, so the loss is the model's. SmolLM2's tied
49k-token output layer is about a fifth of its FLOPs; prompts and system messages skip it.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

from instructlab.train.collate import MicroBatch

__all__ = ["summed_loss"]


@functools.cache
def _takes_logits_to_keep(forward: Any) -> bool:
    try:
        params = inspect.signature(forward).parameters
    except (TypeError, ValueError):
        return False
    return "logits_to_keep" in params


def _base_forward(model: Any) -> Any:
    """The forward of the model under any wrapper (peft keeps it in ``get_base_model``)."""
    inner = model.get_base_model() if hasattr(model, "get_base_model") else model
    return type(inner).forward


def summed_loss(model: Any, batch: MicroBatch) -> Any:
    """The summed cross-entropy of ``batch``'s learned tokens (a 0-d fp32 tensor)."""
    import torch.nn.functional as F

    kwargs: dict[str, Any] = {
        "input_ids": batch.input_ids,
        "position_ids": batch.position_ids,
        "use_cache": False,
        **batch.extra,
    }
    if _takes_logits_to_keep(_base_forward(model)):
        logits = model(**kwargs, logits_to_keep=batch.keep).logits[0]
    else:  # older remote code: all logits, then the learned positions
        logits = model(**kwargs).logits[0, batch.keep]
    return F.cross_entropy(logits.float(), batch.targets, reduction="sum")
