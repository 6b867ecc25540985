"""Multiple-choice questions as the knowledge benchmarks read them, whatever file held them."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LETTERS", "Question", "QuestionSet"]

#: Choice labels, in order (MMLU has four; MMLU-branch sets may have more).
LETTERS = "ABCDEFGHIJ"


@dataclass(frozen=True)
class Question:
    """One question: its text, its choices and the index of the right one."""

    question: str
    choices: tuple[str, ...]
    answer: int

    def __post_init__(self) -> None:
        if not 0 <= self.answer < len(self.choices):
            raise ValueError(f"answer {self.answer} is not one of {len(self.choices)} choices")


@dataclass(frozen=True)
class QuestionSet:
    """The questions of one MMLU subject or one taxonomy leaf.

    ``test`` holds the scored questions; ``dev`` the few-shot examples (MMLU's dev split; empty
    for MMLU-branch sets, whose examples come from ``test`` itself).
    """

    name: str
    test: tuple[Question, ...]
    dev: tuple[Question, ...] = ()
    #: Text shown before the examples (MMLU: "The following are ... about <subject>.").
    description: str = ""
