"""A generation run over many leaves: all leaves at once, resumable, with a report.

A run lives in a directory: ``requests.jsonl`` (the request cache), ``generated/LEAF.jsonl``
(each finished leaf's rows, written atomically), ``generated/LEAF.report.json`` and
``report.json``. Running it again skips finished leaves and answers every request already
answered from the cache, so the output equals an uninterrupted run's.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from instructlab.errors import FileError
from instructlab.fileio import atomic_write_text, read_jsonl, read_text, write_jsonl
from instructlab.llm.cache import RequestCache
from instructlab.sdg.report import LeafReport, RunReport
from instructlab.sdg.runtime import BlockStats, Engine

if TYPE_CHECKING:
    from collections.abc import Callable

    from instructlab.llm.client import LLMClient
    from instructlab.sdg.block import Row
    from instructlab.sdg.pipeline import Pipeline

__all__ = ["LeafJob", "leaf_slug", "run_leaves"]

log = logging.getLogger("instructlab.sdg")


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


def _finished_leaf(rows_file: Path, stats_file: Path) -> tuple[list[Row], dict[str, Any]]:
    """The rows and saved statistics of a leaf an earlier run finished, or ``([], {})``.

    A damaged file (a kill during a copy, a disk error, an edit by hand) makes the leaf count as
    unfinished: it runs again, and the request cache answers what was answered before.
    """
    if not (rows_file.exists() and stats_file.exists()):
        return [], {}
    try:
        rows = read_jsonl(rows_file)
        saved = json.loads(read_text(stats_file))
        blocks = saved.get("blocks", []) if isinstance(saved, dict) else None
        if not isinstance(blocks, list):
            raise ValueError("not a leaf report")
        for block in blocks:
            _stats_from_dict(block)
    except FileError as exc:
        problem = exc.message
    except (ValueError, KeyError, TypeError) as exc:
        problem = f"{stats_file}: not a valid leaf report ({exc})"
    else:
        return rows, saved
    log.warning("%s; generating this leaf again (answered requests come from the cache)", problem)
    return [], {}


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
        done, saved = _finished_leaf(out_path, stats_path)
        if done:
            rows = done
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
        write_jsonl(out_path, rows, default=str)
        atomic_write_text(stats_path, json.dumps(leaf.as_dict(), indent=1))

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
