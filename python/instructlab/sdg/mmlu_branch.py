"""MMLU-branch data: a knowledge leaf's multiple-choice rows in lm-evaluation-harness' MMLU
shape, and the task definition that scores them (``mmlubench_<leaf>.jsonl`` and
``<leaf>_task.yaml`` in a run's node data sets)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from instructlab.sdg.records import metadata_of

__all__ = ["mmlu_branch_rows", "mmlu_task"]

_MCQ_OPTION = re.compile(r"\b([A-Z])\) (.+)")

Row = dict[str, Any]


def mmlu_branch_rows(rows: Sequence[Row]) -> list[Row]:
    """Multiple-choice rows in lm-evaluation-harness' MMLU shape (question, choices, answer).

    Input rows hold ``mmlubench_question`` (the question followed by ``A) ...`` to ``D) ...``)
    and ``mmlubench_answer`` (``B) ...``). Rows without exactly four options A-D or without a
    valid answer letter are left out. ``answer`` is the option's index (A=0 ... D=3) and
    ``subject`` the leaf's domain.
    """
    result: list[Row] = []
    for row in rows:
        question = str(row.get("mmlubench_question") or "")
        answer = str(row.get("mmlubench_answer") or "").strip()
        start = question.find("A)")
        if start < 0 or ")" not in answer:
            continue
        options = _MCQ_OPTION.findall(question[start:])
        letters = [letter for letter, _ in options]
        letter = answer[: answer.index(")")].strip()
        if letters != ["A", "B", "C", "D"] or letter not in letters:
            continue
        extra = metadata_of(row, ("mmlubench_question", "mmlubench_answer", "domain"))
        result.append(
            {
                **extra,
                "question": question[:start].strip(),
                "choices": [text.strip() for _, text in options],
                "answer": letters.index(letter),
                "subject": row.get("domain", ""),
                "dataset_type": "mcq_qa",
            }
        )
    return [r for r in result if r["question"]]


def mmlu_task(task_name: str, data_file: str | Path) -> dict[str, Any]:
    """The lm-evaluation-harness task definition that scores an MMLU-branch data file."""
    return {
        "task": task_name,
        "dataset_path": "json",
        "dataset_name": None,
        "test_split": "test",
        "doc_to_text": "{{question.strip()}}\nA. {{choices[0]}}\nB. {{choices[1]}}\n"
        "C. {{choices[2]}}\nD. {{choices[3]}}\nAnswer:",
        "doc_to_choice": "{{[choices[0], choices[1], choices[2], choices[3]]}}",
        "doc_to_target": "{{answer}}",
        "output_type": "multiple_choice",
        "metric_list": [{"metric": "acc", "aggregation": "mean", "higher_is_better": "true"}],
        "dataset_kwargs": {"data_files": {"test": str(data_file)}},
        "tag": "mmlu_pr",
    }
