"""A generation run over many leaves: all leaves at once, resumable, with a report.

A run lives in a directory: ``requests.jsonl`` (the request cache), ``generated/LEAF.jsonl``
(each finished leaf's rows, written atomically), ``generated/LEAF.report.json`` and
``report.json``. Running it again skips finished leaves and answers every request already
answered from the cache, so the output equals an uninterrupted run's.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from instructlab.sdg.cache import RequestCache
from instructlab.sdg.report import LeafReport, RunReport
from instructlab.sdg.runtime import BlockStats, Engine

if TYPE_CHECKING:
    from collections.abc import Callable

    from instructlab.sdg.block import Row
    from instructlab.sdg.client import LLMClient
    from instructlab.sdg.pipeline import Pipeline

__all__ = ["LeafJob", "leaf_slug", "run_leaves"]


@dataclass
class LeafJob:
    """One leaf to generate for: its seed rows and the pipeline for its kind."""

    name: str
    kind: str
    rows: list[Row]
    pipeline: Pipeline
    pipeline_name: str = ""


def leaf_slug(name: str) -> str:
    """A file name for a leaf path (``a/b/c`` -> ``a_b_c``)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name.strip("/")) or "leaf"


def _write_jsonl_atomic(path: Path, rows: list[Row]) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(path)


def read_jsonl(path: Path) -> list[Row]:
    """Rows of a JSON-lines file."""
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _stats_from_dict(d: dict[str, Any]) -> BlockStats:
    from collections import Counter

    return BlockStats(
        d["block"],
        d["type"],
        d["rows_in"],
        d["rows_out"],
        0,
        Counter(d.get("drops", {})),
        Counter(d.get("faults", {})),
        d.get("llm_calls", 0),
        d.get("cached_samples", 0),
        d.get("sent_samples", 0),
        d.get("prompt_tokens", 0),
        d.get("completion_tokens", 0),
    )


async def run_leaves(
    jobs: list[LeafJob],
    client: LLMClient | None,
    run_dir: str | Path,
    *,
    on_start: Callable[[list[tuple[LeafJob, dict[str, BlockStats]]]], None] | None = None,
) -> tuple[RunReport, dict[str, list[Row]]]:
    """Runs every leaf (concurrently); returns the report and each leaf's rows."""
    run_dir = Path(run_dir)
    out_dir = run_dir / "generated"
    out_dir.mkdir(parents=True, exist_ok=True)
    cache = RequestCache(run_dir / "requests.jsonl")
    report = RunReport(str(run_dir))
    started = time.monotonic()
    results: dict[str, list[Row]] = {}
    live: list[tuple[LeafJob, dict[str, BlockStats]]] = []
    leaf_reports: dict[str, LeafReport] = {}

    for job in jobs:
        leaf_reports[job.name] = LeafReport(job.name, job.kind, job.pipeline_name, len(job.rows))
        live.append((job, job.pipeline.new_stats()))
    if on_start is not None:
        on_start(live)

    async def one(job: LeafJob, stats: dict[str, BlockStats]) -> None:
        leaf = leaf_reports[job.name]
        slug = leaf_slug(job.name)
        out_path = out_dir / f"{slug}.jsonl"
        stats_path = out_dir / f"{slug}.report.json"
        leaf.output = str(out_path)
        # A leaf that yielded nothing is run again (from the cache, answered requests are free).
        done = read_jsonl(out_path) if out_path.exists() and stats_path.exists() else []
        if done:
            rows = done
            saved = json.loads(stats_path.read_text(encoding="utf-8"))
            leaf.blocks = [_stats_from_dict(b) for b in saved.get("blocks", [])]
            leaf.rows_out = len(rows)
            leaf.resumed = True
            results[job.name] = rows
            return
        engine = Engine(client, cache, job.name)
        rows = await job.pipeline.run(job.rows, engine, stats)
        leaf.blocks = list(stats.values())
        leaf.rows_out = len(rows)
        results[job.name] = rows
        _write_jsonl_atomic(out_path, rows)
        stats_path.write_text(json.dumps(leaf.as_dict(), indent=1), encoding="utf-8")

    try:
        await asyncio.gather(*(one(job, stats) for job, stats in live))
    finally:
        cache.close()
    report.leaves = [leaf_reports[job.name] for job in jobs]
    report.cached_samples = sum(
        b.cached_samples for leaf in report.leaves for b in leaf.blocks if not leaf.resumed
    )
    if client is not None:
        report.add_client(client.stats)
        report.peak_concurrency = client.limiter.peak_limit
    report.seconds = time.monotonic() - started
    report.write(run_dir / "report.json")
    return report, results
