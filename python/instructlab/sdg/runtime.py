"""Running a pipeline: what a block sees while it runs (row ids, the teacher behind a request
cache, counters) and the calls that run a pipeline over rows (:func:`run`, :func:`generate`).

The counters (:class:`BlockStats`) belong to the one run that updates them; anything else sees
frozen copies (:meth:`BlockStats.freeze`), carried by events (:mod:`instructlab.sdg.events`).
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from instructlab.errors import RequestFailed
from instructlab.llm.cache import RequestCache, request_digest
from instructlab.sdg.errors import GenerateException
from instructlab.sdg.report import BlockReport

if TYPE_CHECKING:
    from instructlab.llm.client import LLMClient
    from instructlab.sdg.block import Block, Row
    from instructlab.sdg.pipeline import Pipeline

__all__ = [
    "BlockRun",
    "BlockStats",
    "CachedTeacher",
    "generate",
    "new_stats",
    "run",
    "standalone_run",
]

#: Per-row faults (``--quiet`` keeps them out; the report counts them).
log = logging.getLogger("instructlab.sdg.faults")

#: Statuses that mean the endpoint or model is wrong for every request: stop the run.
_FATAL_STATUSES = {401, 403, 404}


@dataclass
class BlockStats:
    """Counters of one block in one leaf's run."""

    name: str
    type: str
    rows_in: int = 0
    rows_out: int = 0
    active: int = 0
    drops: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    calls: int = 0
    cached_samples: int = 0
    sent_samples: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def freeze(self) -> BlockReport:
        """A frozen copy of the counters now."""
        return BlockReport(
            self.name,
            self.type,
            self.rows_in,
            self.rows_out,
            self.active,
            dict(self.drops),
            dict(self.faults),
            self.calls,
            self.cached_samples,
            self.sent_samples,
            self.prompt_tokens,
            self.completion_tokens,
        )


class CachedTeacher:
    """The teacher as one run over one leaf's rows sees it: the client (None: answers come
    from the cache alone), the request cache, and the leaf's name, which starts every request's
    place in the cache."""

    def __init__(
        self, client: LLMClient | None, cache: RequestCache | None = None, leaf: str = "-"
    ) -> None:
        self.client = client
        self.cache = cache if cache is not None else RequestCache()
        self.leaf = leaf


def _seed(place: str, sample: int) -> int:
    digest = hashlib.blake2b(f"{place}#{sample}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") & 0x7FFFFFFF


class BlockRun:
    """One call of :meth:`Block.process`: ``ids[i]`` is the id of input row ``i``."""

    def __init__(
        self, teacher: CachedTeacher, stats: BlockStats, ids: list[str], scope: str = ""
    ) -> None:
        self.teacher = teacher
        self.stats = stats
        self.ids = ids
        self.scope = scope

    def child(self, scope: str) -> BlockRun:
        """The same call seen from a nested step (IterBlock's iterations)."""
        return BlockRun(self.teacher, self.stats, self.ids, self.scope + "/" + scope)

    def place(self, i: int) -> str:
        """Where input row ``i`` is in the run: leaf, block, row id and nested scope."""
        return f"{self.teacher.leaf}/{self.stats.name}/{self.ids[i]}{self.scope}"

    def drop(self, reason: str, count: int = 1) -> None:
        """Counts rows dropped on purpose (filters, dedup)."""
        self.stats.drops[reason] += count

    def fault(self, i: int | None, reason: str, detail: str = "") -> None:
        """Counts and logs a fault (the row concerned is skipped, the run goes on)."""
        self.stats.faults[reason] += 1
        row = f" row {self.ids[i]}" if i is not None and i < len(self.ids) else ""
        log.warning(
            "leaf %s, block %s%s: %s%s",
            self.teacher.leaf,
            self.stats.name,
            row,
            reason,
            f": {detail[:300]}" if detail else "",
        )

    async def complete(self, i: int, kind: str, body: dict[str, Any], n: int) -> list[str | None]:
        """``n`` completions for input row ``i``: from the cache where answered before, else from
        the teacher. Failed samples are None (already counted as faults)."""
        client = self.teacher.client
        cache = self.teacher.cache
        place = self.place(i)
        digest = request_digest(kind, body)
        keys = [cache.key(digest, place, s) for s in range(n)]
        results: list[str | None] = [cache.get(k) for k in keys]
        missing = [s for s, r in enumerate(results) if r is None]
        self.stats.calls += 1
        self.stats.cached_samples += n - len(missing)
        if not missing:
            return results
        if client is None:
            raise GenerateException(f"block {self.stats.name} needs a teacher, and none was given")
        self.stats.sent_samples += len(missing)
        seeds = [_seed(place, s) for s in missing]
        try:
            got = await client.generate(kind, body, len(missing), seeds)
        except RequestFailed as exc:
            if exc.status in _FATAL_STATUSES:
                raise GenerateException(
                    f"the teacher at {exc.endpoint} refused the request ({exc.reason}); "
                    "check --endpoint-url, --model and --api-key"
                ) from None
            reason = "context overflow" if "context overflow" in exc.reason else "request failed"
            self.fault(i, reason, exc.reason)
            return results
        self.stats.prompt_tokens += got.prompt_tokens
        self.stats.completion_tokens += got.completion_tokens
        for s, text in zip(missing, got.texts, strict=False):
            if text is None:
                self.fault(i, "request failed", "no completion for a sample")
                continue
            cache.put(keys[s], text)
            results[s] = text
        return results


