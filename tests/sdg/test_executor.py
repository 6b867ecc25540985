"""The local executor: shards run at once, each with its own files, resume after a kill, events."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from instructlab.fileio import read_jsonl
from instructlab.llm.client import LLMClient
from instructlab.sdg import LocalExecutor, Pipeline, PipelineContext
from instructlab.sdg.events import (
    GenerateEvent,
    ShardFinished,
    ShardProgress,
    ShardStarted,
    TeacherProgress,
)
from instructlab.sdg.shard import Shard, ShardFiles
from instructlab.testing import Call, MockOpenAI, Rule

from .conftest import make_shards, mini_rules, seed_rows, write_pipeline

_SCRIPT = r"""
import asyncio, json, sys
from pathlib import Path
from instructlab.fileio import read_jsonl
from instructlab.llm.client import LLMClient
from instructlab.sdg import LocalExecutor, Pipeline, PipelineContext
sys.path.insert(0, sys.argv[4])
from sdg.conftest import make_shards

url, pipe_file, run_dir = sys.argv[1:4]
client = LLMClient(url, max_concurrency=4)
pipe = Pipeline.from_file(PipelineContext(client=client, model_id="mock-teacher"), pipe_file)
leaves = {f"leaf{k}": [{"task_description": f"leaf {k} task {i}"} for i in range(20)]
          for k in range(2)}

async def go():
    try:
        return await LocalExecutor(client).run(make_shards(pipe, leaves), Path(run_dir), print)
    finally:
        await client.aclose()

