"""Planning a run: every leaf's seed rows and checked pipeline, before any request.

:func:`plan` reads the seed rows of every leaf and builds the pipeline for each kind of leaf
(checking it against the seed columns), reporting every problem at once. The :class:`Plan`
then gives the dry run's estimate (:meth:`Plan.estimate`) and, once the teacher model is known,
the run's shards (:meth:`Plan.shards`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from instructlab.sdg.errors import GenerateException, PipelineConfigParserError, PipelineProblem
from instructlab.sdg.pipeline import Pipeline
from instructlab.sdg.results import ASSUMED_SEQUENCES_PER_SECOND, DryRunEstimate, LeafEstimate
from instructlab.sdg.shard import Shard, ShardSettings, leaf_hash

if TYPE_CHECKING:
    from instructlab.sdg.block import Row
    from instructlab.sdg.context import PipelineContext
    from instructlab.sdg.discovery import FoundPipeline
    from instructlab.taxonomy.leaf import Leaf

__all__ = ["LeafJob", "Plan", "plan"]


@dataclass(frozen=True)
class LeafJob:
    """One leaf's work in a run: its name in the run (``#mmlu_branch`` appended for a knowledge
    leaf's MMLU-branch data), kind, content hash, seed rows and checked pipeline."""

    name: str
    kind: str
    leaf_content: str
    rows: list[Row]
    pipeline: Pipeline
    pipeline_file: Path
    #: The pipeline directory the file belongs to.
    pipeline_dir: str
    pipeline_hash: str


@dataclass
class Plan:
    """A run's leaves, seed rows and pipelines, checked."""

    jobs: list[LeafJob]
    #: Every leaf's seed rows, by its ``qna.yaml`` path (the test set is built from them).
    seed_rows: dict[str, list[Row]]
    #: The checked pipelines, by fingerprint.
    pipelines: dict[str, Pipeline] = field(default_factory=dict)

    def estimate(self) -> DryRunEstimate:
        """What the run would send, at most (filters assumed to keep everything)."""
        per_leaf: dict[str, LeafEstimate] = {}
        for job in self.jobs:
            est = job.pipeline.estimate(len(job.rows))
            per_leaf[job.name] = LeafEstimate(len(job.rows), est.requests, est.sequences)
        sequences = sum(e.sequences for e in per_leaf.values())
        return DryRunEstimate(
            len(self.jobs),
            sum(e.seed_rows for e in per_leaf.values()),
            sum(e.requests for e in per_leaf.values()),
            sequences,
            sequences / ASSUMED_SEQUENCES_PER_SECOND,
            per_leaf=per_leaf,
        )

    def shards(
        self, teacher: str, settings: ShardSettings, shard_rows: int | None = None
    ) -> list[Shard]:
        """The run's shards: each leaf's seed rows in chunks of ``shard_rows`` (None: one chunk
        per leaf, so dedup and whole-data-set blocks see the whole leaf, as they always have)."""
        shards: list[Shard] = []
        for job in self.jobs:
            size = shard_rows or max(1, len(job.rows))
            starts = range(0, len(job.rows), size) if job.rows else range(1)
            for first in starts:
                shards.append(
                    Shard(
                        job.name,
                        job.kind,
                        job.leaf_content,
                        job.pipeline_file,
                        job.pipeline_dir,
                        job.pipeline_hash,
                        teacher,
                        settings,
                        first,
                        tuple(job.rows[first : first + size]),
                    )
                )
        return shards


def plan(
    leaves: Sequence[Leaf],
    found: FoundPipeline,
    ctx: PipelineContext,
    chunk_word_count: int,
    server_ctx_size: int | None,
    mmlu_branch: bool,
) -> Plan:
    """Seed rows per leaf and the checked pipeline per kind; every problem reported at once.

    Raises:
        GenerateException: a leaf's seed rows cannot be built (every leaf named).
        PipelineConfigParserError: the pipelines' problems, all of them.
    """
    from instructlab.sdg import seeds
    from instructlab.sdg.discovery import find_pipeline

    seed_by_leaf: dict[str, list[Row]] = {}
    errors: list[str] = []
    for leaf in leaves:
        try:
            seed_by_leaf[leaf.path] = seeds.seed_rows(leaf, chunk_word_count, server_ctx_size)
        except Exception as exc:
            errors.append(f"{leaf.path}: {exc}")
    if errors:
        raise GenerateException("cannot build seed rows:\n  " + "\n  ".join(errors))
    eval_found = None
    if mmlu_branch:
        eval_found = found if found.file_for("eval") else find_pipeline("eval")
    wanted: list[tuple[Leaf, str, FoundPipeline]] = []
    for leaf in leaves:
        kind: str = "freeform_skill" if leaf.kind == "foundational_skill" else leaf.kind
        wanted.append((leaf, kind, found))
        if leaf.kind == "knowledge" and eval_found is not None:
            wanted.append((leaf, "eval", eval_found))
    built: dict[str, tuple[Pipeline, Path, str]] = {}
    problems: list[PipelineProblem] = []
    jobs: list[LeafJob] = []
    hashes: dict[str, str] = {}
    for leaf, kind, where in wanted:
        rows = seed_by_leaf[leaf.path]
        key = f"{where.path}:{kind}"
        if key not in built:
            file = where.file_for(kind)
            if file is None:
                problems.append(
                    PipelineProblem(str(where.path), None, f"has no pipeline for {kind} leaves")
                )
                continue
            columns = set().union(*(set(r) for r in rows)) if rows else set()
            try:
                pipeline = Pipeline.from_file(ctx, file, input_columns=columns)
            except PipelineConfigParserError as exc:
                problems.extend(exc.problems)
                continue
            built[key] = (pipeline, file, pipeline.fingerprint())
        pipeline, file, fingerprint = built[key]
        if leaf.path not in hashes:
            hashes[leaf.path] = leaf_hash(leaf)
        name = leaf.path if kind != "eval" else f"{leaf.path}#mmlu_branch"
        jobs.append(
            LeafJob(name, kind, hashes[leaf.path], rows, pipeline, file, str(where.path),
                    fingerprint)
        )  # fmt: skip
    if problems:
        raise PipelineConfigParserError(problems)
    pipelines = {fingerprint: pipeline for pipeline, _, fingerprint in built.values()}
    return Plan(jobs, seed_by_leaf, pipelines)