def standalone_run(block: Block, rows: int = 0) -> BlockRun:
    """A run for one block used on its own (``Block.generate``), with an in-memory cache."""
    client = block.ctx.llm() if block.ctx is not None and block.ctx.client is not None else None
    stats = BlockStats(block.block_name, type(block).__name__)
    return _StandaloneRun(CachedTeacher(client), stats)


class _StandaloneRun(BlockRun):
    def __init__(self, teacher: CachedTeacher, stats: BlockStats) -> None:
        super().__init__(teacher, stats, [])

    def place(self, i: int) -> str:
        return f"{self.teacher.leaf}/{self.stats.name}/{i}{self.scope}"

    def child(self, scope: str) -> BlockRun:
        run = _StandaloneRun(self.teacher, self.stats)
        run.scope = self.scope + "/" + scope
        return run


# -- running a pipeline ----------------------------------------------------------------------


def new_stats(pipeline: Pipeline) -> dict[str, BlockStats]:
    """Empty counters, one per block of the pipeline."""
    return {b.name: BlockStats(b.name, b.type) for b in pipeline.blocks}


async def run(
    pipeline: Pipeline,
    rows: list[Row],
    teacher: CachedTeacher,
    stats: dict[str, BlockStats] | None = None,
    first_id: int = 0,
) -> list[Row]:
    """Runs the pipeline over rows (async); ``stats`` collects per-block counters.

    Row ``i`` gets the id ``first_id + i`` (its place in the request cache), so a chunk of a
    leaf's seed rows asks exactly what the same rows ask within the whole leaf.
    """
    from instructlab.sdg.flow import run_blocks

    counters = stats if stats is not None else new_stats(pipeline)
    return await run_blocks(pipeline.blocks, rows, teacher, counters, first_id)


def generate(pipeline: Pipeline, dataset: Any, checkpoint_name: str | None = None) -> Any:
    """Runs ``pipeline`` (sync) over a ``datasets.Dataset`` or a list of dicts; returns the same
    kind. With the context's ``checkpoint_dir`` and a ``checkpoint_name``, answered requests are
    kept on disk and a second call resumes (instructlab-sdg's ``Pipeline.generate``)."""
    import asyncio
    from pathlib import Path

    from instructlab.sdg._datasets import from_rows, to_rows

    ctx = pipeline.ctx
    as_list = isinstance(dataset, list)
    rows = to_rows(dataset)
    cache_path = None
    if ctx.checkpoint_dir is not None and checkpoint_name is not None:
        cache_path = Path(ctx.checkpoint_dir) / checkpoint_name / "requests.jsonl"
    cache = RequestCache(cache_path)

    async def go() -> list[Row]:
        client = ctx.llm() if ctx.client is not None else None
        try:
            return await run(pipeline, rows, CachedTeacher(client, cache, checkpoint_name or "-"))
        finally:
            if client is not None:
                await client.aclose()

    try:
        out = asyncio.run(go())
    finally:
        cache.close()
        ctx._client = None  # its connections belonged to the finished event loop
    return out if as_list else from_rows(out)
