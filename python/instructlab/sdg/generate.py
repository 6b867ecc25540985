"""`generate_data`: changed taxonomy leaves -> seed rows -> a pipeline per leaf kind -> mixing.

The run's identity is its inputs (leaves and their seed rows, pipeline files and prompts, teacher
model, options). Running the same command again continues the unfinished run with that identity
(``new_run=True`` starts afresh); every answered request is kept in the run's request cache.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import hashlib
import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from instructlab.config.model import DEFAULT_SYSTEM_PROMPT
from instructlab.fileio import atomic_write_text
from instructlab.sdg.context import DEFAULT_MAX_NUM_TOKENS, PipelineContext
from instructlab.sdg.errors import (
    GenerateException,
    GenerateUsageError,
    PipelineConfigParserError,
    PipelineProblem,
)
from instructlab.sdg.pipeline import Pipeline
from instructlab.sdg.runner import LeafJob, run_leaves

if TYPE_CHECKING:
    from rich.console import Console

    from instructlab.sdg.block import Row
    from instructlab.sdg.discovery import FoundPipeline
    from instructlab.sdg.report import RunReport

__all__ = ["DryRunEstimate", "GenerateResult", "generate_data", "generate_for_leaves"]

log = logging.getLogger("instructlab.sdg")

#: What ``--dry-run`` assumes the teacher generates per second when estimating time.
ASSUMED_SEQUENCES_PER_SECOND = 4.0


@dataclass
class DryRunEstimate:
    """What a run would send, at most (filters assumed to keep everything)."""

    leaves: int
    seed_rows: int
    requests: int
    sequences: int
    seconds: float
    assumed_sequences_per_second: float = ASSUMED_SEQUENCES_PER_SECOND
    per_leaf: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass
class GenerateResult:
    """What a run produced: its directory, report and mixed outputs (None for a dry run)."""

    run_dir: Path | None
    report: RunReport | None = None
    outputs: Any = None
    estimate: DryRunEstimate | None = None
    resumed: bool = False
    pipeline: str = ""

    @property
    def ok(self) -> bool:
        """False when a leaf yielded no training rows."""
        return self.report is None or self.report.ok


class GenerationIncomplete(GenerateException):
    """Some leaves yielded no training rows; ``result`` holds everything else."""

    def __init__(self, result: GenerateResult) -> None:
        assert result.report is not None
        failed = ", ".join(leaf.leaf for leaf in result.report.failed_leaves)
        super().__init__(
            f"{len(result.report.failed_leaves)} leaves yielded no training rows: {failed} "
            f"(see {result.run_dir}/report.json)"
        )
        self.result = result


def _digest(obj: Any) -> str:
    text = json.dumps(obj, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _pipeline_fingerprint(pipe: Pipeline) -> list[Any]:
    parts: list[Any] = []
    for b in pipe.blocks:
        prompts = getattr(b.block, "prompts", {})
        parts.append(
            [
                b.name,
                b.type,
                b.drop_duplicates,
                b.drop_columns,
                getattr(b.block, "gen_kwargs", None),
                {k: [p.system_source, p.user_source] for k, p in prompts.items()},
            ]
        )
    return parts


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _find_run(runs_dir: Path, identity: str, new_run: bool) -> tuple[Path, bool, str]:
    """The unfinished run with this identity (resumed), or a new run directory."""
    if not new_run and runs_dir.is_dir():
        # Newest first by the time each run last wrote its status: two runs started in one
        # second have names (T_2, T) that do not sort by age.
        for meta in sorted(runs_dir.glob("*/run.json"), key=_mtime, reverse=True):
            try:
                info = json.loads(meta.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if info.get("identity") == identity and info.get("status") != "done":
                return meta.parent, True, str(info["suffix"])
    stamp = datetime.datetime.now().strftime("%Y-%m-%dT%H_%M_%S")
    suffix, count = stamp, 1
    while (runs_dir / f"{suffix}_{identity[:8]}").exists():
        count += 1  # two runs in one second: never share a directory (or its cache)
        suffix = f"{stamp}_{count}"
    return runs_dir / f"{suffix}_{identity[:8]}", False, suffix


def _estimate(jobs: list[LeafJob]) -> DryRunEstimate:
    from instructlab.sdg.blocks.iterate import IterBlock
    from instructlab.sdg.blocks.llm import LLMBlock, LLMMessagesBlock

    requests = sequences = seeds = 0
    per_leaf: dict[str, dict[str, int]] = {}
    for job in jobs:
        rows = len(job.rows)
        seeds += rows
        leaf_req = leaf_seq = 0
        for b in job.pipeline.blocks:
            block = b.block
            iters = 1
            if isinstance(block, IterBlock):
                iters, block = block.num_iters, block.block
            if isinstance(block, LLMBlock):
                n = int(block.gen_kwargs.get("n", 1))
                leaf_req += rows * iters
                leaf_seq += rows * iters * n
                rows = rows * iters * n
            elif isinstance(block, LLMMessagesBlock):
                leaf_req += rows * iters
                leaf_seq += rows * iters * block.n
        per_leaf[job.name] = {
            "seed_rows": len(job.rows),
            "requests": leaf_req,
            "sequences": leaf_seq,
        }
        requests += leaf_req
        sequences += leaf_seq
    return DryRunEstimate(
        len(jobs),
        seeds,
        requests,
        sequences,
        sequences / ASSUMED_SEQUENCES_PER_SECOND,
        per_leaf=per_leaf,
    )


def generate_for_leaves(
    leaves: Sequence[Any],
    client: Any,
    *,
    output_dir: str | Path,
    pipeline: str = "simple",
    model_id: str | None = None,
    model_family: str | None = None,
    num_instructions_to_generate: int = 30,
    max_concurrency: int | None = None,
    max_num_tokens: int = DEFAULT_MAX_NUM_TOKENS,
    chunk_word_count: int = 1000,
    server_ctx_size: int | None = None,
    system_prompt: str | None = None,
    mmlu_branch: bool | None = None,
    new_run: bool = False,
    dry_run: bool = False,
    mix: bool = True,
    console: Console | None = None,
) -> GenerateResult:
    """Runs generation for these leaves (``instructlab.taxonomy.Leaf`` objects)."""
    from instructlab.sdg import seeds as seeding  # type: ignore[import-not-found,attr-defined,unused-ignore]  # lands with its issue
    from instructlab.sdg.discovery import find_pipeline

    found = find_pipeline(pipeline)
    if model_family is not None:
        from instructlab.sdg.prompts import detect_model_family

        try:
            detect_model_family(model_family, None)
        except KeyError as exc:
            raise GenerateUsageError(f"model_family: {exc.args[0]}", "model_family") from None
    ctx = PipelineContext(
        client=client,
        model_family=model_family,
        model_id=model_id or "teacher",
        num_instructions_to_generate=num_instructions_to_generate,
        max_concurrency=max_concurrency,
        max_num_tokens=max_num_tokens,
    )
    if mmlu_branch is None:
        mmlu_branch = found.name == "full"
    jobs, seed_by_leaf = _plan(
        leaves, found, ctx, chunk_word_count, server_ctx_size, mmlu_branch, seeding
    )
    if dry_run:
        return GenerateResult(None, estimate=_estimate(jobs), pipeline=str(found.path))

    output = Path(output_dir)
    identity = _digest(
        {
            "leaves": {name: _digest(rows) for name, rows in seed_by_leaf.items()},
            "pipelines": {job.name: _pipeline_fingerprint(job.pipeline) for job in jobs},
            "teacher": model_id,
            "family": model_family,
            "options": [
                num_instructions_to_generate,
                max_num_tokens,
                chunk_word_count,
                system_prompt,
            ],
        }
    )
    run_dir, resumed, suffix = _find_run(output / "runs", identity, new_run)
    run_dir.mkdir(parents=True, exist_ok=True)
    meta: dict[str, Any] = {
        "identity": identity,
        "suffix": suffix,
        "status": "running",
        "pipeline": str(found.path),
        "pid": os.getpid(),
    }
    _write_meta(run_dir, meta)
    if resumed:
        log.info("continuing the unfinished run in %s", run_dir)
    try:
        report, outputs = _run_and_mix(
            jobs, ctx, run_dir, model_id, console, mix, seed_by_leaf, output, suffix,
            system_prompt, seeding,
        )  # fmt: skip
    except BaseException as exc:
        # Said in run.json for `ilab data list`; the same command still continues the run.
        interrupted = isinstance(exc, (KeyboardInterrupt, asyncio.CancelledError))
        meta["status"] = "interrupted" if interrupted else "failed"
        if not interrupted:
            meta["error"] = str(exc) or type(exc).__name__
        _write_meta(run_dir, meta)
        raise
    # A run with failed leaves stays open: the same command continues it, re-sending only what
    # was never answered (the teacher may be back, or fixed).
    meta["status"] = "done" if report.ok else "incomplete"
    meta["failed_leaves"] = [leaf.leaf for leaf in report.failed_leaves]
    _write_meta(run_dir, meta)
    result = GenerateResult(run_dir, report, outputs, None, resumed, str(found.path))
    return result


def _write_meta(run_dir: Path, meta: dict[str, Any]) -> None:
    """``run.json``: the run's identity and status (running, done, incomplete, failed,
    interrupted), replaced whole so a reader never sees half of it."""
    atomic_write_text(run_dir / "run.json", json.dumps(meta, indent=1))


def _run_and_mix(
    jobs: list[LeafJob],
    ctx: PipelineContext,
    run_dir: Path,
    model_id: str | None,
    console: Console | None,
    mix: bool,
    seed_by_leaf: dict[str, list[Row]],
    output: Path,
    suffix: str,
    system_prompt: str | None,
    seeding: Any,
) -> tuple[RunReport, Any]:
    llm = ctx.llm()

    async def go() -> tuple[RunReport, dict[str, list[Row]]]:
        progress_task = None
        progress = None
        try:
            if not model_id:
                models = await llm.models()
                if not models:
                    raise GenerateException(f"{llm.base_url}: the teacher serves no model")
                ctx.model_id = models[0]
            if console is not None:
                from instructlab.sdg.progress import LiveProgress

                progress = LiveProgress(console, llm)
                progress_task = asyncio.create_task(progress.run())
            return await run_leaves(
                jobs, llm, run_dir, on_start=progress.attach if progress else None
            )
        finally:
            if progress_task is not None:
                progress_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await progress_task
            await llm.aclose()

    report, rows = asyncio.run(go())
    outputs = None
    if mix:
        outputs = _mix(jobs, rows, seed_by_leaf, output, suffix, system_prompt, seeding, report)
        report.mixing = outputs.cleaning
        report.write(run_dir / "report.json")
    return report, outputs


def _plan(
    leaves: Sequence[Any],
    found: FoundPipeline,
    ctx: PipelineContext,
    chunk_word_count: int,
    server_ctx_size: int | None,
    mmlu_branch: bool,
    seeding: Any,
) -> tuple[list[LeafJob], dict[str, list[Row]]]:
    """Seed rows per leaf and the checked pipeline per kind; every problem reported at once."""
    from instructlab.sdg.discovery import find_pipeline

    seed_by_leaf: dict[str, list[Row]] = {}
    problems: list[PipelineProblem] = []
    errors: list[str] = []
    for leaf in leaves:
        try:
            seed_by_leaf[leaf.path] = seeding.seed_rows(leaf, chunk_word_count, server_ctx_size)
        except Exception as exc:
            errors.append(f"{leaf.path}: {exc}")
    if errors:
        raise GenerateException("cannot build seed rows:\n  " + "\n  ".join(errors))
    pipelines: dict[str, Pipeline] = {}
    jobs: list[LeafJob] = []
    eval_found = None
    if mmlu_branch:
        eval_found = found if found.file_for("eval") else find_pipeline("eval")
    wanted: list[tuple[Any, str, FoundPipeline]] = []
    for leaf in leaves:
        if leaf.kind == "foundational_skill":
            wanted.append((leaf, "freeform_skill", found))
        else:
            wanted.append((leaf, leaf.kind, found))
        if leaf.kind == "knowledge" and eval_found is not None:
            wanted.append((leaf, "eval", eval_found))
    for leaf, kind, where in wanted:
        rows = seed_by_leaf[leaf.path]
        key = f"{where.path}:{kind}"
        if key not in pipelines:
            file = where.file_for(kind)
            if file is None:
                problems.append(
                    PipelineProblem(str(where.path), None, f"has no pipeline for {kind} leaves")
                )
                continue
            columns = set().union(*(set(r) for r in rows)) if rows else set()
            try:
                pipelines[key] = Pipeline.from_file(ctx, file, input_columns=columns)
            except PipelineConfigParserError as exc:
                problems.extend(exc.problems)
                continue
        name = leaf.path if kind != "eval" else f"{leaf.path}#mmlu_branch"
        jobs.append(LeafJob(name, kind, rows, pipelines[key], str(where.path)))
    if problems:
        raise PipelineConfigParserError(problems)
    return jobs, seed_by_leaf


def _mix(
    jobs: list[LeafJob],
    rows: dict[str, list[Row]],
    seed_by_leaf: dict[str, list[Row]],
    output: Path,
    suffix: str,
    system_prompt: str | None,
    seeding: Any,
    report: RunReport,
) -> Any:
    from instructlab.sdg.mixing import RunMixer  # type: ignore[import-not-found,attr-defined,unused-ignore]  # lands with its issue

    aux: dict[str, list[str]] = {}
    for job in jobs:
        for k, v in job.pipeline.auxiliary_inst.items():
            aux.setdefault(k, v)
    mixer = RunMixer(output, suffix, system_prompt or DEFAULT_SYSTEM_PROMPT, aux)
    by_path: dict[str, Any] = {}
    for job in jobs:
        leaf_rows = rows.get(job.name, [])
        if not leaf_rows:
            continue
        node = str((leaf_rows[0] if leaf_rows else {}).get("leaf_node_path") or _node_name(job))
        by_path[job.name] = node
        if job.kind == "eval":
            kept = mixer.add_mmlu_branch(node, leaf_rows)
            if kept < len(leaf_rows):
                _unusable_questions(report, job.name, len(leaf_rows) - kept, len(leaf_rows), kept)
        elif job.kind == "knowledge":
            mixer.add_knowledge(node, leaf_rows)
        else:
            mixer.add_skill(node, leaf_rows)
    all_seeds = [r for rs in seed_by_leaf.values() for r in rs]
    mixer.write_test_set(
        seeding.seed_test_set(all_seeds, system_prompt), seeding.seed_test_texts(all_seeds)
    )
    return mixer.finish(mix=True)


def _unusable_questions(report: RunReport, leaf: str, dropped: int, total: int, kept: int) -> None:
    """Multiple-choice rows that mixing could not use are said, never lost in silence; a leaf
    left with none fails like a leaf that generated nothing."""
    reason = (
        f"{dropped} of {total} multiple-choice rows lack four options A) to D) or an answer "
        "like 'B) ...', and are left out of the MMLU-branch data"
    )
    log.warning("leaf %s: %s", leaf, reason)
    for entry in report.leaves:
        if entry.leaf == leaf and kept == 0:
            entry.error = reason


def _node_name(job: LeafJob) -> str:
    return job.name.split("#", 1)[0].strip("/").replace("/", "->")


def generate_data(
    client: Any = None,
    logger: logging.Logger | None = None,
    system_prompt: str | None = None,
    use_legacy_pretraining_format: bool = True,
    model_family: str | None = None,
    model_name: str | None = None,
    num_cpus: int | None = None,
    num_instructions_to_generate: int = 30,
    taxonomy: str | Path | None = None,
    taxonomy_base: str | None = None,
    output_dir: str | Path | None = None,
    pipeline: str = "simple",
    chunk_word_count: int = 1000,
    server_ctx_size: int | None = 4096,
    batch_size: int | None = None,
    checkpoint_dir: str | Path | None = None,
    max_num_tokens: int = DEFAULT_MAX_NUM_TOKENS,
    **options: Any,
) -> GenerateResult:
    """The instructlab-sdg entry point: generates data for the taxonomy's changed leaves.

    ``client`` is a URL, an ``openai.OpenAI``/``AsyncOpenAI`` object or an
    :class:`~instructlab.llm.client.LLMClient`. ``batch_size`` and ``checkpoint_dir`` are
    accepted for compatibility (batching is adaptive; checkpoints live in the run directory).
    Extra keyword options go to :func:`generate_for_leaves` (``new_run``, ``dry_run``…).
    """
    from instructlab.sdg.teacher import _leaves

    if taxonomy is None:
        raise GenerateException("generate_data needs a taxonomy path")
    leaves = _leaves(Path(taxonomy), taxonomy_base or "origin/main")
    return generate_for_leaves(
        leaves,
        client,
        output_dir=output_dir or ".",
        pipeline=pipeline,
        model_id=model_name,
        model_family=model_family,
        num_instructions_to_generate=num_instructions_to_generate,
        max_concurrency=num_cpus,
        max_num_tokens=max_num_tokens,
        chunk_word_count=chunk_word_count,
        server_ctx_size=server_ctx_size,
        system_prompt=system_prompt,
        **options,
    )
