"""MMLU-format question sets generated from a seed: what tests and benchmarks score, since MMLU
itself is neither shipped nor downloaded.

The questions are pseudo-English of MMLU's lengths (a question of 15 to 60 words, four choices
of 1 to 8 words), written in MMLU's CSV layout (``dev/`` and ``test/``) or lm-eval's parquet
layout (``<subject>/test-*.parquet``, ``dev-*.parquet``). The same seed gives the same files.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Sequence
from pathlib import Path

from instructlab.eval.mmlu_data import MMLU_SUBJECTS
from instructlab.eval.questions import LETTERS, Question
from instructlab.extras import require
from instructlab.fileio import atomic_write_bytes, atomic_write_text

__all__ = ["generate_questions", "write_mmlu"]

_WORD_TEXT = (
    "the of and to in is was for that with as on by at from which this be are an it or were "
    "has have had not but their its all can more than one two three first most other time "
    "energy cell river market law court theory value system process function force state "
    "water light number rate model group species war trade price field power change growth "
    "age city nation region culture language body blood heart brain gene protein atom charge "
    "mass wave heat current signal code data network memory logic proof set matrix vector "
    "angle circle line area volume ratio sample mean variance error test policy treaty "
    "empire church king vote party tax bank loan firm labor capital demand supply cost "
    "profit risk moral duty right virtue reason mind belief knowledge truth patient disease "
    "drug dose therapy tissue organ nerve muscle bone skin virus infection"
)
_WORDS = tuple(_WORD_TEXT.split())


def _phrase(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(low, high)))


def generate_questions(subject: str, count: int, seed: int = 0) -> list[Question]:
    """``count`` four-choice questions for ``subject``, the same for the same seed."""
    rng = random.Random(f"{seed}:{subject}:{count}")
    out = []
    for _ in range(count):
        text = _phrase(rng, 15, 60).capitalize() + "?"
        choices = tuple(_phrase(rng, 1, 8) for _ in range(4))
        out.append(Question(text, choices, rng.randrange(4)))
    return out


def write_mmlu(
    root: str | Path,
    subjects: Sequence[str] = MMLU_SUBJECTS,
    *,
    test: int = 20,
    dev: int = 5,
    layout: str = "csv",
    seed: int = 0,
) -> Path:
    """Writes an MMLU-format set under ``root`` (``csv`` or ``parquet`` layout); returns root."""
    base = Path(root)
    for subject in subjects:
        splits = {
            "test": generate_questions(f"{subject}/test", test, seed),
            "dev": generate_questions(f"{subject}/dev", dev, seed),
        }
        for split, questions in splits.items():
            if layout == "csv":
                buffer = io.StringIO()
                writer = csv.writer(buffer)
                for q in questions:
                    writer.writerow([q.question, *q.choices, LETTERS[q.answer]])
                atomic_write_text(base / split / f"{subject}_{split}.csv", buffer.getvalue())
            elif layout == "parquet":
                pa = require("pyarrow", "data", "writing parquet files")
                pq = require("pyarrow.parquet", "data", "writing parquet files")

                table = pa.table(
                    {
                        "question": [q.question for q in questions],
                        "subject": [subject] * len(questions),
                        "choices": [list(q.choices) for q in questions],
                        "answer": [q.answer for q in questions],
                    }
                )
                sink = io.BytesIO()
                pq.write_table(table, sink)
                name = f"{split}-00000-of-00001.parquet"
                atomic_write_bytes(base / subject / name, sink.getvalue())
            else:
                raise ValueError(f"layout is csv or parquet, not {layout!r}")
    return base
