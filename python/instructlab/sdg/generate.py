"""A generation run: changed taxonomy leaves -> seed rows -> shards through the pipeline for
each leaf's kind -> mixing.

:func:`generate` is ``ilab data generate``: options over the configuration
(:mod:`instructlab.sdg.settings`), the leaves changed since the base, the teacher (given or
started here, :mod:`instructlab.sdg.teacher`), then :func:`generate_for_leaves`: plan
(:mod:`instructlab.sdg.plan`), find or open the run's folder (:mod:`instructlab.sdg.rundir`),
run the shards with the local executor (:mod:`instructlab.sdg.executor`), report and mix
(:mod:`instructlab.sdg.runmix`). Running the same command again continues the unfinished run
with the same inputs (``new_run=True`` starts afresh): finished shards are read back and every
answered request comes from its shard's request cache.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from instructlab.fileio import read_jsonl
from instructlab.sdg.context import DEFAULT_MAX_NUM_TOKENS, PipelineContext
from instructlab.sdg.errors import GenerateException, GenerateUsageError
from instructlab.sdg.events import Emit, GenerateEvent, ShardFinished, TeacherProgress
from instructlab.sdg.report import LeafReport, RunReport, TeacherReport, sum_blocks
from instructlab.sdg.results import GenerateResult, GenerationIncomplete
from instructlab.sdg.shard import ShardSettings

if TYPE_CHECKING:
    from instructlab.config import Config
    from instructlab.sdg.block import Row
    from instructlab.sdg.options import GenerateOptions
    from instructlab.sdg.plan import Plan
    from instructlab.taxonomy.leaf import Leaf

__all__ = ["generate", "generate_data", "generate_for_leaves"]

log = logging.getLogger("instructlab.sdg")


def generate(
    config: Config, options: GenerateOptions, on_event: Emit | None = None
) -> GenerateResult:
    """Runs generation as ``ilab data generate`` does: ``options`` over the ``generate`` section
    of ``config``, for the leaves changed since the base; ``on_event`` hears the run's events.

    Without ``options.endpoint_url`` the teacher is started here, and stopped afterwards.

    Raises:
        GenerationIncomplete: a leaf yielded no training rows (``result`` holds the rest).
    """
    from instructlab.config import EMBEDDED_MODEL
    from instructlab.sdg.settings import resolve

    settings = resolve(config, options)
    leaves = _leaves(settings.taxonomy_path, settings.taxonomy_base, settings.yaml_rules)
    if options.dry_run:
        return generate_for_leaves(
            leaves,
            None,
            output_dir=settings.output_dir,
            pipeline=settings.pipeline,
            model_id=settings.model,
            model_family=settings.model_family,
            num_instructions_to_generate=settings.scale,
            max_concurrency=settings.max_concurrency,
            max_num_tokens=settings.max_num_tokens,
            chunk_word_count=settings.chunk_word_count,
            server_ctx_size=settings.server_ctx_size,
            system_prompt=settings.system_prompt,
            dry_run=True,
        )
    from instructlab.llm.client import LLMClient
    from instructlab.llm.tls import ssl_context
    from instructlab.sdg.teacher import teacher

    tls = ssl_context(
        options.tls_insecure,
        options.tls_client_cert,
        options.tls_client_key,
        options.tls_client_passwd,
    )
    served = teacher(
        settings.endpoint_url,
        settings.model,
        settings.server_ctx_size,
        serve=settings.serve,
        gpus=settings.gpus,
        show_log=settings.show_serving_log,
    )
    with _quiet_faults() if options.quiet else contextlib.nullcontext(), served as (url, served_id):
        model_id = settings.request_model or served_id
        if (
            model_id is None
            and settings.endpoint_url is not None
            and settings.model != EMBEDDED_MODEL
        ):
            model_id = settings.model
        client = LLMClient(
            url,
            api_key=options.api_key,
            ssl_context=tls,
            max_concurrency=settings.max_concurrency,
        )
        result = generate_for_leaves(
            leaves,
            client,
            output_dir=settings.output_dir,
            pipeline=settings.pipeline,
            model_id=model_id,
            model_family=settings.model_family,
            num_instructions_to_generate=settings.scale,
            max_concurrency=settings.max_concurrency,
            max_num_tokens=settings.max_num_tokens,
            chunk_word_count=settings.chunk_word_count,
            server_ctx_size=settings.server_ctx_size,
            system_prompt=settings.system_prompt,
            new_run=options.new_run,
            on_event=on_event,
        )
    if not result.ok:
        raise GenerationIncomplete(result)
    return result


@contextlib.contextmanager
def _quiet_faults() -> Iterator[None]:
    """Per-row fault messages stay out of the log (the report counts them)."""
    faults = logging.getLogger("instructlab.sdg.faults")
    level = faults.level
    faults.setLevel(logging.ERROR)
    try:
        yield
    finally:
        faults.setLevel(level)


def _leaves(taxonomy_path: Path, base: str, yaml_rules: Path | None = None) -> list[Leaf]:
    from instructlab.taxonomy import NoChangedLeaves, changed_leaves

    try:
        return changed_leaves(taxonomy_path, base, yaml_rules)
    except NoChangedLeaves as exc:
        raise GenerateException(exc.message) from None


def generate_for_leaves(
    leaves: Sequence[Leaf],
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
    on_event: Emit | None = None,
    shard_rows: int | None = None,
) -> GenerateResult:
    """Runs generation for these leaves (``instructlab.taxonomy.Leaf`` objects).

    ``client`` is an :class:`~instructlab.llm.client.LLMClient`, a URL or an ``openai`` client
    (None for a dry run); ``model_id`` the model every request names (None: the first the
    server lists). ``mmlu_branch`` (default: with the ``full`` pipeline) adds MMLU-branch data
    for knowledge leaves; ``shard_rows`` cuts each leaf's seed rows into shards of that many
    (None: one shard per leaf); ``on_event`` hears the run's events.
    """
    from instructlab.sdg.discovery import find_pipeline
    from instructlab.sdg.plan import plan
    from instructlab.sdg.rundir import RUNS_FOLDER, open_run, run_identity

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
    planned = plan(leaves, found, ctx, chunk_word_count, server_ctx_size, mmlu_branch)
    if dry_run:
        return GenerateResult(None, estimate=planned.estimate(), pipeline=str(found.path))

    settings = ShardSettings(
        model_family,
        num_instructions_to_generate,
        max_num_tokens,
        chunk_word_count,
        server_ctx_size,
        ctx.api,
    )
    # The run is known by the teacher asked for: the folder exists (and says what stopped it)
    # before the first request, even the one asking the server for its model.
    asked = planned.shards(model_id or "", settings, shard_rows)
    identity = run_identity([shard.key for shard in asked], system_prompt)
    run = open_run(Path(output_dir) / RUNS_FOLDER, identity, new_run, str(found.path))
    if run.resumed:
        log.info("continuing the unfinished run in %s", run.path)
    try:
        report = _execute(planned, ctx, settings, model_id, shard_rows, run.path, on_event)
        outputs = None
        if mix:
            from instructlab.sdg.runmix import mix_run

            rows = _leaf_rows(report)
            seeds = [row for leaf_rows in planned.seed_rows.values() for row in leaf_rows]
            outputs = mix_run(
                planned.jobs, rows, seeds, Path(output_dir), run.suffix, system_prompt, report
            )
            report.mixing = outputs.cleaning
            report.write(run.path / "report.json")
    except BaseException as exc:
        # Said in run.json for `ilab data list`; the same command still continues the run.
        run.failed(exc)
        raise
    # A run with failed leaves stays open: the same command continues it, re-sending only what
    # was never answered (the teacher may be back, or fixed).
    run.finished([leaf.leaf for leaf in report.failed_leaves])
    return GenerateResult(run.path, report, outputs, None, run.resumed, str(found.path))


def _execute(
    planned: Plan,
    ctx: PipelineContext,
    settings: ShardSettings,
    model_id: str | None,
    shard_rows: int | None,
    run_dir: Path,
    on_event: Emit | None,
) -> RunReport:
    """Runs the plan's shards with the local executor; the report, written to the run folder."""
    from instructlab.sdg.executor import LocalExecutor

    llm = ctx.llm()
    teacher = [TeacherReport()]

    def emit(event: GenerateEvent) -> None:
        if isinstance(event, TeacherProgress) and event.final:
            teacher[0] = event.teacher
        if on_event is not None:
            on_event(event)

    async def go() -> tuple[list[ShardFinished], float]:
        try:
            if not model_id:
                models = await llm.models()
                if not models:
                    raise GenerateException(f"{llm.base_url}: the teacher serves no model")
                ctx.model_id = models[0]
            shards = planned.shards(str(ctx.model_id), settings, shard_rows)
            executor = LocalExecutor(
                llm, planned.pipelines, progress_every=0.5 if on_event is not None else 0
            )
            started = time.monotonic()
            finished = await executor.run(shards, run_dir, emit)
            return finished, time.monotonic() - started
        finally:
            await llm.aclose()

    finished, seconds = asyncio.run(go())
    report = _report(run_dir, planned, finished, teacher[0], seconds)
    report.write(run_dir / "report.json")
    return report


