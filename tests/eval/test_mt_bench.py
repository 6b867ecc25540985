"""MT-Bench end to end over real HTTP: the SDK against the mock model and the mock judge."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest

from eval.skills_mock import QUESTIONS, expected_score, mock_rules, sdk_options
from instructlab.config import Config
from instructlab.core import Model
from instructlab.errors import FileError, RequestFailed, UsageError
from instructlab.eval.mt_bench import FastChatGrader
from instructlab.eval.mt_bench_data import load_mt_bench_data
from instructlab.eval.skills_report import render_mt_bench
from instructlab.testing import MockOpenAI


def _sdk() -> Model:
    return Model(configuration=Config())


def test_scores_follow_the_question_and_turn_the_judge_reads(mock, mt_data, tmp_path) -> None:
    out = tmp_path / "out"
    result = _sdk().evaluate_mt_bench("mock-model", mt_bench_data=mt_data, **sdk_options(mock, out))
    turn1 = [expected_score(q, 1) for q, _, _ in QUESTIONS]
    turn2 = [expected_score(q, 2) for q, _, _ in QUESTIONS]
    assert result.errors == 0
    assert result.judgments == 8
    assert result.turn_scores[0].value == pytest.approx(statistics.fmean(turn1))
    assert result.turn_scores[1].value == pytest.approx(statistics.fmean(turn2))
    assert result.overall.value == pytest.approx(statistics.fmean(turn1 + turn2))
    writing = [expected_score(q, t) for q, c, _ in QUESTIONS if c == "writing" for t in (1, 2)]
    assert result.categories["writing"].value == pytest.approx(statistics.fmean(writing))
    for e in [result.overall, *result.turn_scores, *result.categories.values()]:
        assert e.low <= e.value <= e.high

    # FastChat's files: one answer line per question, one judgment line per turn.
    answers = [json.loads(x) for x in result.files["answers"].read_text().splitlines()]
    assert {a["question_id"] for a in answers} == {q for q, _, _ in QUESTIONS}
    assert answers[0]["choices"][0]["turns"][0].startswith("(a:")
    judged = [json.loads(x) for x in result.files["judgments"].read_text().splitlines()]
    assert len(judged) == 8
    assert {j["judge"][1] for j in judged} == {
        "single-v1",
        "single-v1-multi-turn",
        "single-math-v1",
        "single-math-v1-multi-turn",
    }
    saved = json.loads(result.files["results"].read_text())
    assert saved["overall_score"] == pytest.approx(result.overall.value)
    assert saved["error_rate"] == 0.0
    assert result.files["plot"].read_bytes()[:4] == b"\x89PNG"

    report = render_mt_bench(result)
    assert report.startswith("# SKILL EVALUATION REPORT")
    assert "### TURN TWO (0.0 to 10.0):" in report
    assert "### ERROR RATE:\n0.0 (0 of 8" in report
    assert grader_hash(mt_data) in report


def grader_hash(mt_data: Path) -> str:
    return FastChatGrader(load_mt_bench_data(mt_data)).prompt_id


def test_a_swapped_turn_shows_as_a_judge_error(mock, mt_data, tmp_path, monkeypatch) -> None:
    original = FastChatGrader.messages

    def swapped(self, question, answers, turn):  # the second turn's answers in reverse order
        return original(self, question, list(reversed(answers)) if turn == 2 else answers, turn)

    monkeypatch.setattr(FastChatGrader, "messages", swapped)
    result = _sdk().evaluate_mt_bench(
        "mock-model", mt_bench_data=mt_data, **sdk_options(mock, tmp_path / "out")
    )
    assert result.errors == 4  # every turn-2 judgment, and only those
    assert result.error_rate == 0.5
    assert result.turn_scores[1] is None
    assert "### ERROR RATE:\n0.5 (4 of 8" in render_mt_bench(result)


def test_judge_samples_give_the_median_and_an_interval(mt_data, tmp_path) -> None:
    with MockOpenAI(mock_rules(noise=True)) as noisy:
        result = _sdk().evaluate_mt_bench(
            "mock-model",
            mt_bench_data=mt_data,
            judge_samples=3,
            **sdk_options(noisy, tmp_path / "out"),
        )
        sent = noisy.stats.requests
    assert result.judge_samples == 3
    assert result.judge_temperature == 0.7
    assert result.judgments == 24
    assert sent == 8 + 24  # answers, then three samples per judgment
    judged = [json.loads(x) for x in result.files["judgments"].read_text().splitlines()]
    for line in judged:
        assert len(line["samples"]) == 3
        assert line["score"] == statistics.median(line["sample_scores"])
    assert result.overall.high > result.overall.low


def test_a_run_started_again_sends_nothing_it_has(mock, mt_data, tmp_path) -> None:
    out = tmp_path / "out"
    first = _sdk().evaluate_mt_bench("mock-model", mt_bench_data=mt_data, **sdk_options(mock, out))
    sent = mock.stats.requests
    again = _sdk().evaluate_mt_bench("mock-model", mt_bench_data=mt_data, **sdk_options(mock, out))
    assert mock.stats.requests == sent
    assert (again.requests_sent, again.requests_cached) == (0, first.requests_sent)
    assert again.overall == first.overall
    _sdk().evaluate_mt_bench(
        "mock-model", mt_bench_data=mt_data, new_run=True, **sdk_options(mock, out)
    )
    assert mock.stats.requests == 2 * sent


def test_a_judge_that_does_not_answer_is_named(mt_data, tmp_path, mock) -> None:
    options = sdk_options(mock, tmp_path / "out")
    options["judge_endpoint_url"] = "http://127.0.0.1:9/v1"
    with pytest.raises(RequestFailed) as caught:
        _sdk().evaluate_mt_bench("mock-model", mt_bench_data=mt_data, **options)
    assert "judge" in caught.value.message
    assert "127.0.0.1:9" in caught.value.message
    assert mock.stats.requests == 0  # nothing asked of the model before the judge is known


def test_no_data_says_where_to_put_it(mock, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr("instructlab.eval.mt_bench_data._packaged", lambda: [])
    with pytest.raises(FileError) as caught:
        _sdk().evaluate_mt_bench("mock-model", **sdk_options(mock, tmp_path / "out"))
    message = caught.value.message
    assert "mt_bench_data" in message
    assert "question.jsonl" in message
    assert "--mt-bench-data" in message
    with pytest.raises(FileError, match="holds no MT-Bench data"):
        _sdk().evaluate_mt_bench(
            "mock-model", mt_bench_data=tmp_path, **sdk_options(mock, tmp_path / "out")
        )


def test_data_with_a_prompt_missing_is_named(mt_data, tmp_path) -> None:
    prompts = mt_data / "judge_prompts.jsonl"
    prompts.write_text(prompts.read_text().splitlines()[0] + "\n")
    with pytest.raises(FileError, match="single-math-v1"):
        load_mt_bench_data(mt_data)
    (mt_data / "judge_prompts.jsonl").unlink()
    with pytest.raises(FileError, match="judge prompts"):
        load_mt_bench_data(mt_data / "mt_bench")


def test_zero_judge_temperature_with_samples_is_refused(mock, mt_data, tmp_path) -> None:
    with pytest.raises(UsageError) as caught:
        _sdk().evaluate_mt_bench(
            "mock-model",
            mt_bench_data=mt_data,
            judge_samples=2,
            judge_temperature=0.0,
            **sdk_options(mock, tmp_path / "out"),
        )
    assert caught.value.param == "judge_temperature"


def test_a_local_judge_that_is_not_there_is_named_before_anything_runs(
    mock, mt_data, tmp_path
) -> None:
    options = sdk_options(mock, tmp_path / "out")
    del options["judge_endpoint_url"]
    options["judge_model"] = str(tmp_path / "no-such-judge.gguf")
    with pytest.raises(UsageError) as caught:
        _sdk().evaluate_mt_bench("mock-model", mt_bench_data=mt_data, **options)
    assert caught.value.param == "judge_model"
    assert "no-such-judge" in caught.value.message
    assert mock.stats.requests == 0
