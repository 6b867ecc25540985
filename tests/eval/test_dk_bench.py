"""DK-Bench end to end against the mock: questions JSONL in, graded rows out as JSONL and CSV."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from eval.skills_mock import expected_score
from instructlab.config import Config
from instructlab.core import Model
from instructlab.errors import FileError, UsageError
from instructlab.eval.skills_report import render_dk_bench
from instructlab.testing import Call, MockOpenAI, Rule


def _rows(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _dk_judge(call: Call) -> str:
    """Grades 1-5 from the question id, only when the reference and answer are its own."""
    text = call.last_user
    qid = text.split("[q:", 1)[1].split("/", 1)[0] if "[q:" in text else None
    ok = qid and f"<r:{qid}/t:1>" in text and f"(a:{qid}/t:1)" in text
    return f"[[{expected_score(qid, 1) % 5 + 1}]]" if ok else "no grade"


def _model(call: Call) -> str:
    qid = call.last_user.split("[q:", 1)[1].split("/", 1)[0]
    return f"(a:{qid}/t:1) an answer"


@pytest.fixture
def mock():
    rules = [Rule(lambda c: "You check answers" in c.prompt, _dk_judge), Rule("", _model)]
    with MockOpenAI(rules) as server:
        yield server


def _questions(tmp_path: Path, with_response: bool = False) -> Path:
    rows = []
    for qid in ("81", "82", "83"):
        row = {"user_input": f"[q:{qid}/t:1] Question {qid}?", "reference": f"<r:{qid}/t:1> A."}
        if with_response:
            row["response"] = f"(a:{qid}/t:1) given"
        rows.append(row)
    return _rows(tmp_path / "questions.jsonl", rows)


def _run(mock: MockOpenAI, questions: Path, out: Path, **extra):
    return Model(configuration=Config()).evaluate_dk_bench(
        "mock-model",
        "mock-judge",
        input_questions=questions,
        output_dir=out,
        endpoint_url=mock.base_url,
        judge_endpoint_url=mock.base_url,
        **extra,
    )


def test_answers_are_graded_with_the_rubric(mock, tmp_path) -> None:
    result = _run(mock, _questions(tmp_path), tmp_path / "out", output_file_formats="jsonl,csv")
    expected = [expected_score(q, 1) % 5 + 1 for q in ("81", "82", "83")]
    assert result.scores == expected
    assert result.errors == 0
    assert result.average.value == pytest.approx(sum(expected) / 3)
    assert result.total == sum(expected)
    rows = [json.loads(x) for x in result.files["jsonl"].read_text().splitlines()]
    assert [r["scores"] for r in rows] == expected
    assert {r["model_name"] for r in rows} == {"mock-model"}
    assert set(rows[0]) >= {"user_input", "reference", "response", "model_name", "timestamp"}
    with result.files["csv"].open(newline="") as handle:
        table = list(csv.DictReader(handle))
    assert [float(r["scores"]) for r in table] == expected
    assert result.files["jsonl"].parent == tmp_path / "out" / "mock-model"
    report = render_dk_bench(result)
    assert report.startswith("# DK-BENCH REPORT")
    assert f"Question #1:     {expected[0]}/5" in report
    assert f"Total Score:     {sum(expected)}/15" in report


def test_given_responses_are_graded_without_asking_a_model(mock, tmp_path) -> None:
    result = _run(mock, _questions(tmp_path, with_response=True), tmp_path / "out")
    assert result.model == "no-model-provided"
    assert mock.stats.requests == 3  # the judge's alone
    assert result.errors == 0
    assert set(result.files) >= {"jsonl", "results"}


def test_a_file_without_the_columns_is_named(mock, tmp_path) -> None:
    bad = _rows(tmp_path / "bad.jsonl", [{"user_input": "q?", "reference": "a"}, {"question": "q"}])
    with pytest.raises(FileError) as caught:
        _run(mock, bad, tmp_path / "out")
    assert "bad.jsonl:2" in caught.value.message
    assert "user_input and reference" in caught.value.message
    assert mock.stats.requests == 0


def test_bad_formats_and_a_missing_file_are_usage_errors(mock, tmp_path) -> None:
    with pytest.raises(UsageError) as caught:
        _run(mock, _questions(tmp_path), tmp_path / "out", output_file_formats="xml")
    assert caught.value.param == "output_file_formats"
    with pytest.raises(UsageError) as caught:
        Model(configuration=Config()).evaluate_dk_bench("mock-model")
    assert caught.value.param == "input_questions"
    with pytest.raises(FileError, match=r"not a \.jsonl"):
        _run(mock, _rows(tmp_path / "q.json", []), tmp_path / "out")


def test_a_judge_endpoint_without_a_model_name_uses_the_first_it_lists(tmp_path) -> None:
    rules = [Rule(lambda c: "You check answers" in c.prompt, _dk_judge), Rule("", _model)]
    with MockOpenAI(rules, models=("judge-one", "judge-two")) as server:
        result = Model(configuration=Config()).evaluate_dk_bench(
            input_questions=_questions(tmp_path, with_response=True),
            output_dir=tmp_path / "out",
            judge_endpoint_url=server.base_url,
        )
    assert result.judge.startswith("judge-one at http://127.0.0.1:")
    assert not result.embedded_judge
    assert result.errors == 0
