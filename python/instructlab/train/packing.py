"""The packing plan, in Python: micro-batches per step and rank, and their padding-free layout.

The plan itself is made in Rust (``instructlab._native.plan_packing``); this module gives it numpy
arrays and a readable shape. numpy is imported when a plan is made, not when this module is.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from instructlab import _native

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["PackedMicroBatch", "PackingPlan", "plan_packing"]


@dataclass(frozen=True)
class PackedMicroBatch:
    """One micro-batch laid out without padding (batch dimension of one)."""

    input_ids: list[int]
    labels: list[int]
    position_ids: list[int]
    cu_seqlens: list[int]


@dataclass(frozen=True)
class PackingPlan:
    """Which samples each rank trains on at each micro-step of each step.

    Micro-batch ``b`` holds ``samples[starts[b]:starts[b + 1]]`` and runs at ``step[b]``,
    micro-step ``micro[b]``, on ``rank[b]``; micro-batches are ordered by (step, micro, rank).
    """

    samples: npt.NDArray[np.uint32]
    starts: npt.NDArray[np.uint64]
    step: npt.NDArray[np.uint32]
    micro: npt.NDArray[np.uint32]
    rank: npt.NDArray[np.uint32]
    tokens: npt.NDArray[np.uint64]
    stats: dict[str, Any]
    token_budget: int
    ranks: int
    effective_batch_size: int
    seed: int | None

    def micro_batches(self, rank: int) -> Iterator[tuple[int, int, list[int]]]:
        """``(step, micro-step, sample indices)`` of every micro-batch ``rank`` runs, in order."""
        for b in range(len(self.tokens)):
            if int(self.rank[b]) == rank:
                a, z = int(self.starts[b]), int(self.starts[b + 1])
                yield int(self.step[b]), int(self.micro[b]), self.samples[a:z].tolist()


def plan_packing(
    lengths: npt.ArrayLike,
    token_budget: int,
    ranks: int = 1,
    effective_batch_size: int = 64,
    seed: int | None = 42,
    regroup: bool = True,
) -> PackingPlan:
    """Plans micro-batches of at most ``token_budget`` tokens for ``ranks`` ranks, with exactly
    ``effective_batch_size`` samples per step (the last step takes what is left).

    With ``regroup``, neighbouring steps may trade a long sample for a short one where that saves
    a micro-step (each sample stays within one step of its shuffled place); ``stats`` reports how
    many samples moved (``regrouped``) and the best fill possible for the steps (``fill_bound``).
    """
    import numpy as np

    raw = np.ascontiguousarray(lengths, dtype="<u4").tobytes()
    out = _native.plan_packing(raw, token_budget, ranks, effective_batch_size, seed, regroup)
    return PackingPlan(
        samples=np.frombuffer(out["samples"], dtype="<u4"),
        starts=np.frombuffer(out["starts"], dtype="<u8"),
        step=np.frombuffer(out["step"], dtype="<u4"),
        micro=np.frombuffer(out["micro"], dtype="<u4"),
        rank=np.frombuffer(out["rank"], dtype="<u4"),
        tokens=np.frombuffer(out["tokens"], dtype="<u8"),
        stats=dict(out["stats"]),
        token_budget=token_budget,
        ranks=ranks,
        effective_batch_size=effective_batch_size,
        seed=seed,
    )


def flatten(
    input_ids: npt.NDArray[np.uint32],
    labels: npt.NDArray[np.int32],
    offsets: npt.NDArray[np.uint64],
    samples: list[int],
) -> PackedMicroBatch:
    """Concatenates ``samples`` (sample ``k`` is ``input_ids[offsets[k]:offsets[k + 1]]``) with
    positions restarting per sample and each sample's first label ignored."""
    import numpy as np

    ids, labs, pos, cu = _native.flatten_packed(
        np.ascontiguousarray(input_ids, dtype="<u4").tobytes(),
        np.ascontiguousarray(labels, dtype="<i4").tobytes(),
        np.ascontiguousarray(offsets, dtype="<u8").tobytes(),
        samples,
    )
    return PackedMicroBatch(ids, labs, pos, cu)
