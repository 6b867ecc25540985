"""Whole runs: several leaves, the run report, and resume after a kill."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from instructlab.llm.client import LLMClient
from instructlab.sdg import Pipeline, PipelineContext
from instructlab.sdg.runner import LeafJob, run_leaves
from instructlab.testing import MockOpenAI, Rule

from .conftest import mini_rules, seed_rows, write_pipeline

_SCRIPT = r"""
import asyncio, json, sys
from instructlab.sdg import Pipeline, PipelineContext
from instructlab.llm.client import LLMClient
from instructlab.sdg.runner import LeafJob, run_leaves

url, pipe_file, run_dir = sys.argv[1:4]
client = LLMClient(url, max_concurrency=4)
ctx = PipelineContext(client=client, model_id="mock-teacher")
pipe = Pipeline.from_file(ctx, pipe_file)
jobs = [
    LeafJob(f"leaf{k}", "freeform_skill",
            [{"task_description": f"leaf {k} task {i}"} for i in range(20)], pipe)
    for k in range(2)
]
report, rows = asyncio.run(run_leaves(jobs, client, run_dir))
print(json.dumps({"rows": rows, "cached": report.cached_samples}))
"""


def _generate(url: str, pipe: Path, run_dir: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _SCRIPT, url, str(pipe), str(run_dir)],
        stdout=subprocess.PIPE,
        text=True,
    )


def test_resume_after_a_kill_resends_nothing_answered(tmp_path: Path) -> None:
    pipe = write_pipeline(tmp_path / "pipe")
    with MockOpenAI(mini_rules(), latency=0.03) as full:
        proc = _generate(full.base_url, pipe, tmp_path / "full")
        expected = json.loads(proc.communicate(timeout=120)[0])
        assert proc.returncode == 0
        total = full.stats.requests
    assert total >= 100

    with MockOpenAI(mini_rules(), latency=0.03) as server:
        proc = _generate(server.base_url, pipe, tmp_path / "killed")
        deadline = time.monotonic() + 60
        while server.stats.completions < total // 2 and time.monotonic() < deadline:
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert proc.stdout is not None
        proc.stdout.close()
        answered_at_kill = server.stats.completions
        assert 0.3 <= answered_at_kill / total <= 0.7
        proc = _generate(server.base_url, pipe, tmp_path / "killed")
        resumed = json.loads(proc.communicate(timeout=120)[0])
        assert proc.returncode == 0
        sent = server.stats.requests

    # Only requests in flight at the kill (at most the concurrency, 4) are sent again.
    assert total <= sent <= total + 4
    assert resumed["cached"] >= answered_at_kill
    assert resumed["rows"] == expected["rows"]


def test_report_counts_and_empty_leaf(tmp_path: Path) -> None:
    pipe_file = write_pipeline(tmp_path / "pipe")
    rules = [Rule("leaf1", ["[Q]Q1 never accepted[/Q]"]), *mini_rules()]
    with MockOpenAI(rules) as server:
        client = LLMClient(server.base_url)
        ctx = PipelineContext(client=client, model_id="mock-teacher")
        pipe = Pipeline.from_file(ctx, pipe_file)
        jobs = [
            LeafJob(
                f"leaf{k}",
                "freeform_skill",
                [{"task_description": f"leaf{k} t{i}"} for i in range(3)],
                pipe,
            )
            for k in range(2)
        ]

        async def go():
            try:
                return await run_leaves(jobs, client, tmp_path / "run")
            finally:
                await client.aclose()

        report, rows = asyncio.run(go())
    assert [leaf.rows_out for leaf in report.leaves] == [3, 0]
    assert not report.ok
    assert [leaf.leaf for leaf in report.failed_leaves] == ["leaf1"]
    assert report.requests == server.stats.requests
    assert report.drops["filter_questions: filtered: judgment eq 'YES' is false"] == 3 + 1
    saved = json.loads((tmp_path / "run" / "report.json").read_text())
    assert saved["ok"] is False
    assert rows["leaf0"] and rows["leaf1"] == []


def test_live_progress_shows_leaves_and_blocks(tmp_path: Path) -> None:
    from rich.console import Console

    from instructlab.sdg.progress import LiveProgress

    pipe_file = write_pipeline(tmp_path / "pipe")
    with MockOpenAI(mini_rules()) as server:
        client = LLMClient(server.base_url)
        pipe = Pipeline.from_file(PipelineContext(client=client, model_id="m"), pipe_file)
        jobs = [LeafJob("skills/poems", "freeform_skill", seed_rows(4), pipe)]
        console = Console(record=True, width=150)
        progress = LiveProgress(console, client)

        async def go():
            try:
                return await run_leaves(jobs, client, tmp_path / "run", on_start=progress.attach)
            finally:
                await client.aclose()

        asyncio.run(go())
    console.print(progress.render())
    text = console.export_text()
    assert "skills/poems" in text
    assert "gen_answers" in text
    assert f"{server.stats.requests} requests" in text


def test_progress_goes_to_a_log_as_lines(tmp_path: Path) -> None:
    import io

    from rich.console import Console

    from instructlab.sdg.progress import LiveProgress

    pipe_file = write_pipeline(tmp_path / "pipe")
    log = io.StringIO()
    console = Console(file=log, width=100)  # not a terminal: a detached run's log
    with MockOpenAI(mini_rules(), latency=0.05) as server:
        client = LLMClient(server.base_url, max_concurrency=2)
        pipe = Pipeline.from_file(PipelineContext(client=client, model_id="m"), pipe_file)
        jobs = [LeafJob("skills/poems", "freeform_skill", seed_rows(8), pipe)]
        progress = LiveProgress(console, client, log_every=0.1)

        async def go():
            task = asyncio.create_task(progress.run())
            try:
                return await run_leaves(jobs, client, tmp_path / "run", on_start=progress.attach)
            finally:
                task.cancel()
                await client.aclose()

        asyncio.run(go())
    lines = [line for line in log.getvalue().splitlines() if line.startswith("progress: ")]
    assert len(lines) >= 2, log.getvalue()
    assert "in flight" in lines[-1] and "requests" in lines[-1] and "ETA" in lines[-1]
    assert "┏" not in log.getvalue()  # no live table in a log
