"""The kernels on plain Python lists, with plain Python results (no numpy, no Arrow): for
callers such as the SDG engine, whose rows are dicts."""

from __future__ import annotations

import json
import sys
from array import array
from collections.abc import Sequence
from typing import Any

from instructlab import _native


def as_text(value: Any) -> str:
    """A cell as text for comparison: strings as they are, anything else as sorted JSON (with a
    marker, so the string ``"1"`` and the number ``1`` stay different)."""
    if isinstance(value, str):
        return value
    return "\x00" + json.dumps(value, sort_keys=True, default=str)


def _uint32(raw: bytes) -> list[int]:
    values = array("I", raw)
    if sys.byteorder == "big":
        values.byteswap()
    return values.tolist()


def first_occurrences(columns: Sequence[Sequence[str]], normalize: str = "raw") -> list[int]:
    """For each row, the index of the first row equal to it in every column."""
    return _uint32(_native.exact_dedup([list(c) for c in columns], normalize))


def near_clusters(
    texts: Sequence[str],
    threshold: float = 0.8,
    *,
    num_perm: int = 128,
    ngram: int = 5,
    normalize: str = "default",
) -> list[int]:
    """For each row, the index of the first row of its near-duplicate cluster."""
    raw, _stats = _native.near_dedup(list(texts), threshold, num_perm, ngram, "words", normalize)
    return _uint32(raw)


def quality_reasons(
    texts: Sequence[str],
    questions: Sequence[str] | None = None,
    *,
    preset: str = "default",
    settings: dict[str, Any] | None = None,
) -> list[str | None]:
    """For each row, why the quality filters drop it, or None when it passes."""
    names = _native.filter_reasons()
    raw = _native.quality_filter(
        list(texts), None if questions is None else list(questions), None, preset, settings
    )
    return [names[c] for c in raw]


def reference_overlaps(
    columns: Sequence[Sequence[str]],
    references: Sequence[str],
    *,
    ngram: int = 13,
    threshold: float = 0.0,
    normalize: str = "aggressive",
) -> list[int]:
    """For each row, the index of the first reference it overlaps (more than ``threshold`` of
    its pooled ``ngram``-word n-grams found in a reference), or -1 when it does not.

    Pass only question and answer text, never document or context passages."""
    overlap_raw, matched_raw = _native.decontaminate(
        [list(c) for c in columns], list(references), ngram, threshold, normalize
    )
    overlaps = array("f", overlap_raw)
    matched = array("q", matched_raw)
    if sys.byteorder == "big":
        overlaps.byteswap()
        matched.byteswap()
    return [int(m) if o > threshold else -1 for o, m in zip(overlaps, matched, strict=True)]
