"""``ilab model evaluate --benchmark mmlu|mmlu_branch`` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from instructlab.cli.main import cli
from instructlab.eval.synthetic import write_mmlu
from instructlab.testing import MockOpenAI


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    import torch

    from eval.test_mmlu_branch import write_branch_sets
    from eval.tiny import write_tiny_model

    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("evaluate")
    return {
        "model": write_tiny_model(root / "trained", seed=1),
        "base": write_tiny_model(root / "base"),
        "mmlu": write_mmlu(root / "mmlu", ["anatomy", "virology"], test=3, dev=2),
        "sets": write_branch_sets(root / "datasets"),
        "out": root / "out",
    }


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_mmlu_prints_instructlabs_report_and_writes_files(world) -> None:
    code, output = _run(
        "model", "evaluate", "--benchmark", "mmlu", "--model", str(world["model"]),
        "--mmlu-data", str(world["mmlu"]), "--few-shots", "2", "--skip-server",
        "--output-dir", str(world["out"]),
    )  # fmt: skip
    assert code == 0, output
    assert "# KNOWLEDGE EVALUATION REPORT" in output
    assert "mmlu_anatomy - " in output and "mmlu_virology - " in output
    assert "Wrote " in output and list(world["out"].glob("mmlu_*.json"))


def test_mmlu_json_with_a_subset(world) -> None:
    code, output = _run(
        "model", "evaluate", "--benchmark", "mmlu", "--model", str(world["model"]),
        "--mmlu-data", str(world["mmlu"]), "--tasks", "mmlu_virology", "--format", "json",
        "--output-dir", str(world["out"]), "--batch-size", "2",
    )  # fmt: skip
    assert code == 0, output
    payload = json.loads(output[: output.rindex("}") + 1])
    assert list(payload["individual_scores"]) == ["mmlu_virology"]
    assert payload["questions"] == 3


def test_mmlu_branch_compares_with_the_base(world) -> None:
    code, output = _run(
        "model", "evaluate", "--benchmark", "mmlu_branch", "--model", str(world["model"]),
        "--base-model", str(world["base"]), "--tasks-dir", str(world["sets"]),
        "--few-shots", "1", "--output-dir", str(world["out"]),
    )  # fmt: skip
    assert code == 0, output
    assert "## BASE MODEL (SCORE)" in output and "## MODEL (SCORE)" in output
    assert "knowledge_science_bees" in output


def test_an_endpoint_without_prompt_logprobs_is_one_clear_error(world) -> None:
    with MockOpenAI() as mock:
        result = CliRunner().invoke(
            cli,
            [
                "model", "evaluate", "--benchmark", "mmlu", "--model", "mock-teacher",
                "--endpoint-url", mock.base_url, "--mmlu-data", str(world["mmlu"]),
                "--few-shots", "0",
            ],
        )  # fmt: skip
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and mock.base_url in errors[0]
    assert "log-probabilities" in errors[0]