finished = asyncio.run(go())
rows = {f.name: read_jsonl(f.output) for f in finished}
cached = sum(b.cached_samples for f in finished if not f.resumed for b in f.blocks)
print("RESULT " + json.dumps({"rows": rows, "cached": cached}))
"""


def _generate(url: str, pipe: Path, run_dir: Path) -> subprocess.Popen[str]:
    tests = Path(__file__).resolve().parents[1]
    return subprocess.Popen(
        [sys.executable, "-c", _SCRIPT, url, str(pipe), str(run_dir), str(tests)],
        stdout=subprocess.PIPE,
        text=True,
    )


def _result(out: str) -> dict[str, object]:
    (line,) = [x for x in out.splitlines() if x.startswith("RESULT ")]
    return json.loads(line[len("RESULT ") :])  # type: ignore[no-any-return]


def test_resume_after_a_kill_resends_nothing_answered(tmp_path: Path) -> None:
    pipe = write_pipeline(tmp_path / "pipe")
    with MockOpenAI(mini_rules(), latency=0.03) as full:
        proc = _generate(full.base_url, pipe, tmp_path / "full")
        expected = _result(proc.communicate(timeout=120)[0])
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
        resumed = _result(proc.communicate(timeout=120)[0])
        assert proc.returncode == 0
        sent = server.stats.requests

    # Only requests in flight at the kill (at most the concurrency, 4) are sent again.
    assert total <= sent <= total + 4
    assert resumed["cached"] >= answered_at_kill  # type: ignore[operator]
    assert resumed["rows"] == expected["rows"]
    # Each shard kept its own request cache and, once done, its rows and completion marker.
    folders = sorted((tmp_path / "killed" / "shards").iterdir())
    assert [f.name.split("-")[0] for f in folders] == ["leaf0", "leaf1"]
    for folder in folders:
        assert {p.name for p in folder.iterdir()} == {"requests.jsonl", "rows.jsonl", "done.json"}


def _run(
    client: LLMClient,
    shards: list[Shard],
    run_dir: Path,
    events: list[GenerateEvent] | None = None,
    **kw: float,
) -> list[ShardFinished]:
    seen = events if events is not None else []

    async def go() -> list[ShardFinished]:
        try:
            return await LocalExecutor(client, **kw).run(shards, run_dir, seen.append)
        finally:
            await client.aclose()

    return asyncio.run(go())


def test_shards_of_one_leaf_ask_what_the_whole_leaf_asks(tmp_path: Path) -> None:
    pipe_file = write_pipeline(tmp_path / "pipe")
    leaves = {"skills/poems": seed_rows(7)}
    outputs = {}
    for label, size in (("whole", None), ("chunked", 3)):
        asked: list[tuple[str, int | None, int]] = []

        def record(call: Call, asked: list[tuple[str, int | None, int]] = asked) -> bool:
            asked.append((call.prompt, call.seed, call.choice))
            return False  # only watches; the mini rules answer

        with MockOpenAI([Rule(record, []), *mini_rules()]) as server:
            client = LLMClient(server.base_url)
            pipe = Pipeline.from_file(PipelineContext(client=client, model_id="m"), pipe_file)
            shards = make_shards(pipe, leaves, shard_rows=size)
            finished = _run(client, shards, tmp_path / label)
        outputs[label] = ([r for f in finished for r in read_jsonl(f.output)], sorted(asked))
    assert len(shards) == 3
    assert len(list((tmp_path / "chunked" / "shards").iterdir())) == 3
    # Seed rows keep their ids across chunks: the same requests, so the same rows.
    assert outputs["chunked"] == outputs["whole"]


def test_events_tell_the_run_and_a_finished_shard_is_read_back(tmp_path: Path) -> None:
    pipe_file = write_pipeline(tmp_path / "pipe")
    with MockOpenAI(mini_rules(), latency=0.05) as server:
        client = LLMClient(server.base_url, max_concurrency=2)
        pipe = Pipeline.from_file(PipelineContext(client=client, model_id="m"), pipe_file)
        shards = make_shards(pipe, {"a": seed_rows(4), "b": seed_rows(2)})
        events: list[GenerateEvent] = []
        first = _run(client, shards, tmp_path / "run", events, progress_every=0.05)
        sent = server.stats.requests
        started = [e.name for e in events if isinstance(e, ShardStarted)]
        assert sorted(started) == ["a", "b"]
        assert any(isinstance(e, ShardProgress) for e in events)
        (final,) = [e for e in events if isinstance(e, TeacherProgress) and e.final]
        assert events[-1] is final
        assert final.teacher.requests == sent and final.teacher.inflight == 0
        assert [f.name for f in first] == ["a", "b"] and not any(f.resumed for f in first)
        # Run again: every shard is finished on storage, read back; nothing is sent.
        client = LLMClient(server.base_url)
        again: list[GenerateEvent] = []
        second = _run(client, shards, tmp_path / "run", again)
        assert server.stats.requests == sent
    assert not [e for e in again if isinstance(e, ShardStarted)]
    assert all(f.resumed for f in second)
    assert [read_jsonl(f.output) for f in second] == [read_jsonl(f.output) for f in first]
    assert [f.blocks for f in second] == [f.blocks for f in first]


def test_a_damaged_completion_marker_runs_the_shard_again_from_its_cache(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pipe_file = write_pipeline(tmp_path / "pipe")
    with MockOpenAI(mini_rules()) as server:
        client = LLMClient(server.base_url)
        pipe = Pipeline.from_file(PipelineContext(client=client, model_id="m"), pipe_file)
        shards = make_shards(pipe, {"a": seed_rows(3)})
        (first,) = _run(client, shards, tmp_path / "run")
        sent = server.stats.requests
        files = ShardFiles(first.output.parent)
        files.marker.write_text("{not json", encoding="utf-8")
        with caplog.at_level(logging.WARNING, logger="instructlab.sdg"):
            (again,) = _run(LLMClient(server.base_url), shards, tmp_path / "run")
        assert server.stats.requests == sent  # every answer came from the shard's cache
    assert "not a valid completion marker" in caplog.text
    assert not again.resumed
    assert read_jsonl(again.output) == read_jsonl(first.output)
    assert json.loads(files.marker.read_text())["key"] == shards[0].key
    # Damaged rows (binary garbage from a disk fault, a cut line) are found the same way.
    for damage in (b"\xff\xfe\x00binary\n", b'{"ok": 1}\n{cut'):
        files.rows.write_bytes(damage)
        with MockOpenAI(mini_rules()) as server:
            (again,) = _run(LLMClient(server.base_url), shards, tmp_path / "run")
            assert server.stats.requests == 0
        assert read_jsonl(again.output) == read_jsonl(first.output)


def test_a_refused_request_stops_every_shard(tmp_path: Path) -> None:
    from instructlab.sdg.errors import GenerateException

    pipe_file = write_pipeline(tmp_path / "pipe")
    with MockOpenAI(mini_rules(), latency=0.02, api_key="sk-right") as server:
        client = LLMClient(server.base_url, api_key="sk-wrong", max_concurrency=2)
        pipe = Pipeline.from_file(PipelineContext(client=client, model_id="m"), pipe_file)
        shards = make_shards(pipe, {"a": seed_rows(2), "b": seed_rows(5)})
        with pytest.raises(GenerateException, match="refused the request"):
            _run(client, shards, tmp_path / "run")
        assert server.stats.requests <= 2  # the others were stopped, not sent
    markers = list((tmp_path / "run" / "shards").glob("*/done.json"))
    assert markers == []


def test_report_counts_and_empty_leaf(tmp_path: Path) -> None:
    pipe_file = write_pipeline(tmp_path / "pipe")
    rules = [Rule("leaf1", ["[Q]Q1 never accepted[/Q]"]), *mini_rules()]
    with MockOpenAI(rules) as server:
        client = LLMClient(server.base_url)
        pipe = Pipeline.from_file(PipelineContext(client=client, model_id="m"), pipe_file)
        leaves = {f"leaf{k}": [{"task_description": f"leaf{k} t{i}"} for i in range(3)]
                  for k in range(2)}  # fmt: skip
        events: list[GenerateEvent] = []
        finished = _run(client, make_shards(pipe, leaves), tmp_path / "run", events)
    assert [f.rows_out for f in finished] == [3, 0]
    teacher = next(e.teacher for e in events if isinstance(e, TeacherProgress) and e.final)
    assert teacher.requests == server.stats.requests
    filtered = [
        b.drops.get("filtered: judgment eq 'YES' is false", 0)
        for f in finished
        for b in f.blocks
        if b.name == "filter_questions"
    ]
    assert sum(filtered) == 3 + 1
    assert read_jsonl(finished[1].output) == []
