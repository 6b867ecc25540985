"""MT-Bench-branch end to end: a real git taxonomy with two branches, read in-process, the mock
as the trained model, the base model and the judge."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from eval.skills_mock import expected_score, judge_reply, model_reply
from instructlab.config import Config
from instructlab.core import Model
from instructlab.errors import GitError
from instructlab.eval.skills_report import render_mt_bench_branch
from instructlab.testing import Call, MockOpenAI, Rule

GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.invalid",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.invalid",
}

#: What training did to each question's score (the judge adds it to a trained answer's score).
BONUS = {"81": 2, "82": -2, "84": 0, "85": 1}


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        env={**os.environ, **GIT_ENV},
        check=True,
        capture_output=True,
    )


def _skill(qid: str) -> str:
    return (
        "version: 3\ncreated_by: tester\ntask_description: Test skill.\nseed_examples:\n"
        f"  - question: '[q:{qid}/t:1] Tell me thing {qid}.'\n"
        f"    answer: '<r:{qid}/t:1> Thing {qid}.'\n"
    )


def _knowledge(qid: str) -> str:
    return (
        "version: 3\ncreated_by: tester\ndomain: tests\ndocument_outline: A test.\n"
        "seed_examples:\n"
        "  - context: Bees carry pollen.\n"
        "    questions_and_answers:\n"
        f"      - question: '[q:{qid}/t:1] What do bees carry?'\n"
        f"        answer: '<r:{qid}/t:1> Pollen.'\n"
    )


@pytest.fixture
def taxonomy(tmp_path: Path) -> Path:
    root = tmp_path / "taxonomy"
    files = {
        "compositional_skills/a/qna.yaml": _skill("81"),
        "compositional_skills/b/qna.yaml": _skill("82"),
        "knowledge/c/qna.yaml": _knowledge("84"),
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "base")
    _git(root, "checkout", "-qb", "feature")
    (root / "compositional_skills/new").mkdir()
    (root / "compositional_skills/new/qna.yaml").write_text(_skill("85"))
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "new skill")
    _git(root, "checkout", "-q", "main")  # the work tree stays on main: branches come from git
    return root


def _judge(call: Call) -> str:
    reply = judge_reply(call)
    found = re.search(r"\[\[(\d+)\]\]", reply)
    qid = re.search(r"\[q:(\w+)/", call.last_user)
    if found and qid and "trained" in call.last_user:
        score = int(found.group(1)) + BONUS[qid.group(1)]
        return f"Rating: [[{score}]]"
    return reply


def _model(call: Call) -> str:
    return model_reply(call) + (" trained" if call.model == "trained" else "")


@pytest.fixture
def mock():
    rules = [Rule(lambda c: "You grade answers" in c.prompt, _judge), Rule("", _model)]
    with MockOpenAI(rules) as server:
        yield server


def _run(mock: MockOpenAI, taxonomy: Path, out: Path, **extra):
    return Model(configuration=Config()).evaluate_mt_bench_branch(
        "trained",
        "base",
        "mock-judge",
        branch="feature",
        base_branch="main",
        taxonomy_path=taxonomy,
        output_dir=out,
        endpoint_url=mock.base_url,
        judge_endpoint_url=mock.base_url,
        **extra,
    )


def test_leaves_are_compared_per_qna_file(mock, taxonomy, tmp_path) -> None:
    result = _run(mock, taxonomy, tmp_path / "out")
    assert result.errors == 0
    assert result.judgments == 4 + 3
    assert [c.leaf for c in result.improvements] == ["compositional_skills/a/qna.yaml"]
    assert [c.leaf for c in result.regressions] == ["compositional_skills/b/qna.yaml"]
    assert [c.leaf for c in result.no_changes] == ["knowledge/c/qna.yaml"]
    assert [c.leaf for c in result.new] == ["compositional_skills/new/qna.yaml"]
    up = result.improvements[0]
    assert up.base.value == expected_score("81", 1)
    assert up.new.value == expected_score("81", 1) + 2
    assert up.delta.value == 2
    assert not up.within_noise
    assert result.new[0].new.value == expected_score("85", 1) + 1

    report = render_mt_bench_branch(result)
    assert "## BASE MODEL (SCORE)\nbase (" in report
    assert "### IMPROVEMENTS (0.0 to 10.0):\n1. compositional_skills/a/qna.yaml:" in report
    assert "### REGRESSIONS" in report and "### NO CHANGE" in report and "### NEW" in report
    saved = json.loads(result.files["results"].read_text())
    assert saved["improvements"][0][0] == "compositional_skills/a/qna.yaml"
    assert saved["new_qnas"][0][0] == "compositional_skills/new/qna.yaml"
    answers = result.files["answers:feature"].read_text().splitlines()
    assert {json.loads(a)["qna_file"] for a in answers} == {
        "compositional_skills/a/qna.yaml",
        "compositional_skills/b/qna.yaml",
        "knowledge/c/qna.yaml",
        "compositional_skills/new/qna.yaml",
    }
    # The knowledge leaf's question is asked (and judged) with its context.
    judged = result.files["judgments:feature"].read_text().splitlines()
    assert any("Bees carry pollen." in json.loads(j)["user_prompt"] for j in judged)


def test_a_branch_that_does_not_exist_is_named(mock, taxonomy, tmp_path) -> None:
    with pytest.raises(GitError) as caught:
        Model(configuration=Config()).evaluate_mt_bench_branch(
            "trained",
            "base",
            branch="no-such-branch",
            base_branch="main",
            taxonomy_path=taxonomy,
            output_dir=tmp_path / "out",
            endpoint_url=mock.base_url,
            judge_endpoint_url=mock.base_url,
        )
    assert "no-such-branch" in caught.value.message
    assert caught.value.exit_code == 2
    assert mock.stats.requests == 0
