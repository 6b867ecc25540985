"""The SDK's `Data`: generate, mix, clean and list training data."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, overload

from instructlab.core._base import ConfiguredBase
from instructlab.core._checked import Ge, Gt, Le, Lt, Positive, check_fields, checked
from instructlab.errors import FileError
from instructlab.sdg.options import GenerateOptions

if TYPE_CHECKING:
    from instructlab.clean import CleanResult
    from instructlab.config import Config as ConfigModel
    from instructlab.core.data_types import (
        DataRun,
        FoundPipeline,
        GenerateEvent,
        GenerateResult,
        MixResult,
        ProcessRecord,
    )
    from instructlab.documents import IngestedDocument


class Data(ConfiguredBase):
    """Synthetic data and its clean-up (v1alpha1). Defaults come from the ``generate`` section."""

    @checked
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

    @checked
    def ingest(
        self,
        documents: builtins.list[str | Path],
        chunk_word_count: Positive | None = None,
        server_ctx_size: Positive | None = None,
        output_dir: str | Path | None = None,
    ) -> builtins.list[IngestedDocument]:
        """Converts knowledge documents to text chunks for the teacher: Markdown and text with
        the base install; PDF (text layer), HTML, DOCX and PPTX with the ``rag`` extra, read
        by the same conversion as ``RAG.convert`` (:func:`instructlab.documents.read_document`).

        Chunks hold at most ``chunk_word_count`` words (default: ``generate.chunk_word_count``),
        fewer when ``server_ctx_size`` (tokens) would not leave room for the prompt and answer.
        With ``output_dir``, each document's chunks are also written there as
        ``<name>.chunks.jsonl`` (``source``, ``chunk``, ``document`` per line). A folder stands
        for the supported documents under it.
        """
        from instructlab.documents import SUPPORTED_SUFFIXES, ingest_documents
        from instructlab.fileio import write_jsonl

        words = chunk_word_count
        if words is None:
            words = self.configuration.generate.chunk_word_count
        paths: builtins.list[str | Path] = []
        for item in documents:
            if not Path(item).is_dir():
                paths.append(item)
                continue
            found = sorted(
                p for p in Path(item).rglob("*") if p.suffix.lower() in SUPPORTED_SUFFIXES
            )
            if not found:
                kinds = ", ".join(sorted(SUPPORTED_SUFFIXES))
                raise FileError(str(item), f"holds no documents (supported: {kinds})")
            paths.extend(found)
        results = ingest_documents(paths, words, server_ctx_size)
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

    @overload
    def generate_data(
        self,
        options: GenerateOptions | None = None,
        *,
        on_event: Callable[[GenerateEvent], None] | None = None,
        detached: Literal[False] = False,
    ) -> GenerateResult: ...

    @overload
    def generate_data(
        self,
        options: GenerateOptions | None = None,
        *,
        on_event: Callable[[GenerateEvent], None] | None = None,
        detached: Literal[True],
    ) -> ProcessRecord: ...

    @checked
    def generate_data(
        self,
        options: GenerateOptions | None = None,
        *,
        on_event: Callable[[GenerateEvent], None] | None = None,
        detached: bool = False,
    ) -> GenerateResult | ProcessRecord:
        """Runs synthetic data generation over the changed leaves and mixes the result.

        ``options`` (a :class:`~instructlab.core.GenerateOptions`; None: all defaults) are
        checked here, every field against its annotation; ``taxonomy_path``, ``model`` and
        ``output_dir`` left ``None`` there come from this object's constructor, then from the
        ``generate`` section of the configuration. Without ``endpoint_url`` the embedded
        teacher is started (and stopped) here.

        Returns a :class:`~instructlab.core.GenerateResult` (with ``dry_run``: only its
        estimate); raises :class:`~instructlab.core.GenerationIncomplete` (holding the
        result) when a leaf yields no training rows. ``on_event`` hears the run's events
        (:data:`~instructlab.core.GenerateEvent`: shards started, their progress and finish,
        the teacher's counters) as they happen, in the calling thread.

        With ``detached``, the run goes to the background, tracked by ``ilab process``, and
        its :class:`~instructlab.core.ProcessRecord` is returned: the options reach it
        as a JSON file (secrets through its environment), and a configuration given as a
        ``Config`` object is written to a file; both are readable by you only (mode 0600,
        beside the process log).
        """
        given = check_fields(
            (options or GenerateOptions()).with_defaults(
                taxonomy_path=_path(self.taxonomy_path),
                model=self.teacher_model,
                output_dir=_path(self.output_dir),
            )
        )
        if given.endpoint_url is not None:
            from instructlab.llm.url import check_url

            check_url(given.endpoint_url)
        if detached:
            from instructlab.core._detached import launch_generate

            return launch_generate(self._given, given)
        from instructlab.sdg.generate import generate

        return generate(self.configuration, given, on_event)

    @checked
    def list_pipelines(self) -> builtins.list[FoundPipeline]:
        """Pipelines ``GenerateOptions(pipeline=NAME)`` can name: built-in, user and system."""
        from instructlab.sdg.discovery import list_pipelines

        return list_pipelines()

    @checked
    def mix(
        self,
        recipe: str | Path,
        output_dir: str | Path | None = None,
        system_prompt: str | None = None,
        *,
        dedup: bool = True,
        test_set: str | Path | None = None,
    ) -> MixResult:
        """Mixes the data sets of a recipe into one training JSONL file.

        ``recipe`` is a recipe file, or the name of a default recipe shipped in the XDG data
        dirs (``knowledge``, ``skills``: ``$XDG_DATA_DIRS/instructlab/sdg/default_data_recipes``).
        The output goes to ``output_dir`` (default: the recipe's folder), named after the recipe
        (``skills_recipe_X.yaml`` -> ``skills_train_msgs_X.jsonl``). The system prompt is
        ``system_prompt``, else ``generate.system_prompt``, else the recipe's.

        ``dedup`` drops exact duplicates across the recipe's data sets (the first stays);
        ``test_set`` (a run's ``test_*.jsonl``, a qna.yaml or a taxonomy folder) drops rows
        whose question or answer shares a 13-word sequence with it. ``MixResult.cleaning``
        says what went and why.
        """
        from instructlab.sdg.mixclean import MixCleaner, load_test_references
        from instructlab.sdg.recipes import Recipe, find_recipe, mix_recipe, mixed_output_name

        path = find_recipe(recipe)
        loaded = Recipe.load(path)
        if not loaded.datasets:
            raise FileError(str(path), "lists no data sets (`datasets:` is empty): nothing to mix")
        prompt = system_prompt
        if prompt is None:
            prompt = self.configuration.generate.system_prompt
        target = Path(output_dir) if output_dir is not None else path.parent
        references = load_test_references(test_set) if test_set is not None else []
        cleaner = MixCleaner(dedup, references)
        result = mix_recipe(loaded, target / mixed_output_name(path), prompt, cleaner)
        if result.rows == 0:  # an empty training file must not look like a mix
            result.output.unlink(missing_ok=True)
            available = sum(d.available for d in result.datasets)
            removed = sum(result.cleaning.removed.values()) if result.cleaning else 0
            raise FileError(
                str(path),
                f"nothing to mix: its data sets hold {available} rows ({removed} removed as "
                f"duplicates or test-set leaks, {result.dropped_empty} empty); nothing was written",
            )
        return result

    @property
    def data_folder(self) -> Path:
        """Where generated data sets go: ``output_dir``, else ``generate.output_dir``."""
        return Path(self.output_dir or self.configuration.generate.output_dir).expanduser()

    @checked
    def list(self) -> builtins.list[DataRun]:
        """Generation runs in the output folder, newest first, with files and row counts.

        The configured folder may not exist yet (no runs); a folder given as ``output_dir``
        must exist (:class:`FileError` otherwise)."""
        from instructlab.sdg.listing import list_runs

        folder = self.data_folder
        if folder.exists() and not folder.is_dir():
            raise FileError(str(folder), "is a file, not a folder of generated data")
        if self.output_dir is not None and not folder.exists():
            raise FileError(str(folder), "does not exist")
        return list_runs(folder)

    @checked
    def dedup(
        self,
        data: Any,
        columns: builtins.list[str] | None = None,
        threshold: Annotated[float, Gt(0), Le(1)] = 1.0,
        *,
        normalize: str = "default",
        num_perm: Annotated[int, Ge(1), Le(4096)] = 128,
        ngram: Positive = 5,
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

    @checked
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

    @checked
    def decontaminate(
        self,
        data: Any,
        references: Any,
        ngram: Positive = 13,
        *,
        columns: builtins.list[str] | None = None,
        threshold: Annotated[float, Ge(0), Lt(1)] = 0.0,
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
