"""The SDK's `Data`: generate, mix, clean and list training data."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from instructlab.config import Config as ConfigModel
from instructlab.core._base import ConfiguredBase
from instructlab.core._checked import Ge, Gt, Le, Lt, NonNegative, Positive, checked
from instructlab.errors import FileError

if TYPE_CHECKING:
    from instructlab.clean import CleanResult
    from instructlab.documents import IngestedDocument
    from instructlab.sdg.listing import DataRun
    from instructlab.sdg.recipes import MixResult


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

    @checked
    def generate_data(
        self,
        pipeline: str | None = None,
        endpoint_url: str | None = None,
        sdg_scale_factor: Positive | None = None,
        dry_run: bool = False,
        *,
        model_family: str | None = None,
        api_key: str | None = None,
        taxonomy_base: str | None = None,
        num_cpus: Positive | None = None,
        max_num_tokens: Positive | None = None,
        chunk_word_count: Positive | None = None,
        server_ctx_size: Positive | None = None,
        teacher_model_id: str | None = None,
        tls_insecure: bool = False,
        tls_client_cert: str | Path | None = None,
        tls_client_key: str | Path | None = None,
        tls_client_passwd: str | None = None,
        new_run: bool = False,
        console: Any = None,
        detached: bool = False,
        yaml_rules: str | Path | None = None,
        batch_size: NonNegative | None = None,
        gpus: NonNegative | None = None,
        enable_serving_output: bool = False,
        student_model_id: str | None = None,
        quiet: bool = False,
    ) -> Any:
        """Runs synthetic data generation over the changed leaves and mixes the result.

        Without ``endpoint_url`` the embedded teacher is started (and stopped) here. Returns an
        :class:`instructlab.sdg.generate.GenerateResult`; raises
        :class:`instructlab.sdg.generate.GenerationIncomplete` (holding the result) when a leaf
        yields no training rows. ``console`` (a rich Console) shows live progress. With
        ``detached``, the run goes to the background, tracked by ``ilab process``, and its
        process record is returned; a configuration given as a ``Config`` object is written to
        a file beside the process log (mode 0600) and handed to the background run.

        InstructLab's options: ``yaml_rules`` (a yamllint configuration for the taxonomy diff
        that chooses the leaves), ``batch_size`` (read as a cap on requests in flight, since
        every request carries one prompt; with ``num_cpus`` the smaller cap wins; 0: none),
        ``gpus`` (tensor parallelism of a teacher started here with the vLLM backend; other
        backends ignore it with a warning), ``enable_serving_output`` (copy the started
        teacher's log to stderr live) and ``student_model_id`` (an id in ``models`` whose
        ``system_prompt`` the generated data gets). ``quiet`` shows no live progress (whatever
        ``console`` is) and keeps per-row fault messages out of the log; the report counts them.
        """
        from instructlab.llm.url import check_url
        from instructlab.sdg.teacher import generate_from_config, launch_detached

        if endpoint_url is not None:
            check_url(endpoint_url)

        # One set of options for both paths; only the teacher's keyword differs.
        options: dict[str, Any] = {
            "taxonomy_path": self.taxonomy_path,
            "output_dir": self.output_dir,
            "pipeline": pipeline,
            "endpoint_url": endpoint_url,
            "sdg_scale_factor": sdg_scale_factor,
            "dry_run": dry_run,
            "model_family": model_family,
            "api_key": api_key,
            "taxonomy_base": taxonomy_base,
            "num_cpus": num_cpus,
            "max_num_tokens": max_num_tokens,
            "chunk_word_count": chunk_word_count,
            "server_ctx_size": server_ctx_size,
            "teacher_model_id": teacher_model_id,
            "tls_insecure": tls_insecure,
            "tls_client_cert": tls_client_cert,
            "tls_client_key": tls_client_key,
            "tls_client_passwd": tls_client_passwd,
            "new_run": new_run,
            "yaml_rules": yaml_rules,
            "batch_size": batch_size,
            "gpus": gpus,
            "enable_serving_output": enable_serving_output,
            "student_model_id": student_model_id,
            "quiet": quiet,
        }
        if detached:
            return launch_detached(self._given, model=self.teacher_model, **options)
        return generate_from_config(
            self.configuration, teacher_model=self.teacher_model, console=console, **options
        )

    @checked
    def list_pipelines(self) -> builtins.list[Any]:
        """Pipelines ``generate_data(pipeline=NAME)`` can use: built-in, user and system ones."""
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
        return mix_recipe(loaded, target / mixed_output_name(path), prompt, cleaner)

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
