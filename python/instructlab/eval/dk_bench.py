"""DK-Bench: the user's own domain questions, each answer graded 1-5 against a reference.

The input is JSON lines with ``user_input`` (the question) and ``reference`` (a right answer),
and optionally ``response`` (an answer already given: it is graded as it is, and the model is
not asked). A judge grades each answer with the rubric below (written for ilab). Results are
written per model as JSON lines and CSV (``results_<time>.jsonl|csv``) with InstructLab's
columns: ``user_input``, ``reference``, ``response``, ``model_name``, ``scores``, ``timestamp``.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from instructlab.errors import FileError, UsageError
from instructlab.eval.grading import Graded, JudgedRun, Question, ReferenceGrader
from instructlab.eval.noise import Estimate, estimate, median_score

__all__ = [
    "DK_JUDGE_SYSTEM",
    "DK_JUDGE_TEMPLATE",
    "FILE_FORMATS",
    "DkBenchResult",
    "DkGrader",
    "check_formats",
    "dk_bench_questions",
    "result_rows",
    "write_results",
]

#: The result file formats written.
FILE_FORMATS = ("jsonl", "csv")

DK_JUDGE_SYSTEM = (
    "You check answers against a reference answer written by a domain expert. Grade the answer "
    "on this scale:\n"
    "1: wrong, or unrelated to the reference.\n"
    "2: touches the topic, but the key facts are wrong or missing.\n"
    "3: some key facts agree with the reference; there are clear errors or gaps.\n"
    "4: agrees with the reference on the key facts, with small gaps or imprecision.\n"
    "5: agrees with the reference fully: complete, precise, nothing wrong.\n"
    "Explain briefly, then give the grade in exactly this form: [[grade]], for example [[3]]."
)

DK_JUDGE_TEMPLATE = (
    "[Question]\n{question}\n\n[Reference answer]\n{reference}\n\n"
    "[Answer to grade]\n{answer}\n\nYour explanation, then [[grade]]:"
)


def check_formats(formats: str | Sequence[str]) -> list[str]:
    """The result formats asked for (``"jsonl,csv"`` or a list), checked."""
    wanted = formats.split(",") if isinstance(formats, str) else list(formats)
    chosen = [f.strip().lower() for f in wanted if f.strip()]
    bad = [f for f in chosen if f not in FILE_FORMATS]
    if bad or not chosen:
        raise UsageError(
            f"output_file_formats: {', '.join(bad) or 'none'}: use one or more of "
            f"{', '.join(FILE_FORMATS)}, comma-separated",
            "output_file_formats",
        )
    return list(dict.fromkeys(chosen))


def dk_bench_questions(path: Path) -> list[Question]:
    """The questions of a DK-Bench JSON-lines file; :class:`FileError` names the file, the line
    and the missing column."""
    from instructlab.fileio import iter_jsonl

    if path.suffix != ".jsonl":
        raise FileError(str(path), "is not a .jsonl file; DK-Bench reads JSON lines")
    questions: list[Question] = []
    for line, _, row in iter_jsonl(path):
        missing = [c for c in ("user_input", "reference") if not isinstance(row.get(c), str)]
        if missing:
            raise FileError(
                f"{path}:{line}",
                f"lacks the column{'s' if len(missing) > 1 else ''} {' and '.join(missing)} "
                "(each line needs user_input and reference as text; response is optional)",
            )
        response = row.get("response")
        given = [response] if isinstance(response, str) else None
        questions.append(
            Question(
                f"q{len(questions) + 1}",
                "dk_bench",
                [row["user_input"]],
                [row["reference"]],
                given=given,
                extra={"line": line},
            )
        )
    if not questions:
        raise FileError(str(path), "holds no questions")
    return questions


class DkGrader(ReferenceGrader):
    """One turn, graded 1-5 with the rubric."""

    high = 5
    name = "ilab-dk-bench-v1"
    system = DK_JUDGE_SYSTEM
    template = DK_JUDGE_TEMPLATE


@dataclass
class DkBenchResult(JudgedRun):
    """Scores 1-5 per question and on average, the error rate and the result files."""

    model: str
    judge: str
    embedded_judge: bool
    scores: list[float | None]
    intervals: list[Estimate | None]
    average: Estimate | None
    judgments: int
    errors: int
    judge_samples: int
    judge_temperature: float
    prompt_hash: str
    output_dir: Path
    files: dict[str, Path] = field(default_factory=dict)
    requests_sent: int = 0
    requests_cached: int = 0
    max_score: float = 5.0

    @property
    def total(self) -> float:
        """The sum of the questions' scores (questions without one count 0)."""
        return float(sum(s for s in self.scores if s is not None))

    @property
    def median(self) -> float | None:
        """The median question score."""
        valid = [s for s in self.scores if s is not None]
        return float(statistics.median(valid)) if valid else None

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON."""
        return {
            "model": self.model,
            "scores": self.scores,
            "intervals": [[e.low, e.high] if e else None for e in self.intervals],
            "average_score": self.average.value if self.average else None,
            "average_interval": [self.average.low, self.average.high] if self.average else None,
            "median_score": self.median,
            "total_score": self.total,
            "max_score": self.max_score,
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


def scores_of(graded: Sequence[Graded]) -> tuple[list[float | None], list[Estimate | None]]:
    """Each question's score (median of its judge samples) and its interval."""
    scores = [median_score(g.judgments[0].scores) if g.judgments else None for g in graded]
    intervals = [estimate([g.judgments[0].scores]) if g.judgments else None for g in graded]
    return scores, intervals


def result_rows(graded: Sequence[Graded], model_name: str, stamp: str) -> list[dict[str, Any]]:
    """One row per question, in InstructLab's columns (``scores`` is None without a grade)."""
    scores, _ = scores_of(graded)
    rows = []
    for g, score in zip(graded, scores, strict=True):
        rows.append(
            {
                "user_input": g.question.turns[0],
                "reference": (g.question.references or [""])[0],
                "response": g.answers[0] if g.answers else None,
                "model_name": model_name,
                "scores": score,
                "judge_samples": g.judgments[0].scores if g.judgments else [],
                "timestamp": stamp,
            }
        )
    return rows


def write_results(
    rows: list[dict[str, Any]], formats: Sequence[str], folder: Path, stamp: str
) -> dict[str, Path]:
    """Writes the rows in each format; returns the files by format."""
    from instructlab.fileio import atomic_write_text, write_jsonl

    files: dict[str, Path] = {}
    for fmt in formats:
        target = folder / f"results_{stamp}.{fmt}"
        if fmt == "jsonl":
            write_jsonl(target, rows)
        else:
            buffer = io.StringIO()
            columns = ["user_input", "reference", "response", "model_name", "scores", "timestamp"]
            writer = csv.DictWriter(buffer, columns, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
            atomic_write_text(target, buffer.getvalue())
        files[fmt] = target
    return files
