"""Padding-free micro-batches: the samples of one micro-batch end to end in one row.

Positions restart at 0 for each sample, and that is how the model keeps samples apart: given
``position_ids`` (and no attention mask or cache), transformers finds the sample boundaries and
attends within each sample only (a block-diagonal mask for SDPA and flex attention, varlen
kernels for flash attention). Each sample's first label is ignored, so no sample is asked to
predict the next one's first token.

Only positions whose next token is learned are kept for the loss (``keep``): the model computes
logits for those alone (``logits_to_keep``), which skips the output layer for prompts and
system messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["MicroBatch", "TokenData", "collate"]

IGNORE = -100


@dataclass(frozen=True)
class TokenData:
    """The prepared dataset as flat arrays: sample ``k`` is ``[offsets[k]:offsets[k + 1]]``."""

    input_ids: npt.NDArray[np.int64]
    labels: npt.NDArray[np.int64]
    offsets: npt.NDArray[np.int64]

    @property
    def samples(self) -> int:
        """How many samples there are."""
        return len(self.offsets) - 1

    def lengths(self) -> npt.NDArray[np.int64]:
        """Tokens per sample."""
        import numpy as np

        return np.diff(self.offsets)


@dataclass(frozen=True)
class MicroBatch:
    """One micro-batch as tensors (batch dimension of one)."""

    input_ids: Any
    position_ids: Any
    #: Positions whose next token is learned (indices into the row, all below its length - 1).
    keep: Any
    #: The token each kept position must predict.
    targets: Any
    samples: int
    tokens: int
    #: Extra arguments of the forward: the sample boundaries (``cu_seq_lens_q``) for the
    #: attention that splits on them (:mod:`instructlab.train.attention`).
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def learned(self) -> int:
        """Tokens this micro-batch learns (its share of the step's loss denominator)."""
        return int(self.targets.shape[0])


def layout(
    data: TokenData, samples: list[int]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """``(input_ids, labels, position_ids)`` of ``samples`` end to end, each sample's first
    label ignored (numpy; the same layout as :func:`instructlab.train.packing.flatten`)."""
    import numpy as np

    starts = data.offsets[samples]
    ends = data.offsets[np.asarray(samples) + 1]
    ids = np.concatenate([data.input_ids[a:z] for a, z in zip(starts, ends, strict=True)])
    labels = np.concatenate([data.labels[a:z] for a, z in zip(starts, ends, strict=True)])
    lengths = ends - starts
    firsts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    labels[firsts] = IGNORE
    positions = np.arange(len(ids)) - np.repeat(firsts, lengths)
    return ids, labels, positions


def collate(
    data: TokenData, samples: list[int], device: Any, *, boundaries: bool = False
) -> MicroBatch:
    """The micro-batch of ``samples`` as tensors on ``device``; with ``boundaries``, the
    samples' cumulative lengths go along as ``cu_seq_lens_q``."""
    import numpy as np
    import torch

    ids, labels, positions = layout(data, samples)
    following = labels[1:]
    keep = np.flatnonzero(following != IGNORE)
    extra: dict[str, Any] = {}
    if boundaries:
        lengths = data.offsets[np.asarray(samples) + 1] - data.offsets[samples]
        cu = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
        extra["cu_seq_lens_q"] = torch.from_numpy(cu)
    return MicroBatch(
        input_ids=torch.from_numpy(ids).to(device).unsqueeze(0),
        position_ids=torch.from_numpy(positions).to(device).unsqueeze(0),
        keep=torch.from_numpy(keep).to(device),
        targets=torch.from_numpy(following[keep]).to(device),
        samples=len(samples),
        tokens=len(ids),
        extra=extra,
    )
