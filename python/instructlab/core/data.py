"""The SDK's `Data`: generate, mix, clean and list training data."""

from __future__ import annotations

import builtins
from pathlib import Path
from typing import TYPE_CHECKING, Any

from instructlab.config import Config as ConfigModel
from instructlab.core._base import ConfiguredBase
from instructlab.core._pending import not_yet

if TYPE_CHECKING:
    from instructlab.sdg.documents import IngestedDocument
    from instructlab.sdg.listing import DataRun
    from instructlab.sdg.recipes import MixResult


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

    def ingest(
        self,
        documents: builtins.list[str | Path],
        chunk_word_count: int | None = None,
        server_ctx_size: int | None = None,
        output_dir: str | Path | None = None,
    ) -> builtins.list[IngestedDocument]:
        """Converts knowledge documents (Markdown, text, PDF) to text chunks for the teacher.

        Chunks hold at most ``chunk_word_count`` words (default: ``generate.chunk_word_count``),
        fewer when ``server_ctx_size`` (tokens) would not leave room for the prompt and answer.
        With ``output_dir``, each document's chunks are also written there as
        ``<name>.chunks.jsonl`` (``source``, ``chunk``, ``document`` per line).
        """
        from instructlab.sdg.documents import ingest_documents
        from instructlab.sdg.jsonl import write_jsonl

        words = chunk_word_count or self.configuration.generate.chunk_word_count
        results = ingest_documents(documents, words, server_ctx_size)
        if output_dir is not None:
            for doc in results:
                write_jsonl(
                    Path(output_dir) / f"{doc.source.name}.chunks.jsonl",
                    (
                        {"source": str(doc.source), "chunk": index, "document": text}
                        for index, text in enumerate(doc.chunks)
                    ),
                )
        return results

    def generate_data(
        self,
        pipeline: str | None = None,
        endpoint_url: str | None = None,
        sdg_scale_factor: int | None = None,
        dry_run: bool = False,
    ) -> Any:
        """Runs synthetic data generation over the changed leaves and mixes the result."""
        raise not_yet("Data.generate_data")

    def mix(
        self,
        recipe: str | Path,
        output_dir: str | Path | None = None,
        system_prompt: str | None = None,
    ) -> MixResult:
        """Mixes the data sets of a recipe into one training JSONL file.

        ``recipe`` is a recipe file, or the name of a default recipe shipped in the XDG data
        dirs (``knowledge``, ``skills``: ``$XDG_DATA_DIRS/instructlab/sdg/default_data_recipes``).
        The output goes to ``output_dir`` (default: the recipe's folder), named after the recipe
        (``skills_recipe_X.yaml`` -> ``skills_train_msgs_X.jsonl``). The system prompt is
        ``system_prompt``, else ``generate.system_prompt``, else the recipe's.
        """
        from instructlab.sdg.recipes import Recipe, find_recipe, mix_recipe, mixed_output_name

        path = find_recipe(recipe)
        loaded = Recipe.load(path)
        prompt = system_prompt
        if prompt is None:
            prompt = self.configuration.generate.system_prompt
        target = Path(output_dir) if output_dir is not None else path.parent
        return mix_recipe(loaded, target / mixed_output_name(path), prompt)

    def list(self) -> builtins.list[DataRun]:
        """Generation runs in the output folder, newest first, with files and row counts."""
        from instructlab.sdg.listing import list_runs

        folder = self.output_dir or self.configuration.generate.output_dir
        return list_runs(Path(folder).expanduser())

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
