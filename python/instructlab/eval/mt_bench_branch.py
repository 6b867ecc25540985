"""MT-Bench-branch: did training on a taxonomy branch improve the skills it teaches?

The questions are the seed examples of every ``qna.yaml`` at ``branch`` (asked of the trained
model) and at ``base_branch`` (asked of the base model), read from git in-process
(:func:`instructlab.taxonomy.leaves_at`); each seed answer is the reference. A judge grades each
answer 1-10 against its reference with the prompt below (written for ilab). Scores are averaged
per ``qna.yaml`` and compared leaf by leaf: improvements, regressions, no change, and new leaves
(not in the base branch), as InstructLab reports them, with each difference's bootstrap 95%
interval and a "within noise" flag where that interval holds 0.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from instructlab.eval.grading import Graded, JudgedRun, Question, ReferenceGrader
from instructlab.eval.noise import Estimate, difference, estimate

__all__ = [
    "BRANCH_JUDGE_SYSTEM",
    "BRANCH_JUDGE_TEMPLATE",
    "BranchGrader",
    "LeafChange",
    "MtBenchBranchResult",
    "branch_questions",
    "compare",
]

BRANCH_JUDGE_SYSTEM = (
    "You grade answers written by an AI assistant. You get a question, a reference answer that "
    "is known to be right, and the assistant's answer. Decide how well the assistant's answer "
    "agrees with the reference and how correct, complete and helpful it is; wording may differ "
    "from the reference, facts may not. Explain your verdict in two or three sentences, then "
    "rate the answer from 1 (wrong or useless) to 10 (as good as the reference) in exactly this "
    "form: [[rating]], for example [[6]]."
)

BRANCH_JUDGE_TEMPLATE = (
    "[Question]\n{question}\n\n[Reference answer]\n{reference}\n\n"
    "[The assistant's answer]\n{answer}\n\nYour explanation, then [[rating]]:"
)

#: How a seed example with a context is asked.
CONTEXT_QUESTION = "Read this text:\n\n{context}\n\nThen answer this question: {question}"


def _qid(leaf: str, question: str) -> str:
    """A question id that stays the same across runs and branches for the same leaf and text."""
    return hashlib.blake2b(f"{leaf}\x1f{question}".encode(), digest_size=8).hexdigest()


def _pairs(content: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    """(question, answer, context) of every seed example: skills' question/answer pairs and
    knowledge's questions_and_answers under a shared context."""
    out: list[tuple[str, str, str | None]] = []
    examples = content.get("seed_examples")
    if not isinstance(examples, list):
        return out
    for example in examples:
        if not isinstance(example, dict):
            continue
        context = example.get("context")
        context = str(context) if isinstance(context, str) and context.strip() else None
        if "question" in example:
            q, a = example.get("question"), example.get("answer")
            if isinstance(q, str) and isinstance(a, str) and q.strip() and a.strip():
                out.append((q, a, context))
        for qa in example.get("questions_and_answers") or []:
            if isinstance(qa, dict):
                q, a = qa.get("question"), qa.get("answer")
                if isinstance(q, str) and isinstance(a, str) and q.strip() and a.strip():
                    out.append((q, a, context))
    return out


def branch_questions(taxonomy: Path, rev: str) -> tuple[list[Question], list[str]]:
    """The seed examples of every ``qna.yaml`` at ``rev`` as questions (one turn, the seed
    answer as reference), and a line per file that could not be read (it is skipped)."""
    from instructlab.taxonomy import leaves_at

    questions: list[Question] = []
    skipped: list[str] = []
    for leaf in leaves_at(taxonomy, rev):
        if leaf.content is None:
            skipped.append(f"{leaf.path}@{rev}: {leaf.problem}")
            continue
        pairs = _pairs(leaf.content)
        if not pairs:
            skipped.append(f"{leaf.path}@{rev}: no seed examples with a question and an answer")
        for question, answer, context in pairs:
            text = question
            if context is not None:
                text = CONTEXT_QUESTION.format(context=context.strip(), question=question)
            questions.append(
                Question(_qid(leaf.path, question), "taxonomy", [text], [answer], group=leaf.path)
            )
    return questions, skipped


class BranchGrader(ReferenceGrader):
    """One turn, graded 1-10 against the seed answer."""

    high = 10
    name = "ilab-branch-v1"
    system = BRANCH_JUDGE_SYSTEM
    template = BRANCH_JUDGE_TEMPLATE


