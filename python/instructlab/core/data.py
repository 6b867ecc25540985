"""The SDK's `Data`: generate, mix, clean and list training data."""

from __future__ import annotations

import builtins
from pathlib import Path
from typing import Any

from instructlab.config import Config as ConfigModel
from instructlab.core._base import ConfiguredBase
from instructlab.core._pending import not_yet


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
        self, data: Any, columns: builtins.list[str] | None = None, threshold: float = 1.0
    ) -> Any:
        """Removes exact (threshold 1.0) or near duplicates, keeping the first in input order."""
        raise not_yet("Data.dedup")

    def filter(self, data: Any, columns: builtins.list[str] | None = None) -> Any:
        """Drops low-quality rows, with a reason for every drop."""
        raise not_yet("Data.filter")

    def decontaminate(self, data: Any, references: Any, ngram: int = 13) -> Any:
        """Drops training rows that overlap evaluation questions."""
        raise not_yet("Data.decontaminate")
