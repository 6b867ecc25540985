"""The optimizer and the learning-rate schedule.

AdamW with configurable betas, epsilon and weight decay; the fused kernel where torch has one for
the device (CUDA, and the CPU since torch 2.4), else the multi-tensor (``foreach``) one. Weight
decay skips biases and norm weights (every 1-D parameter), as is usual for transformers.

Schedules (the multiplier of the peak rate at optimizer step ``s`` of ``total``, with ``w``
warm-up steps): linear warm-up ``s / w``, then ``cosine`` ``0.5 (1 + cos(pi p))``, ``linear``
``1 - p`` or ``constant`` 1, where ``p = (s - w) / (total - w)``. These are transformers'
``get_*_schedule_with_warmup`` formulas, so a run here and one under its ``Trainer`` follow the
same rates (the first step of a warm-up runs at rate 0, as there).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

__all__ = ["build_optimizer", "build_scheduler", "lr_multiplier"]


def lr_multiplier(kind: str, warmup: int, total: int) -> Callable[[int], float]:
    """The schedule as a function of the optimizer step (0 for the first step)."""

    def rate(step: int) -> float:
        if step < warmup:
            return step / max(1, warmup)
        if kind == "constant":
            return 1.0
        progress = (step - warmup) / max(1, total - warmup)
        if kind == "linear":
            return max(0.0, 1.0 - progress)
        return max(0.0, 0.5 * (1.0 + math.cos(math.pi * progress)))

    return rate


def build_optimizer(
    named_params: list[tuple[str, Any]],
    *,
    lr: float,
    betas: tuple[float, float],
    eps: float,
    weight_decay: float,
    device: Any,
) -> Any:
    """AdamW over the parameters that require gradients."""
    import torch

    decay = [p for _, p in named_params if p.requires_grad and p.ndim >= 2]
    no_decay = [p for _, p in named_params if p.requires_grad and p.ndim < 2]
    groups = [
        {"params": decay, "weight_decay": weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ]
    groups = [g for g in groups if g["params"]]
    kwargs: dict[str, Any] = {"lr": lr, "betas": betas, "eps": eps}
    if device.type in ("cuda", "cpu"):
        try:
            return torch.optim.AdamW(groups, fused=True, **kwargs)
        except (RuntimeError, TypeError):  # no fused kernel for this build or dtype
            pass
    return torch.optim.AdamW(groups, foreach=True, **kwargs)


def build_scheduler(optimizer: Any, kind: str, warmup: int, total: int) -> Any:
    """A ``LambdaLR`` following :func:`lr_multiplier` (its state is one step counter)."""
    import torch

    return torch.optim.lr_scheduler.LambdaLR(optimizer, lr_multiplier(kind, warmup, total))
