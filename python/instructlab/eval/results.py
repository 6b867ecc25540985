"""What the knowledge benchmarks return: scores per subject (or leaf) and per question, with
standard errors, and the trained-versus-base comparison of MMLU-branch."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = [
    "BranchResult",
    "KnowledgeResult",
    "LeafChange",
    "QuestionScore",
    "SetScore",
    "mean_stderr",
]


def mean_stderr(values: Sequence[float]) -> float:
    """The standard error of the mean of ``values`` (sample standard deviation / sqrt(n)), as
    lm-eval reports it; 0 for fewer than two values."""
    n = len(values)
    if n < 2:
        return 0.0
    mean = sum(values) / n
    variance = sum((v - mean) ** 2 for v in values) / (n - 1)
    return math.sqrt(variance / n)


@dataclass(frozen=True)
class QuestionScore:
    """One question: the log-likelihood of each choice, the pick and the right answer."""

    set_name: str
    index: int
    loglikelihoods: tuple[float, ...]
    predicted: int
    answer: int

    @property
    def correct(self) -> bool:
        """Whether the most likely choice is the right one."""
        return self.predicted == self.answer


@dataclass(frozen=True)
class SetScore:
    """Accuracy on one MMLU subject or one MMLU-branch leaf."""

    name: str
    #: The name reports use (``mmlu_<subject>`` for MMLU, the leaf's path for MMLU-branch).
    task: str
    correct: int
    total: int
    stderr: float

    @property
    def score(self) -> float:
        """Share of questions answered right (0.0 to 1.0)."""
        return self.correct / self.total if self.total else 0.0


@dataclass(frozen=True)
class KnowledgeResult:
    """One model on one benchmark run."""

    benchmark: str
    model: str
    backend: str
    few_shots: int
    sets: tuple[SetScore, ...]
    questions: tuple[QuestionScore, ...] = field(repr=False)
    #: Seconds spent loading the model (or starting its server) and scoring.
    startup_seconds: float = 0.0
    scoring_seconds: float = 0.0
    #: Files the run wrote (the JSON report, the chart), when it wrote any.
    files: tuple[str, ...] = ()

    @property
    def overall(self) -> float:
        """InstructLab's overall score: the unweighted mean over subjects (or leaves)."""
        return sum(s.score for s in self.sets) / len(self.sets) if self.sets else 0.0

    @property
    def overall_stderr(self) -> float:
        """Standard error of :attr:`overall` (subjects taken as independent)."""
        if not self.sets:
            return 0.0
        return math.sqrt(sum(s.stderr**2 for s in self.sets)) / len(self.sets)

    @property
    def weighted(self) -> float:
        """Share of all questions answered right (each question counts once)."""
        total = sum(s.total for s in self.sets)
        return sum(s.correct for s in self.sets) / total if total else 0.0

    @property
    def weighted_stderr(self) -> float:
        """Standard error of :attr:`weighted`."""
        return mean_stderr([1.0 if q.correct else 0.0 for q in self.questions])

    @property
    def total(self) -> int:
        """Questions scored."""
        return sum(s.total for s in self.sets)

    def to_dict(self, questions: bool = False) -> dict[str, Any]:
        """A JSON-ready dict (``individual_scores`` as InstructLab writes them)."""
        out: dict[str, Any] = {
            "benchmark": self.benchmark,
            "model": self.model,
            "backend": self.backend,
            "few_shots": self.few_shots,
            "overall_score": self.overall,
            "overall_stderr": self.overall_stderr,
            "weighted_score": self.weighted,
            "weighted_stderr": self.weighted_stderr,
            "questions": self.total,
            "max_score": "1.0",
            "individual_scores": {
                s.task: {
                    "score": s.score,
                    "stderr": s.stderr,
                    "correct": s.correct,
                    "total": s.total,
                }
                for s in self.sets
            },
            "startup_seconds": self.startup_seconds,
            "scoring_seconds": self.scoring_seconds,
        }
        if questions:
            out["per_question"] = [asdict(q) for q in self.questions]
        return out


@dataclass(frozen=True)
class LeafChange:
    """One leaf's score before (base model) and after (trained model)."""

    task: str
    base_score: float
    score: float

    @property
    def delta(self) -> float:
        """``score - base_score``."""
        return self.score - self.base_score


@dataclass(frozen=True)
class BranchResult:
    """MMLU-branch: the trained model and its base on the branch's own questions."""

    model: KnowledgeResult
    base: KnowledgeResult
    improvements: tuple[LeafChange, ...]
    regressions: tuple[LeafChange, ...]
    no_change: tuple[LeafChange, ...]
    #: Where the base model came from: "checkpoint" (its metadata) or "given".
    base_source: str = "given"
    files: tuple[str, ...] = ()

    @classmethod
    def compare(
        cls, model: KnowledgeResult, base: KnowledgeResult, base_source: str = "given"
    ) -> BranchResult:
        """Sorts each leaf into improved, regressed or unchanged (best and worst first)."""
        base_scores = {s.task: s.score for s in base.sets}
        changes = [LeafChange(s.task, base_scores.get(s.task, 0.0), s.score) for s in model.sets]
        up = sorted((c for c in changes if c.delta > 0), key=lambda c: -c.delta)
        down = sorted((c for c in changes if c.delta < 0), key=lambda c: c.delta)
        same = [c for c in changes if c.delta == 0]
        return cls(model, base, tuple(up), tuple(down), tuple(same), base_source)

    def to_dict(self, questions: bool = False) -> dict[str, Any]:
        """A JSON-ready dict with InstructLab's keys (lists of [task, delta, base, score])."""

        def rows(changes: Sequence[LeafChange]) -> list[list[Any]]:
            return [[c.task, round(c.delta, 2), c.base_score, c.score] for c in changes]

        return {
            "benchmark": "mmlu_branch",
            "model": self.model.model,
            "base_model": self.base.model,
            "base_model_source": self.base_source,
            "overall_score": self.model.overall,
            "base_overall_score": self.base.overall,
            "improvements": rows(self.improvements),
            "regressions": rows(self.regressions),
            "no_changes": [[c.task, c.score] for c in self.no_change],
            "model_result": self.model.to_dict(questions),
            "base_result": self.base.to_dict(questions),
        }