def _report(
    run_dir: Path,
    planned: Plan,
    finished: Sequence[ShardFinished],
    teacher: TeacherReport,
    seconds: float,
) -> RunReport:
    """The run report from the shards' :class:`ShardFinished` events (each leaf's shards
    summed) and the teacher client's last counters."""
    by_name: dict[str, list[ShardFinished]] = {}
    for shard in finished:
        by_name.setdefault(shard.name, []).append(shard)
    report = RunReport(str(run_dir))
    for job in planned.jobs:
        parts = by_name.get(job.name, [])
        report.leaves.append(
            LeafReport(
                job.name,
                job.kind,
                job.pipeline_dir,
                len(job.rows),
                rows_out=sum(p.rows_out for p in parts),
                blocks=sum_blocks(p.blocks for p in parts),
                resumed=bool(parts) and all(p.resumed for p in parts),
                outputs=[str(p.output) for p in parts],
            )
        )
    report.cached_samples = sum(
        b.cached_samples for shard in finished if not shard.resumed for b in shard.blocks
    )
    report.add_teacher(teacher)
    report.seconds = seconds
    return report


def _leaf_rows(report: RunReport) -> dict[str, list[Row]]:
    """Each leaf's generated rows, read back from its shards' row files in order."""
    return {
        leaf.leaf: [row for output in leaf.outputs for row in read_jsonl(output)]
        for leaf in report.leaves
    }


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
    new_run: bool = False,
    dry_run: bool = False,
) -> GenerateResult:
    """The instructlab-sdg entry point: generates data for the taxonomy's changed leaves.

    ``client`` is a URL, an ``openai.OpenAI``/``AsyncOpenAI`` object or an
    :class:`~instructlab.llm.client.LLMClient`. ``num_cpus`` caps the requests in flight.
    ``logger``, ``use_legacy_pretraining_format``, ``batch_size`` and ``checkpoint_dir`` are
    accepted for compatibility (batching is adaptive; checkpoints live in the run folder).
    """
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
        new_run=new_run,
        dry_run=dry_run,
    )
