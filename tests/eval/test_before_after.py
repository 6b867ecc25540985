"""Where ``ilab model test`` gets its questions: test files of either shape, the newest SDG run's
file, the taxonomy's seed examples."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from instructlab.errors import FileError
from instructlab.eval.before_after import (
    Question,
    newest_test_file,
    questions_from_file,
    questions_from_leaves,
)


def test_test_file_records_and_messages(tmp_path: Path) -> None:
    rows = [
        {"system": "S", "user": "Q1", "assistant": "A1"},
        {"question": "Q2", "answer": "A2"},
        {"messages": [{"role": "system", "content": "S3"}, {"role": "user", "content": "Q3"},
                      {"role": "assistant", "content": "A3"}]},
        {"user": "   "},
        {"messages": [{"role": "assistant", "content": "no question"}]},
    ]  # fmt: skip
    path = tmp_path / "test.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert questions_from_file(path) == [
        Question("Q1", "S", "A1"),
        Question("Q2", None, "A2"),
        Question("Q3", "S3", "A3"),
    ]
    path.write_text('{"other": 1}\n', encoding="utf-8")
    with pytest.raises(FileError, match="holds no test questions"):
        questions_from_file(path)


def test_newest_test_file(tmp_path: Path) -> None:
    assert newest_test_file(tmp_path / "missing") is None
    old, new = tmp_path / "test_a.jsonl", tmp_path / "test_b.jsonl"
    for path in (new, old):
        path.write_text("{}\n", encoding="utf-8")
    os.utime(old, (1, 1))
    (tmp_path / "train_c.jsonl").write_text("{}\n", encoding="utf-8")
    assert newest_test_file(tmp_path) == new


def test_seed_questions_of_the_taxonomy(taxonomy: Path) -> None:
    from instructlab.taxonomy import changed_leaves

    questions = questions_from_leaves(changed_leaves(taxonomy, "empty"))
    assert len(questions) >= 5
    assert all(q.user.strip() and q.reference for q in questions)
