"""``ilab model evaluate --benchmark mt_bench|mt_bench_branch|dk_bench`` against the mock model
and judge: the reports, --format json, and a detached run tracked by ``ilab process``."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from click.testing import CliRunner

from eval.skills_mock import mock_rules, write_mt_bench_data
from instructlab.cli.main import cli
from instructlab.testing import MockOpenAI


def _evaluate(server: MockOpenAI, *args: str):
    argv = ["model", "evaluate", "--model", "mock-model", "--endpoint-url", server.base_url]
    argv += ["--judge-endpoint-url", server.base_url, "--judge-model", "mock-judge", *args]
    return CliRunner().invoke(cli, argv)


def test_mt_bench_prints_the_skill_report(tmp_path: Path) -> None:
    data = write_mt_bench_data(tmp_path / "data")
    with MockOpenAI(mock_rules(), api_key="sk-judge") as server:
        done = _evaluate(
            server, "--benchmark", "mt_bench", "--mt-bench-data", str(data),
            "--output-dir", str(tmp_path / "out"), "--api-key", "sk-judge",
            "--judge-api-key", "sk-judge",
        )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith("# SKILL EVALUATION REPORT")
    assert "mt_bench: answers: 4/4" in done.stderr
    assert "## MODEL (SCORE)\nmock-model (" in done.output
    assert "### ERROR RATE:\n0.0" in done.output
    assert re.search(r"^results: .*mt_bench_mock-model_.*\.json$", done.output, re.M)


def test_json_reports_of_dk_bench_and_the_branch_benchmark(tmp_path: Path, taxonomy) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        json.dumps({"user_input": "[q:81/t:1] Why?", "reference": "<r:81/t:1> Because."}) + "\n"
    )
    with MockOpenAI(mock_rules()) as server:
        dk = _evaluate(
            server, "--benchmark", "dk_bench", "--input-questions", str(questions),
            "--output-file-formats", "csv", "--output-dir", str(tmp_path / "dk"),
            "--format", "json", "--branch", "ignored",
        )  # fmt: skip
        branch = _evaluate(
            server, "--benchmark", "mt_bench_branch", "--taxonomy-path", str(taxonomy),
            "--branch", "HEAD", "--base-branch", "HEAD", "--base-model", "mock-base",
            "--output-dir", str(tmp_path / "branch"), "--format", "json",
        )  # fmt: skip
    assert dk.exit_code == 0, dk.output
    assert "--branch has no effect on dk_bench" in dk.output
    report = json.loads(dk.stdout)
    assert report["model"] == "mock-model" and set(report["files"]) >= {"csv", "results"}
    assert branch.exit_code == 0, branch.output
    result = json.loads(branch.stdout)
    assert "mt_bench_branch: judgments: 30/30" in branch.stderr
    assert result["base_model"] == "mock-base"
    assert result["improvements"] == [] and result["new_qnas"] == []
    assert len(result["no_changes"]) == 4  # the example taxonomy's leaves, same on both sides


def test_a_detached_run_is_tracked_and_writes_its_results(tmp_path: Path) -> None:
    from instructlab.system import jobs

    data = write_mt_bench_data(tmp_path / "data")
    out = tmp_path / "out"
    with MockOpenAI(mock_rules()) as server:
        started = _evaluate(
            server, "--benchmark", "mt_bench", "--mt-bench-data", str(data),
            "--output-dir", str(out), "--judge-api-key", "sk-hidden", "-dt",
        )  # fmt: skip
        assert started.exit_code == 0, started.output
        found = re.search(r"in the background \(process (\w+)\)", started.output)
        assert found, started.output
        listed = CliRunner().invoke(cli, ["process", "list", "--format", "json"])
        (record,) = [r for r in json.loads(listed.output) if r["id"] == found.group(1)]
        assert record["kind"] == "evaluate-mt-bench"
        assert "sk-hidden" not in json.dumps(record)
        deadline = time.monotonic() + 180
        while jobs.get(record["id"]).state == "running" and time.monotonic() < deadline:
            time.sleep(0.1)
        done = jobs.get(record["id"])
        log = Path(done.log_file).read_text(encoding="utf-8")
        assert done.state == "done", log
    assert "# SKILL EVALUATION REPORT" in log
    assert list(out.glob("mt_bench_mock-model_*.json"))
