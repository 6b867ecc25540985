"""The SDK's `Data`: generate, mix, clean and list training data."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from instructlab.config import Config as ConfigModel
from instructlab.core._base import ConfiguredBase
from instructlab.core._pending import not_yet

if TYPE_CHECKING:
    from instructlab.clean import CleanResult


class Data(ConfiguredBase):
    """Synthetic data and its clean-up (v1alpha1). Defaults come from the ``generate`` section."""

    def __init__(
        self,
        taxonomy_path: str | Path | None = None,
        teacher_model: str | None = None,
        output_dir: str | Path | None = None,
        configuration: ConfigModel | str | Path | None = None,
    ) -> None:
        super().__init__(configuration)
        self.taxonomy_path = taxonomy_path
        self.teacher_model = teacher_model
        self.output_dir = output_dir

    def ingest(self, documents: list[str | Path], chunk_word_count: int | None = None) -> Any:
        """Converts knowledge documents to text and chunks them for the teacher."""
        raise not_yet("Data.ingest")

    def generate_data(
        self,
        pipeline: str | None = None,
        endpoint_url: str | None = None,
        sdg_scale_factor: int | None = None,
        dry_run: bool = False,
    ) -> Any:
        """Runs synthetic data generation over the changed leaves and mixes the result."""
        raise not_yet("Data.generate_data")

    def mix(self, recipe: str | Path, output_dir: str | Path | None = None) -> Any:
        """Mixes data sets according to a recipe file."""
        raise not_yet("Data.mix")

    def list(self) -> Any:
        """Generation runs with their files and row counts."""
        raise not_yet("Data.list")

    def dedup(
        self,
        data: Any,
        columns: builtins.list[str] | None = None,
        threshold: float = 1.0,
        *,
        normalize: str = "default",
        num_perm: int = 128,
        ngram: int = 5,
        output: str | Path | None = None,
        report: str | Path | None = None,
    ) -> CleanResult:
        """Removes exact (threshold 1.0) or near duplicates, keeping the first in input order.

        ``data`` is a JSONL/Parquet path, a pyarrow Table, a ``datasets.Dataset`` or a list of
        dicts; ``columns`` default to the question/answer text (or ``text``). Below 1.0,
        ``threshold`` is the Jaccard similarity of ``ngram``-word shingles (MinHash + LSH with
        ``num_perm`` permutations, candidates verified exactly). With ``output`` the kept rows
        are written there and the report beside them (or to ``report``).
        """
        from instructlab.clean import dedup_rows

        return dedup_rows(
            data,
            columns,
            threshold,
            normalize=normalize,
            num_perm=num_perm,
            ngram=ngram,
            output=_path(output),
            report_path=_path(report),
        )

    def filter(
        self,
        data: Any,
        columns: builtins.list[str] | None = None,
        *,
        question_column: str | None = None,
        preset: str = "default",
        settings: dict[str, Any] | None = None,
        tokenizer: Callable[[str], Sequence[int]] | None = None,
        output: str | Path | None = None,
        report: str | Path | None = None,
    ) -> CleanResult:
        """Drops low-quality rows, with a reason for every drop.

        ``preset`` is ``default`` (generated answers) or ``gopher`` (web-style documents);
        ``settings`` overrides single thresholds (``None`` switches a check off); a
        ``tokenizer`` (e.g. ``tok.encode``) enables ``min_tokens``/``max_tokens``.
        """
        from instructlab.clean import filter_rows

        return filter_rows(
            data,
            columns,
            question_column=question_column,
            preset=preset,
            settings=settings,
            tokenizer=tokenizer,
            output=_path(output),
            report_path=_path(report),
        )

    def decontaminate(
        self,
        data: Any,
        references: Any,
        ngram: int = 13,
        *,
        columns: builtins.list[str] | None = None,
        threshold: float = 0.0,
        output: str | Path | None = None,
        report: str | Path | None = None,
    ) -> CleanResult:
        """Drops training rows whose question/answer text shares ``ngram``-word n-grams with the
        references (evaluation questions, held-out seed examples): a list of texts, a qna.yaml,
        a taxonomy folder, or a JSONL/Parquet file. Document/context passages are never
        compared. A row goes when more than ``threshold`` of its n-grams match (default: any).
        """
        from instructlab.clean import decontaminate_rows

        return decontaminate_rows(
            data,
            references,
            ngram,
            columns=columns,
            threshold=threshold,
            output=_path(output),
            report_path=_path(report),
        )


def _path(value: str | Path | None) -> Path | None:
    return None if value is None else Path(value)
