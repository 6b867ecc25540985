"""The live view of ``ilab data generate``, fed the events of a real run."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

from rich.console import Console

from instructlab.cli._generate_progress import LiveProgress
from instructlab.llm.client import LLMClient
from instructlab.sdg import LocalExecutor, Pipeline, PipelineContext
from instructlab.testing import MockOpenAI
from sdg.conftest import make_shards, mini_rules, seed_rows, write_pipeline


def _run(view: LiveProgress, server: MockOpenAI, pipe_file: Path, run_dir: Path, **kw: object):
    client = LLMClient(server.base_url, **kw)  # type: ignore[arg-type]
    pipe = Pipeline.from_file(PipelineContext(client=client, model_id="m"), pipe_file)
    shards = make_shards(pipe, {"skills/poems": seed_rows(8)})

    async def go() -> None:
        try:
            await LocalExecutor(client, progress_every=0.05).run(shards, run_dir, view)
        finally:
            await client.aclose()

    asyncio.run(go())


def test_the_view_shows_leaves_blocks_and_the_teacher(tmp_path: Path) -> None:
    pipe_file = write_pipeline(tmp_path / "pipe")
    view = LiveProgress(Console(record=True, width=150))
    with MockOpenAI(mini_rules()) as server:
        _run(view, server, pipe_file, tmp_path / "run")
    view.console.print(view.render())
    text = view.console.export_text()
    assert "skills/poems" in text and "gen_answers" in text
    assert f"{server.stats.requests} requests" in text
    assert "100% of the seed rows done" in text
    # A second view of the same run: the shard is read back, shown as done, nothing sent.
    again = LiveProgress(Console(record=True, width=150))
    with MockOpenAI(mini_rules()) as server:
        _run(again, server, pipe_file, tmp_path / "run")
        assert server.stats.requests == 0
    assert "100% of the seed rows done" in again.summary()


def test_progress_goes_to_a_log_as_lines(tmp_path: Path) -> None:
    pipe_file = write_pipeline(tmp_path / "pipe")
    log = io.StringIO()
    view = LiveProgress(Console(file=log, width=100), log_every=0.1)  # not a terminal: a log
    with MockOpenAI(mini_rules(), latency=0.05) as server, view.shown():
        _run(view, server, pipe_file, tmp_path / "run", max_concurrency=2)
    lines = [line for line in log.getvalue().splitlines() if line.startswith("progress: ")]
    assert len(lines) >= 2, log.getvalue()
    assert "in flight" in lines[-1] and "requests" in lines[-1] and "ETA" in lines[-1]
    assert "┏" not in log.getvalue()  # no live table in a log
