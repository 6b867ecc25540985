"""MMLU end to end through the SDK: a tiny model, a generated set, the report and its files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from instructlab.core import Model
from instructlab.errors import FileError, ModelNotFound, UsageError
from instructlab.eval.mmlu import MIN_TASKS_ENV
from instructlab.eval.report import knowledge_report, to_json
from instructlab.eval.synthetic import write_mmlu

from .conftest import SUBJECTS


def test_sdk_scores_every_subject_and_writes_json_and_png(tiny_model, mmlu_csv, tmp_path):
    seen = []
    result = Model().evaluate_mmlu_bench(
        tiny_model,
        mmlu_data=mmlu_csv,
        few_shots=2,
        output_dir=tmp_path / "out",
        progress=lambda done, total: seen.append(done),
    )
    assert [s.task for s in result.sets] == [f"mmlu_{s}" for s in SUBJECTS]
    assert result.total == 18 and seen[-1] == 18
    assert 0.0 <= result.overall <= 1.0
    assert result.weighted == pytest.approx(sum(s.correct for s in result.sets) / 18)
    assert result.few_shots == 2
    text = knowledge_report(result)
    assert text.startswith(f"# KNOWLEDGE EVALUATION REPORT\n\n## MODEL (SCORE)\n{tiny_model} (")
    assert f"\nmmlu_anatomy - {round(result.sets[0].score, 2)}\n" in text
    assert "sample-weighted" in text and "±" in text
    files = sorted(result.files)
    assert [f.rsplit(".", 1)[1] for f in files] == ["json", "png"]
    payload = json.loads(Path(files[0]).read_text(encoding="utf-8"))
    assert len(payload["per_question"]) == 18
    assert payload["individual_scores"]["mmlu_anatomy"]["total"] == 6
    assert Path(files[1]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads(to_json(result))["overall_score"] == result.overall


def test_min_tasks_variable_keeps_the_first_four(tiny_model, tmp_path, monkeypatch) -> None:
    data = write_mmlu(
        tmp_path / "mmlu",
        ["anatomy", "astronomy", "virology", "marketing", "management"],
        test=1,
        dev=1,
    )
    monkeypatch.setenv(MIN_TASKS_ENV, "1")
    result = Model().evaluate_mmlu_bench(tiny_model, mmlu_data=data, few_shots=1, write_files=False)
    assert len(result.sets) == 4


def test_the_configured_few_shots_and_a_system_prompt(tiny_model, mmlu_csv, tmp_path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("evaluate:\n  mmlu:\n    few_shots: 1\n    batch_size: 2\n", encoding="utf-8")
    result = Model(tiny_model, config).evaluate_mmlu_bench(
        mmlu_data=mmlu_csv,
        tasks=["anatomy"],
        system_prompt="Be exact.",
        chat_template=True,
        write_files=False,
    )
    assert result.few_shots == 1 and result.total == 6


def test_bad_input_fails_before_any_model_loads(tiny_model, mmlu_csv, tmp_path) -> None:
    with pytest.raises(FileError, match="no MMLU data found"):
        Model().evaluate_mmlu_bench(tiny_model)
    with pytest.raises(ModelNotFound):
        Model().evaluate_mmlu_bench(tmp_path / "nothing", mmlu_data=mmlu_csv)
    with pytest.raises(UsageError) as caught:
        Model().evaluate_mmlu_bench(tiny_model, mmlu_data=mmlu_csv, few_shots=-1)
    assert caught.value.param == "few_shots"
    with pytest.raises(UsageError) as caught:
        Model().evaluate_mmlu_bench(tiny_model, mmlu_data=mmlu_csv, batch_size="big")
    assert caught.value.param == "batch_size"
    with pytest.raises(UsageError) as caught:
        Model().evaluate_mmlu_bench(tiny_model, mmlu_data=mmlu_csv, endpoint_url="ftp://x")
    assert caught.value.param == "endpoint_url"
