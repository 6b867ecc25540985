"""Variable-length attention without a mask: each sample of a padding-free micro-batch attends
within itself, one causal SDPA call per sample.

transformers' SDPA path keeps packed samples apart with a block-diagonal mask over the whole
micro-batch: it builds a T x T mask per forward and computes every block, also the ones the mask
throws away (with 8 samples, 7/8 of the attention FLOPs). Here the samples' boundaries
(``cu_seq_lens_q``, passed with the batch) split the queries, keys and values, and each sample
runs causal SDPA alone (torch's flash kernel on the CPU); no mask is built. The result is the
same as the samples run one by one.

It is used where it is exact: architectures whose attention is plain causal softmax attention
(no soft-capping, no sliding window shorter than the samples, no attention sinks). Others keep
transformers' SDPA with the block-diagonal mask; on CUDA with flash-attn installed, its varlen
kernels are used instead.
"""

from __future__ import annotations

import functools
import itertools
from typing import Any

__all__ = ["NAME", "register", "supports"]

#: The attention implementation's name in transformers' registry.
NAME = "instructlab_varlen"

#: Model types whose attention is plain causal softmax attention over the whole sample.
_PLAIN = frozenset(
    {"llama", "mistral", "qwen2", "qwen3", "granite", "phi3", "olmo", "olmo2", "smollm3", "gemma"}
)


def supports(config: Any, longest_sample: int) -> bool:
    """Whether this attention computes exactly what the model's own does for samples up to
    ``longest_sample`` tokens."""
    if getattr(config, "model_type", None) not in _PLAIN:
        return False
    for name in ("attn_logit_softcapping", "final_logit_softcapping_attention"):
        if getattr(config, name, None):
            return False
    window = getattr(config, "sliding_window", None)
    uses_window = getattr(config, "use_sliding_window", True)
    return not (window and uses_window and window < longest_sample)


def _attend(
    module: Any,
    query: Any,
    key: Any,
    value: Any,
    attention_mask: Any,
    scaling: float | None = None,
    dropout: float = 0.0,
    **kwargs: Any,
) -> tuple[Any, None]:
    import torch
    import torch.nn.functional as F

    groups = query.shape[1] // key.shape[1]
    if groups > 1:
        key = key.repeat_interleave(groups, dim=1)
        value = value.repeat_interleave(groups, dim=1)
    p = dropout if module.training else 0.0
    bounds = kwargs.get("cu_seq_lens_q")
    if bounds is None:
        out = F.scaled_dot_product_attention(
            query, key, value, is_causal=True, dropout_p=p, scale=scaling
        )
    else:
        cuts = bounds.tolist() if isinstance(bounds, torch.Tensor) else list(bounds)
        pieces = [
            F.scaled_dot_product_attention(
                query[:, :, a:z],
                key[:, :, a:z],
                value[:, :, a:z],
                is_causal=True,
                dropout_p=p,
                scale=scaling,
            )
            for a, z in itertools.pairwise(cuts)
        ]
        out = pieces[0] if len(pieces) == 1 else torch.cat(pieces, dim=2)
    return out.transpose(1, 2).contiguous(), None


@functools.cache
def register() -> str:
    """Registers the attention with transformers (once); returns its name."""
    from transformers import AttentionInterface

    AttentionInterface.register(NAME, _attend)
    return NAME
