"""Exact and near-duplicate detection over text columns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from instructlab import _native
from instructlab.clean._deps import require, text_column


@dataclass(frozen=True)
class DedupResult:
    """Per-row cluster ids: ``cluster[i]`` is the index of the first row of row ``i``'s group."""

    cluster: Any  # numpy uint32 array
    stats: dict[str, int] = field(default_factory=dict)

    @property
    def keep(self) -> Any:
        """A boolean numpy mask: the first row of each group."""
        np = require("numpy")
        return self.cluster == np.arange(len(self.cluster), dtype=np.uint32)

    @property
    def duplicates(self) -> int:
        """How many rows are dropped."""
        return int(len(self.cluster) - int(self.keep.sum()))


def exact_duplicates(columns: Sequence[Any], normalize: str = "default") -> DedupResult:
    """Groups rows equal in every column after ``normalize`` (``raw``, ``default``,
    ``aggressive`` or ``nfkc+lowercase+whitespace+punctuation``); the first row is kept."""
    np = require("numpy")
    raw = _native.exact_dedup([text_column(c) for c in columns], normalize)
    return DedupResult(np.frombuffer(raw, dtype="<u4").astype(np.uint32, copy=False))


def near_duplicates(
    column: Any,
    threshold: float = 0.8,
    *,
    num_perm: int = 128,
    ngram: int = 5,
    shingle: str = "words",
    normalize: str = "default",
    bands: tuple[int, int] | None = None,
    seed: int = 1,
    memory_budget: int = 1 << 30,
    spill_dir: str | Path | None = None,
) -> DedupResult:
    """Clusters rows whose shingle sets have Jaccard similarity >= ``threshold``.

    MinHash (``num_perm`` permutations) + LSH (bands x rows chosen from the threshold unless
    given) finds candidates; each candidate pair is verified against its exact Jaccard
    similarity. The first row of each cluster in input order is kept, with any number of
    threads. Band keys spill to ``spill_dir`` past ``memory_budget`` bytes.
    """
    np = require("numpy")
    raw, stats = _native.near_dedup(
        text_column(column),
        threshold,
        num_perm,
        ngram,
        shingle,
        normalize,
        bands,
        seed,
        memory_budget,
        None if spill_dir is None else str(spill_dir),
    )
    return DedupResult(np.frombuffer(raw, dtype="<u4").astype(np.uint32, copy=False), stats)
