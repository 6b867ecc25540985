"""Shared fixtures: a small pipeline on disk, a mock teacher scripted for it, shards of it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from instructlab.sdg import Pipeline
from instructlab.sdg.records import ALLOWED_COLUMNS
from instructlab.sdg.shard import Shard, ShardSettings
from instructlab.testing import Call, MockOpenAI, Rule

PROMPTS = {
    "gen_q.yaml": (
        "system: You write questions.\n"
        "introduction: Write questions for this task.\n"
        "generation: 'Write questions about: {{ task_description }}'\n"
        "start_tags: ['[Q]']\n"
        "end_tags: ['[/Q]']\n"
    ),
    "judge.yaml": (
        "system: You judge.\n"
        "generation: 'Judge this question: {{ question }}'\n"
        "start_tags: ['[J]']\n"
        "end_tags: ['[/J]']\n"
    ),
    "answer.yaml": ("system: You answer.\ngeneration: 'Answer this question: {{ question }}'\n"),
}

PIPELINE = """\
version: "1.0"
blocks:
  - name: gen_questions
    type: LLMBlock
    config:
      config_path: gen_q.yaml
      output_cols: [question]
      gen_kwargs:
        n: 3
        max_tokens: 64
    drop_duplicates: [question]
  - name: judge_questions
    type: LLMBlock
    config:
      config_path: judge.yaml
      output_cols: [judgment]
  - name: filter_questions
    type: FilterByValueBlock
    config:
      filter_column: judgment
      filter_value: "YES"
      operation: eq
    drop_columns: [judgment]
  - name: gen_answers
    type: LLMBlock
    config:
      config_path: answer.yaml
      output_cols: [response]
"""


def write_pipeline(directory: Path, text: str = PIPELINE, name: str = "mini.yaml") -> Path:
    """Writes the prompt files and a pipeline file; returns the pipeline's path."""
    directory.mkdir(parents=True, exist_ok=True)
    for fname, body in PROMPTS.items():
        (directory / fname).write_text(body, encoding="utf-8")
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def _question(call: Call) -> str:
    task = call.prompt.rsplit("Write questions about:", 1)[-1].strip()
    # Choices 0 and 2 give the same question, so dedup has work.
    variant = call.choice % 2 if call.body.get("n", 1) > 1 else (call.seed or 0) % 2
    return f"[Q]Q{variant} on {task}?[/Q]"


def _judge(call: Call) -> str:
    question = call.prompt.rsplit("Judge this question:", 1)[-1]
    return "[J]YES[/J]" if re.search(r"\bQ0\b", question) else "[J]NO[/J]"


def _answer(call: Call) -> str:
    return "Answer to " + call.prompt.rsplit("Answer this question:", 1)[-1].strip()


def mini_rules() -> list[Rule]:
    """Replies for the mini pipeline: two distinct questions per seed, one judged YES."""
    return [
        Rule("Write questions about", _question),
        Rule("Judge this question", _judge),
        Rule("Answer this question", _answer),
    ]


def seed_rows(count: int) -> list[dict[str, str]]:
    """Seed rows with distinct task descriptions."""
    return [{"task_description": f"task number {i}"} for i in range(count)]


@pytest.fixture
def pipeline_file(tmp_path: Path) -> Path:
    return write_pipeline(tmp_path / "pipe")


@pytest.fixture
def mock() -> MockOpenAI:
    with MockOpenAI(mini_rules()) as server:
        yield server


def make_shards(
    pipe: Pipeline,
    leaves: dict[str, list[dict[str, str]]],
    teacher: str = "mock-teacher",
    shard_rows: int | None = None,
) -> list[Shard]:
    """Shards of these leaves (name -> seed rows) through ``pipe``, ``shard_rows`` rows each."""
    assert pipe.config_path is not None
    shards = []
    for name, rows in leaves.items():
        size = shard_rows or len(rows)
        for first in range(0, len(rows), size):
            shards.append(
                Shard(
                    name,
                    "freeform_skill",
                    f"content of {name}",
                    pipe.config_path,
                    str(pipe.config_path.parent),
                    pipe.fingerprint(),
                    teacher,
                    ShardSettings(),
                    first,
                    tuple(rows[first : first + size]),
                )
            )
    return shards


def knowledge_rows(n: int = 3) -> list[dict[str, object]]:
    """Rows a knowledge leaf's generation yields: a document chunk with a question about it."""
    return [
        {
            "document": f"Chunk {i} says bees dance.",
            "domain": "ecology",
            "question": f"What does chunk {i} say?",
            "response": f"Chunk {i} says bees dance.",
            "leaf_node_path": "knowledge_bees",
        }
        for i in range(n)
    ]


def records_are_valid(records: list[dict[str, object]]) -> None:
    """Each record has exactly the training columns, metadata as a JSON string, a bool unmask."""
    for record in records:
        assert set(record) == set(ALLOWED_COLUMNS)
        assert isinstance(record["metadata"], str)
        json.loads(record["metadata"])
        assert isinstance(record["unmask"], bool)
