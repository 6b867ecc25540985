"""Quality filters with a reason for every dropped row."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from instructlab import _native
from instructlab.clean._deps import require, text_column


@dataclass(frozen=True)
class FilterResult:
    """One reason code per row (0 = kept) and the name of each code."""

    codes: Any  # numpy uint8 array
    names: tuple[str | None, ...]

    @property
    def keep(self) -> Any:
        """A boolean numpy mask of the rows that passed every check."""
        return self.codes == 0

    def reason(self, row: int) -> str | None:
        """Why ``row`` was dropped, or None when it was kept."""
        return self.names[int(self.codes[row])]

    def counts(self) -> dict[str, int]:
        """Dropped rows per reason, most frequent first."""
        counts = Counter(int(c) for c in self.codes if c)
        return {str(self.names[c]): n for c, n in counts.most_common()}


def filter_settings(preset: str = "default", **overrides: Any) -> dict[str, Any]:
    """Every threshold of ``preset`` (``default`` for generated answers, ``gopher`` for web-style
    documents) with ``overrides`` applied; ``None`` switches a check off."""
    return dict(_native.filter_config(preset, overrides or None))


def quality_filter(
    column: Any,
    questions: Any | None = None,
    *,
    preset: str = "default",
    tokenizer: Callable[[str], Sequence[int]] | None = None,
    token_counts: Sequence[int] | None = None,
    **overrides: Any,
) -> FilterResult:
    """Checks each text (an answer, a document) and returns a reason per dropped row.

    ``questions`` (one per row) enables the echo check. ``tokenizer`` (e.g. a tokenizer's
    ``encode``) or ``token_counts`` enable the ``min_tokens``/``max_tokens`` bounds.
    """
    np = require("numpy")
    column = text_column(column)
    if tokenizer is not None and token_counts is None:
        texts = column if isinstance(column, list) else column.to_pylist()
        token_counts = [len(tokenizer(t or "")) for t in texts]
    raw = _native.quality_filter(
        column,
        None if questions is None else text_column(questions),
        None if token_counts is None else [int(t) for t in token_counts],
        preset,
        overrides or None,
    )
    return FilterResult(np.frombuffer(raw, dtype=np.uint8), tuple(_native.filter_reasons()))
