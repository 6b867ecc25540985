"""DeduplicateBlock and QualityFilterBlock: the Rust cleaning kernels as pipeline blocks.

Both need every row at once (dedup is global; the filters run in one batch), keep rows in input
order, and count each drop by its reason in the run report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from instructlab.errors import UsageError
from instructlab.sdg.block import Block, Row
from instructlab.sdg.errors import BlockConfigParserError
from instructlab.sdg.registry import BlockRegistry

if TYPE_CHECKING:
    from pathlib import Path

    from instructlab.sdg.context import PipelineContext
    from instructlab.sdg.runtime import BlockRun

__all__ = ["DeduplicateBlock", "QualityFilterBlock"]


@BlockRegistry.register("DeduplicateBlock")
class DeduplicateBlock(Block):
    """Drops rows that duplicate an earlier row over ``columns``: exactly (``threshold`` 1.0,
    after ``normalize``) or nearly (Jaccard similarity of ``ngram``-word shingles of the joined
    columns at or above ``threshold``, MinHash + LSH with verified candidates)."""

    whole_dataset: ClassVar[bool] = True

    def __init__(
        self,
        ctx: PipelineContext,
        config_dir: Path | None,
        block_name: str,
        columns: list[str],
        threshold: float = 1.0,
        normalize: str = "default",
        num_perm: int = 128,
        ngram: int = 5,
    ) -> None:
        super().__init__(ctx, config_dir, block_name)
        if not columns:
            raise BlockConfigParserError(f"{block_name}: columns must name at least one column")
        if not 0.0 < threshold <= 1.0:
            raise BlockConfigParserError(f"{block_name}: threshold {threshold} is not in (0, 1]")
        self.columns = list(columns)
        self.threshold = threshold
        self.normalize = normalize
        self.num_perm = num_perm
        self.ngram = ngram

    def columns_needed(self) -> set[str]:
        return set(self.columns)

    async def process(self, rows: list[Row], run: BlockRun) -> list[list[Row]]:
        from instructlab.clean.lists import as_text, first_occurrences, near_clusters

        texts = [[as_text(r.get(c)) for r in rows] for c in self.columns]
        if self.threshold >= 1.0:
            first = first_occurrences(texts, self.normalize)
            reason = f"duplicate {', '.join(self.columns)}"
        else:
            joined = ["\n".join(parts) for parts in zip(*texts, strict=True)]
            first = near_clusters(
                joined,
                self.threshold,
                num_perm=self.num_perm,
                ngram=self.ngram,
                normalize=self.normalize,
            )
            reason = f"near duplicate {', '.join(self.columns)} (>= {self.threshold})"
        out: list[list[Row]] = []
        for i, row in enumerate(rows):
            if first[i] == i:
                out.append([row])
            else:
                run.drop(reason)
                out.append([])
        return out


@BlockRegistry.register("QualityFilterBlock")
class QualityFilterBlock(Block):
    """Drops low-quality rows of ``column`` (an answer, a document) with the quality filters'
    reason; ``question_column`` enables the echo check. ``preset`` is ``default`` (generated
    answers) or ``gopher``; ``settings`` overrides single thresholds (null switches one off)."""

    whole_dataset: ClassVar[bool] = True

    def __init__(
        self,
        ctx: PipelineContext,
        config_dir: Path | None,
        block_name: str,
        column: str,
        question_column: str | None = None,
        preset: str = "default",
        settings: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(ctx, config_dir, block_name)
        from instructlab.clean.lists import quality_reasons

        try:  # settle bad presets and settings when the pipeline is built, not mid-run
            quality_reasons(["x"], preset=preset, settings=settings)
        except (UsageError, TypeError) as err:
            raise BlockConfigParserError(f"{block_name}: {err}") from err
        self.column = column
        self.question_column = question_column
        self.preset = preset
        self.settings = settings

    def columns_needed(self) -> set[str]:
        return {self.column} | ({self.question_column} if self.question_column else set())

    async def process(self, rows: list[Row], run: BlockRun) -> list[list[Row]]:
        from instructlab.clean.lists import as_text, quality_reasons

        texts = [as_text(r.get(self.column)) for r in rows]
        questions = (
            [as_text(r.get(self.question_column)) for r in rows] if self.question_column else None
        )
        reasons = quality_reasons(texts, questions, preset=self.preset, settings=self.settings)
        out: list[list[Row]] = []
        for row, reason in zip(rows, reasons, strict=True):
            if reason is None:
                out.append([row])
            else:
                run.drop(f"quality: {reason}")
                out.append([])
        return out
