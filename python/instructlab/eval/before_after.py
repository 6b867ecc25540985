"""``ilab model test``: the questions a trained model is checked on, and its answers beside the
base model's.

The questions come from the SDG run's test file (``test_<time>.jsonl``: ``system``, ``user``,
``assistant`` records, as InstructLab writes them; messages records work too), else from the
seed examples of the taxonomy's changed leaves (what the model was trained on). Answering is
the caller's (:meth:`instructlab.core.Model.test` serves both models the same way).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from instructlab.errors import FileError, UsageError
from instructlab.fileio import iter_jsonl

__all__ = [
    "Question",
    "TestRow",
    "newest_test_file",
    "questions_from_file",
    "questions_from_leaves",
]


@dataclass(frozen=True)
class Question:
    """A test question, with the system prompt and reference answer it came with."""

    user: str
    system: str | None = None
    reference: str | None = None


@dataclass(frozen=True)
class TestRow:
    """One question and both models' answers."""

    __test__ = False  # not a pytest class

    question: Question
    base_answer: str
    trained_answer: str


def _from_messages(messages: Any) -> Question | None:
    if not isinstance(messages, list):
        return None
    system = None
    user = None
    reference = None
    for message in messages:
        if not isinstance(message, dict):
            continue
        role, content = message.get("role"), message.get("content")
        if not isinstance(content, str):
            continue
        if role == "system" and user is None:
            system = content
        elif role == "user" and user is None:
            user = content
        elif role == "assistant" and user is not None and reference is None:
            reference = content
    return Question(user, system, reference) if user else None


def questions_from_file(path: Path) -> list[Question]:
    """The questions of a JSONL test file: ``user`` (or ``question``) records with optional
    ``system`` and ``assistant`` (or ``answer``), or ``messages`` records (the first user turn)."""
    found: list[Question] = []
    for _, _, row in iter_jsonl(path):
        question: Question | None
        if isinstance(row.get("messages"), list):
            question = _from_messages(row["messages"])
        else:
            user = row.get("user", row.get("question"))
            reference = row.get("assistant", row.get("answer"))
            system = row.get("system")
            question = (
                Question(
                    user,
                    system if isinstance(system, str) else None,
                    reference if isinstance(reference, str) else None,
                )
                if isinstance(user, str) and user.strip()
                else None
            )
        if question is not None:
            found.append(question)
    if not found:
        raise FileError(
            str(path),
            "holds no test questions (records with `user` or `question`, or `messages`)",
        )
    return found


def newest_test_file(datasets_dir: Path) -> Path | None:
    """The test file of the newest SDG run in ``datasets_dir`` (``test_*.jsonl``), if any."""
    if not datasets_dir.is_dir():
        return None
    found = sorted(datasets_dir.glob("test_*.jsonl"), key=lambda p: (p.stat().st_mtime, p.name))
    return found[-1] if found else None


def questions_from_leaves(leaves: list[Any]) -> list[Question]:
    """The seed questions of taxonomy leaves (skills: ``question``, with a grounded skill's
    ``context``; knowledge: each ``questions_and_answers`` pair)."""
    found: list[Question] = []
    for leaf in leaves:
        examples = leaf.content.get("seed_examples")
        for example in examples if isinstance(examples, list) else []:
            if not isinstance(example, dict):
                continue
            pairs = example.get("questions_and_answers")
            if isinstance(pairs, list):
                for pair in pairs:
                    if isinstance(pair, dict) and str(pair.get("question") or "").strip():
                        found.append(
                            Question(str(pair["question"]).strip(), None, _opt(pair.get("answer")))
                        )
                continue
            text = str(example.get("question") or "").strip()
            if not text:
                continue
            context = str(example.get("context") or "").strip()
            user = f"{text}\n{context}" if context else text
            found.append(Question(user, None, _opt(example.get("answer"))))
    if not found:
        raise UsageError("test_file: the taxonomy's changed leaves hold no seed questions")
    return found


def _opt(value: Any) -> str | None:
    return str(value).strip() if value is not None else None