@dataclass(frozen=True)
class LeafChange:
    """One ``qna.yaml``: its score on each side and the difference."""

    leaf: str
    new: Estimate | None
    base: Estimate | None = None
    delta: Estimate | None = None

    @property
    def within_noise(self) -> bool:
        """Whether the difference's interval holds 0."""
        return self.delta is not None and self.delta.within_noise

    def to_dict(self) -> dict[str, Any]:
        """The change as JSON."""
        return {
            "qna_file": self.leaf,
            "score": self.new.to_dict() if self.new else None,
            "base_score": self.base.to_dict() if self.base else None,
            "delta": self.delta.to_dict() if self.delta else None,
            "within_noise": self.within_noise,
        }


def _by_leaf(graded: Sequence[Graded]) -> dict[str, list[list[float]]]:
    found: dict[str, list[list[float]]] = {}
    for g in graded:
        found.setdefault(g.question.group, []).extend(list(j.scores) for j in g.judgments)
    return found


def compare(
    new: Sequence[Graded], base: Sequence[Graded]
) -> tuple[list[LeafChange], list[LeafChange], list[LeafChange], list[LeafChange]]:
    """Improvements (best first), regressions (worst first), no change, and new leaves."""
    new_items, base_items = _by_leaf(new), _by_leaf(base)
    improvements, regressions, same, added = [], [], [], []
    for leaf in sorted(new_items):
        score = estimate(new_items[leaf])
        if leaf not in base_items:
            added.append(LeafChange(leaf, score))
            continue
        base_score = estimate(base_items[leaf])
        delta = difference(new_items[leaf], base_items[leaf])
        change = LeafChange(leaf, score, base_score, delta)
        if delta is None or round(delta.value, 9) == 0:
            same.append(change)
        elif delta.value > 0:
            improvements.append(change)
        else:
            regressions.append(change)
    improvements.sort(key=lambda c: -c.delta.value if c.delta else 0)
    regressions.sort(key=lambda c: c.delta.value if c.delta else 0)
    return improvements, regressions, same, added


@dataclass
class MtBenchBranchResult(JudgedRun):
    """Both sides' scores (0-10), the leaf-by-leaf comparison, the error rate and the files."""

    model: str
    base_model: str
    branch: str
    base_branch: str
    judge: str
    embedded_judge: bool
    overall: Estimate | None
    base_overall: Estimate | None
    improvements: list[LeafChange]
    regressions: list[LeafChange]
    no_changes: list[LeafChange]
    new: list[LeafChange]
    judgments: int
    errors: int
    judge_samples: int
    judge_temperature: float
    prompt_hash: str
    output_dir: Path
    skipped: list[str] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)
    requests_sent: int = 0
    requests_cached: int = 0
    max_score: float = 10.0

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON: InstructLab's keys (the lists as tuples), plus the intervals."""

        def delta_row(c: LeafChange) -> list[Any]:
            d = c.delta.value if c.delta else 0.0
            return [c.leaf, round(d, 2), c.base.value if c.base else None,
                    c.new.value if c.new else None]  # fmt: skip

        return {
            "model": self.model,
            "base_model": self.base_model,
            "branch": self.branch,
            "base_branch": self.base_branch,
            "overall_score": self.overall.value if self.overall else None,
            "overall_interval": [self.overall.low, self.overall.high] if self.overall else None,
            "base_overall_score": self.base_overall.value if self.base_overall else None,
            "base_overall_interval": (
                [self.base_overall.low, self.base_overall.high] if self.base_overall else None
            ),
            "max_score": self.max_score,
            "improvements": [delta_row(c) for c in self.improvements],
            "regressions": [delta_row(c) for c in self.regressions],
            "no_changes": [[c.leaf, c.new.value if c.new else None] for c in self.no_changes],
            "new_qnas": [[c.leaf, c.new.value if c.new else None] for c in self.new],
            "leaves": [
                c.to_dict()
                for c in self.improvements + self.regressions + self.no_changes + self.new
            ],
            "error_rate": self.error_rate,
            "judgments": self.judgments,
            "errors": self.errors,
            "judge": self.judge,
            "embedded_judge": self.embedded_judge,
            "judge_samples": self.judge_samples,
            "judge_temperature": self.judge_temperature,
            "judge_prompt_hash": self.prompt_hash,
            "skipped": self.skipped,
            "requests_sent": self.requests_sent,
            "requests_cached": self.requests_cached,
            "files": {k: str(v) for k, v in self.files.items()},
        }
