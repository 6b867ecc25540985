"""Executors run a run's shards: the :class:`Executor` interface and :class:`LocalExecutor`.

An executor takes shards (plain records, :mod:`instructlab.sdg.shard`) and a run folder, runs
every shard that folder does not hold finished, and reports through events
(:mod:`instructlab.sdg.events`); it returns each shard's :class:`ShardFinished`. Results are on
storage (each shard's rows file and completion marker), so a shard may run in another process or
on another machine as long as it writes there: that is the seam a distributed executor (Ray)
plugs into.

:class:`LocalExecutor` is this process: every shard at once in one event loop, over one teacher
client whose adaptive limiter is shared by all of them (rows of every shard enter their streams
as it admits them, see :mod:`instructlab.sdg.flow`).
"""

from __future__ import annotations

import asyncio
import contextlib
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from instructlab.llm.cache import RequestCache
from instructlab.sdg.events import (
    Emit,
    ShardFinished,
    ShardProgress,
    ShardStarted,
    TeacherProgress,
)
from instructlab.sdg.report import BlockReport, TeacherReport
from instructlab.sdg.shard import SHARDS_FOLDER, Shard, ShardFiles

if TYPE_CHECKING:
    from instructlab.llm.client import LLMClient
    from instructlab.sdg.pipeline import Pipeline
    from instructlab.sdg.runtime import BlockStats

__all__ = ["Executor", "LocalExecutor", "teacher_report"]


class Executor(ABC):
    """Runs shards, each into its folder under ``run_dir/shards``, reporting through events."""

    @abstractmethod
    async def run(self, shards: Sequence[Shard], run_dir: Path, emit: Emit) -> list[ShardFinished]:
        """Runs every shard not found finished in ``run_dir``; returns each shard's
        :class:`ShardFinished`, in the order of ``shards``.

        Emits :class:`ShardStarted`, :class:`ShardProgress` and :class:`ShardFinished` per
        shard and :class:`TeacherProgress` for the teacher, the last one ``final``. A shard
        that cannot go on (the teacher refuses every request) stops the run: the exception
        propagates once every other shard has stopped and closed its files.
        """


def teacher_report(client: LLMClient | None) -> TeacherReport:
    """The client's counters now (all zero without a client)."""
    if client is None:
        return TeacherReport()
    st = client.stats
    generating = 0.0
    if st.first_request is not None and st.last_reply is not None:
        generating = st.last_reply - st.first_request
    lim = client.limiter
    return TeacherReport(
        st.requests,
        st.retries,
        st.errors,
        st.throttled,
        st.timeouts,
        st.prompt_tokens,
        st.completion_tokens,
        st.sequences,
        generating,
        lim.inflight,
        lim.limit,
        lim.peak_limit,
    )


class LocalExecutor(Executor):
    """Every shard at once in this process's event loop, over one teacher client.

    ``pipelines`` are pipelines already built for the shards (by fingerprint; the planner
    built them to check them); a shard whose pipeline is not there is built from its file with
    the shard's teacher and settings. ``progress_every`` is the seconds between progress
    events (0: only the final one).
    """

    def __init__(
        self,
        client: LLMClient | None,
        pipelines: Mapping[str, Pipeline] | None = None,
        *,
        progress_every: float = 0.5,
    ) -> None:
        self.client = client
        self.pipelines = dict(pipelines or {})
        self.progress_every = progress_every
        # The counters of the shards running now: this executor's own, read for progress.
        self._running: dict[str, dict[str, BlockStats]] = {}

    def _pipeline(self, shard: Shard) -> Pipeline:
        found = self.pipelines.get(shard.pipeline_hash)
        if found is not None:
            return found
        from instructlab.sdg.context import PipelineContext
        from instructlab.sdg.errors import GenerateException
        from instructlab.sdg.pipeline import Pipeline

        settings = shard.settings
        ctx = PipelineContext(
            client=self.client,
            model_family=settings.model_family,
            model_id=shard.teacher,
            num_instructions_to_generate=settings.num_instructions_to_generate,
            max_num_tokens=settings.max_num_tokens,
            api=settings.api,
        )
        pipeline = Pipeline.from_file(ctx, shard.pipeline_file)
        if pipeline.fingerprint() != shard.pipeline_hash:
            raise GenerateException(
                f"{shard.pipeline_file}: the pipeline changed since the run was planned"
            )
        self.pipelines[shard.pipeline_hash] = pipeline
        return pipeline

    async def run(self, shards: Sequence[Shard], run_dir: Path, emit: Emit) -> list[ShardFinished]:
        ticker = asyncio.create_task(self._tick(emit)) if self.progress_every > 0 else None
        tasks = [asyncio.create_task(self._one(shard, run_dir, emit)) for shard in shards]
        try:
            results = await asyncio.gather(*tasks)
        except BaseException:
            # Stop the others and let each close its cache before the error goes up.
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        finally:
            if ticker is not None:
                ticker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await ticker
        emit(TeacherProgress(teacher_report(self.client), final=True))
        return list(results)

    async def _tick(self, emit: Emit) -> None:
        while True:
            await asyncio.sleep(self.progress_every)
            for key, stats in list(self._running.items()):
                emit(ShardProgress(key, tuple(s.freeze() for s in stats.values())))
            emit(TeacherProgress(teacher_report(self.client)))

    async def _one(self, shard: Shard, run_dir: Path, emit: Emit) -> ShardFinished:
        from instructlab.sdg import runtime

        key = shard.key
        files = ShardFiles(run_dir / SHARDS_FOLDER / shard.folder)
        done = files.finished(key)
        if done is not None:
            rows, saved = done
            finished = ShardFinished(
                key, shard.name, shard.kind, shard.pipeline, len(shard.rows), len(rows),
                tuple(saved), files.rows, resumed=True,
            )  # fmt: skip
            emit(finished)
            return finished
        pipeline = self._pipeline(shard)
        stats = runtime.new_stats(pipeline)
        emit(ShardStarted(key, shard.name, shard.kind, len(shard.rows), tuple(stats)))
        files.folder.mkdir(parents=True, exist_ok=True)
        cache = RequestCache(files.requests)
        self._running[key] = stats
        try:
            teacher = runtime.CachedTeacher(self.client, cache, shard.name)
            rows = await runtime.run(pipeline, list(shard.rows), teacher, stats, shard.first_row)
        finally:
            self._running.pop(key, None)
            cache.close()
        blocks: list[BlockReport] = [s.freeze() for s in stats.values()]
        files.write(key, rows, blocks)
        finished = ShardFinished(
            key, shard.name, shard.kind, shard.pipeline, len(shard.rows), len(rows),
            tuple(blocks), files.rows,
        )  # fmt: skip
        emit(finished)
        return finished
