"""MT-Bench: two-turn questions, each answer graded 1-10 by a judge model with FastChat's
single-answer prompts.

Turn 1 is graded alone, turn 2 with the whole dialogue; math, reasoning and coding are graded
against a reference answer. Answers use FastChat's temperature per category (or the one given),
capped at ``max_tokens``. The score is the mean over every graded turn, as FastChat reports it;
with ``judge_samples`` > 1 each turn's score is the median of its judge samples, and every score
carries a bootstrap 95% interval (:mod:`instructlab.eval.noise`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from instructlab.errors import FileError
from instructlab.eval.grading import Graded, JudgedRun, Question
from instructlab.eval.judge import prompt_hash
from instructlab.eval.mt_bench_data import JUDGE_PROMPT_NAMES, MtBenchData
from instructlab.eval.noise import Estimate, estimate, estimate_groups

__all__ = [
    "CATEGORY_TEMPERATURES",
    "REFERENCE_CATEGORIES",
    "FastChatGrader",
    "MtBenchResult",
    "mt_bench_questions",
    "summarise",
]

#: FastChat's answering temperature per category (others: 0.7).
CATEGORY_TEMPERATURES = {
    "writing": 0.7,
    "roleplay": 0.7,
    "extraction": 0.0,
    "math": 0.0,
    "coding": 0.0,
    "reasoning": 0.0,
    "stem": 0.1,
    "humanities": 0.1,
    "arena-hard-200": 0.0,
}

#: Categories graded against a reference answer.
REFERENCE_CATEGORIES = ("math", "reasoning", "coding", "arena-hard-200")


def mt_bench_questions(data: MtBenchData) -> list[Question]:
    """The data set's questions, with their references where their category uses one."""
    questions = []
    for row in data.questions:
        qid = str(row["question_id"])
        category = str(row.get("category", ""))
        refs = data.references.get(qid) if category in REFERENCE_CATEGORIES else None
        extra = {"question_id": row["question_id"]}
        if isinstance(row.get("required_temperature"), int | float):
            extra["required_temperature"] = row["required_temperature"]
        questions.append(Question(qid, category, [str(t) for t in row["turns"]], refs, extra=extra))
    return questions


class FastChatGrader:
    """Grades with FastChat's four single-answer judge prompts (read from the data folder)."""

    high = 10

    def __init__(self, data: MtBenchData) -> None:
        self.prompts = data.judge_prompts
        self.prompt_id = prompt_hash(
            *(json.dumps(self.prompts[n], sort_keys=True) for n in JUDGE_PROMPT_NAMES)
        )
        for name in JUDGE_PROMPT_NAMES:  # a template we cannot fill fails now, not mid-run
            self._fill(name, ["q1", "q2"], ["a1", "a2"], ["r1", "r2"], data.folder)

    def turns(self, question: Question) -> list[int]:
        """Turns 1 and 2 (FastChat grades no further turn)."""
        return [1, 2] if len(question.turns) >= 2 else [1]

    def _fill(
        self,
        name: str,
        questions: Sequence[str],
        answers: Sequence[str],
        refs: Sequence[str] | None,
        folder: Path | None = None,
    ) -> str:
        template = str(self.prompts[name].get("prompt_template", ""))
        values: dict[str, str] = {}
        if refs:
            values["ref_answer_1"] = refs[0]
            values["ref_answer_2"] = refs[1] if len(refs) > 1 else ""
        if name.endswith("multi-turn"):
            values.update(
                question_1=questions[0], answer_1=answers[0],
                question_2=questions[1], answer_2=answers[1],
            )  # fmt: skip
        else:
            values.update(question=questions[0], answer=answers[0])
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError) as exc:
            raise FileError(
                str(folder or "judge_prompts.jsonl"),
                f"judge prompt '{name}' has a placeholder MT-Bench does not fill: {exc}",
            ) from None

    def messages(
        self, question: Question, answers: Sequence[str], turn: int
    ) -> tuple[str, list[dict[str, str]]]:
        """FastChat's prompt for this turn: reference-based where there is a reference."""
        refs = question.references
        name = "single-math-v1" if refs else "single-v1"
        if turn == 2:
            name += "-multi-turn"
        user = self._fill(name, question.turns, answers, refs)
        system = str(self.prompts[name].get("system_prompt", ""))
        return name, [{"role": "system", "content": system}, {"role": "user", "content": user}]


@dataclass
class MtBenchResult(JudgedRun):
    """MT-Bench scores (0-10) with their intervals, the error rate and where files went."""

    model: str
    judge: str
    embedded_judge: bool
    overall: Estimate | None
    turn_scores: list[Estimate | None]
    categories: dict[str, Estimate]
    #: Judge samples asked for, and those without a rating (unparseable or failed).
    judgments: int
    errors: int
    judge_samples: int
    judge_temperature: float
    prompt_hash: str
    output_dir: Path
    files: dict[str, Path] = field(default_factory=dict)
    requests_sent: int = 0
    requests_cached: int = 0
    max_score: float = 10.0

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON (InstructLab's keys, plus the intervals and the judge's data)."""
        turn1 = self.turn_scores[0] if self.turn_scores else None
        turn2 = self.turn_scores[1] if len(self.turn_scores) > 1 else None
        return {
            "model": self.model,
            "overall_score": self.overall.value if self.overall else None,
            "overall_interval": _interval(self.overall),
            "max_score": self.max_score,
            "turn1_score": turn1.value if turn1 else None,
            "turn1_interval": _interval(turn1),
            "turn2_score": turn2.value if turn2 else "N/A",
            "turn2_interval": _interval(turn2),
            "categories": {k: v.to_dict() for k, v in self.categories.items()},
            "error_rate": self.error_rate,
            "judgments": self.judgments,
            "errors": self.errors,
            "judge": self.judge,
            "embedded_judge": self.embedded_judge,
            "judge_samples": self.judge_samples,
            "judge_temperature": self.judge_temperature,
            "judge_prompt_hash": self.prompt_hash,
            "requests_sent": self.requests_sent,
            "requests_cached": self.requests_cached,
            "files": {k: str(v) for k, v in self.files.items()},
        }


def _interval(e: Estimate | None) -> list[float] | None:
    return [e.low, e.high] if e is not None else None


def summarise(graded: Sequence[Graded]) -> tuple[Estimate | None, list[Estimate | None],
                                                  dict[str, Estimate], int, int]:  # fmt: skip
    """Overall, per-turn and per-category scores; judge samples and errors. The overall
    interval is stratified by category (see :func:`~instructlab.eval.noise.estimate_groups`)."""
    judgments = [(g.question.category, j) for g in graded for j in g.judgments]
    by_category: dict[str, list[list[float]]] = {}
    for category, j in judgments:
        by_category.setdefault(category, []).append(list(j.scores))
    categories, overall = estimate_groups(dict(sorted(by_category.items())))
    turns = [estimate([j.scores for _, j in judgments if j.turn == t]) for t in (1, 2)]
    samples = sum(len(j.texts) for _, j in judgments)
    errors = sum(j.errors for _, j in judgments)
    return overall, turns, categories, samples, errors


def file_stem(name: str) -> str:
    """A model name as a file name."""
    keep = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    return keep.strip("._") or "model"


def timestamp() -> str:
    """The time stamp in result file names."""
    return time.strftime("%Y-%m-%d_%H-%M-%S")
