"""Running pipelines against the mock teacher: rows per block, dedup order, faults."""

from __future__ import annotations

from pathlib import Path

import pytest

from instructlab.llm.client import LLMClient
from instructlab.sdg import Pipeline, PipelineContext, runtime
from instructlab.testing import MockOpenAI, Rule

from .conftest import mini_rules, seed_rows, write_pipeline


def _run(pipeline_file: Path, url: str, rows: list[dict[str, str]], **client_kw: object):
    client = LLMClient(url, backoff_base=0.01, **client_kw)  # type: ignore[arg-type]
    ctx = PipelineContext(client=client, model_id="mock-teacher")
    pipe = Pipeline.from_file(ctx, pipeline_file, input_columns={"task_description"})
    stats = runtime.new_stats(pipe)

    import asyncio

    async def go():
        try:
            return await runtime.run(pipe, rows, runtime.CachedTeacher(client, leaf="leaf"), stats)
        finally:
            await client.aclose()

    return asyncio.run(go()), stats, client


def test_rows_per_block(pipeline_file: Path, mock: MockOpenAI) -> None:
    seeds = seed_rows(5)
    out, stats, _ = _run(pipeline_file, mock.base_url, seeds)
    gen, judge, filt, answer = (stats[n] for n in stats)
    assert (gen.rows_in, gen.rows_out) == (5, 10)  # 3 samples each, one duplicate dropped
    assert sum(gen.drops.values()) == 5
    assert (judge.rows_in, judge.rows_out) == (10, 10)
    assert (filt.rows_in, filt.rows_out) == (10, 5)
    assert (answer.rows_in, answer.rows_out) == (5, 5)
    assert [r["task_description"] for r in out] == [s["task_description"] for s in seeds]
    assert all(r["question"].startswith("Q0 on ") for r in out)
    assert all(r["response"] == "Answer to " + r["question"] for r in out)
    assert all(set(r) == {"task_description", "question", "response"} for r in out)
    # One request per seed for the generator (n=3 natively), one per row for the others.
    assert mock.stats.by_rule["Write questions about"] == 5
    assert mock.stats.n_values[3] == 5


def test_n_is_emulated_when_the_server_ignores_it(pipeline_file: Path) -> None:
    with MockOpenAI(mini_rules(), n_support="ignore") as server:
        out, stats, client = _run(pipeline_file, server.base_url, seed_rows(4))
        assert client.supports_n is False
        # One probing request answered with a single choice, then the missing samples one by one.
        assert server.stats.by_rule["Write questions about"] == 4 * 3
    assert stats["gen_questions"].rows_in == 4
    assert len(out) == stats["gen_answers"].rows_out > 0


def test_n_is_emulated_when_the_server_refuses_it(pipeline_file: Path) -> None:
    with MockOpenAI(mini_rules(), n_support="error") as server:
        _out, stats, client = _run(pipeline_file, server.base_url, seed_rows(3))
        assert client.supports_n is False
        assert server.stats.sequences == server.stats.completions
    assert stats["gen_questions"].rows_out > 0
    assert not stats["gen_questions"].faults


def test_dedup_keeps_the_first_in_input_order(tmp_path: Path) -> None:
    # Every seed yields the same question: only the first seed's row may survive, however
    # the replies are ordered in time.
    rules = [Rule("Write questions about", ["[Q]Q0 same[/Q]"]), *mini_rules()[1:]]
    text = (tmp_path / "x").as_posix()
    path = write_pipeline(Path(text))
    with MockOpenAI(rules, latency=0.0) as server:
        out, stats, _ = _run(path, server.base_url, seed_rows(6))
    assert stats["gen_questions"].rows_out == 1
    assert stats["gen_questions"].drops["duplicate question"] == 17
    assert [r["task_description"] for r in out] == ["task number 0"]


def test_faults_are_counted_and_skipped(pipeline_file: Path) -> None:
    rules = [
        Rule("task number 1", ["nothing parseable here"]),
        Rule("task number 2", [""]),
        Rule("task number 3", ["x"], overflow=True),
        *mini_rules(),
    ]
    with MockOpenAI(rules) as server:
        out, stats, _ = _run(pipeline_file, server.base_url, seed_rows(5))
    faults = stats["gen_questions"].faults
    assert faults["unparseable completion"] == 3
    assert faults["empty completion"] == 3
    assert faults["context overflow"] == 1
    assert sorted({r["task_description"] for r in out}) == ["task number 0", "task number 4"]


def test_failed_requests_are_retried_then_skipped(pipeline_file: Path) -> None:
    rules = [Rule("Judge this question: Q1", ["[J]YES[/J]"], error_rate=1.0), *mini_rules()]
    with MockOpenAI(rules, rate_429=0.2) as server:
        out, stats, client = _run(pipeline_file, server.base_url, seed_rows(4), max_attempts=3)
    assert stats["judge_questions"].faults["request failed"] == 4
    assert client.stats.retries >= 8
    assert len(out) == 4


def test_a_hung_request_times_out_and_is_retried(pipeline_file: Path) -> None:
    with MockOpenAI(mini_rules(), hang_rate=0.3) as server:
        out, _stats, client = _run(
            pipeline_file, server.base_url, seed_rows(4), timeout=0.5, max_attempts=6
        )
        hung = server.stats.hung
    assert hung > 0
    assert client.stats.timeouts >= hung
    assert len(out) == 4


@pytest.mark.parametrize("supports", ["yes", "ignore"])
def test_output_is_deterministic(pipeline_file: Path, supports: str) -> None:
    outs = []
    for _ in range(2):
        with MockOpenAI(mini_rules(), n_support=supports) as server:
            out, _, _ = _run(pipeline_file, server.base_url, seed_rows(6))
        outs.append(out)
    assert outs[0] == outs[1]


def test_rows_enter_as_the_limiter_admits_them(pipeline_file: Path) -> None:
    from instructlab.llm.limiter import AdaptiveLimiter

    peak = 0
    admit = AdaptiveLimiter.admit_row

    async def counting(self: AdaptiveLimiter) -> None:
        nonlocal peak
        await admit(self)
        peak = max(peak, self.rows)

    seeds = seed_rows(40)
    with MockOpenAI(mini_rules()) as server:
        wide, _, _ = _run(pipeline_file, server.base_url, seeds)
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(AdaptiveLimiter, "admit_row", counting)
            narrow, stats, _ = _run(pipeline_file, server.base_url, seeds, max_concurrency=2)
    # 40 seeds -> 80 questions, but never more than 16 rows (twice the limit, at least 16)
    # under way at once; the output does not depend on how many were.
    assert stats["judge_questions"].rows_in == 80
    assert 0 < peak <= 16
    assert narrow == wide


def test_n_is_emulated_when_the_server_fails_it_like_llama_cpp(pipeline_file: Path) -> None:
    # llama.cpp's server answers n > 1 with HTTP 500 "Only one completion choice is allowed":
    # the first such answer switches to one request per sample, without retrying n.
    rows = seed_rows(4)
    with MockOpenAI(mini_rules(), n_support="server-error") as server:
        _out, stats, client = _run(pipeline_file, server.base_url, rows)
        assert client.supports_n is False
        assert server.stats.n_values[3] <= len(rows)  # at most the first requests, in flight
        assert server.stats.by_rule["Write questions about"] - server.stats.n_values[3] == 12
    assert stats["gen_questions"].rows_out > 0
    assert not stats["gen_questions"].faults
