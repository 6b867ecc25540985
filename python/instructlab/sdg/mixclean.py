"""Cleaning a mix: exact duplicates across a training set, and rows that leak the test set.

A mixed training set (every data set of a recipe, taken together before sampling) loses:

- ``exact duplicate``: a row whose user and assistant text equals an earlier row's after
  normalisation (NFKC, lower case, collapsed whitespace); the first in input order stays;
- ``test-set overlap``: a row whose question and answer share a 13-word sequence with the run's
  test set (the seed examples), by the decontamination kernel's default rule.

Only question and answer text is compared with the test set, never document passages:
knowledge rows share their documents with the test set by design. Cleaning happens before the
recipe's sampling, so deliberate repeats (upsampling) stay.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from instructlab.clean.lists import first_occurrences, reference_overlaps
from instructlab.clean.rows import role_text

#: Why a row left the mix.
DUPLICATE = "exact duplicate"
TEST_OVERLAP = "test-set overlap"
#: What each reason means, for reports.
REASONS = {
    DUPLICATE: "same user and assistant text as an earlier row (normalised)",
    TEST_OVERLAP: "question or answer shares a 13-word sequence with the test set",
}
#: Example ids kept per reason.
EXAMPLES = 3
Row = dict[str, Any]


@dataclass
class MixCleaning:
    """What cleaning removed from one training set: counts and example ids by reason."""

    rows_in: int = 0
    removed: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def drop(self, reason: str, example: str) -> None:
        """Counts one removed row."""
        self.removed[reason] += 1
        shown = self.examples.setdefault(reason, [])
        if len(shown) < EXAMPLES:
            shown.append(example)

    @staticmethod
    def meaning(reason: str) -> str:
        """What a reason for removing a row means, for people."""
        return REASONS.get(reason, reason)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready copy."""
        return {
            "rows_in": self.rows_in,
            "removed": dict(self.removed),
            "examples": {k: list(v) for k, v in self.examples.items()},
        }


class MixCleaner:
    """Removes exact duplicates (``dedup``) and test-set leaks (``references``, the test set's
    question and answer texts; none: no decontamination) from training sets.

    ``qa`` maps record ids to their question and answer text where the caller knows it (a
    knowledge record's user turn holds documents around the question); other records are
    compared on their user turn with any passage named in the row or its metadata cut out.
    """

    def __init__(
        self,
        dedup: bool = True,
        references: Sequence[str] = (),
        qa: Mapping[str, tuple[str, str]] | None = None,
    ) -> None:
        self.dedup = dedup
        self.references = [r for r in references if r.strip()]
        self.qa = dict(qa or {})

    @property
    def active(self) -> bool:
        """Whether this cleaner removes anything at all."""
        return self.dedup or bool(self.references)

    def question_and_answer(self, row: Mapping[str, Any]) -> tuple[str, str]:
        """The text of ``row`` compared with the test set."""
        known = self.qa.get(str(row.get("id") or ""))
        if known is not None:
            return known
        return role_text(row, "user", without_passages=True), role_text(row, "assistant")

    def keep(
        self,
        pairs: Sequence[tuple[str, str]],
        questions: Sequence[tuple[str, str]],
        labels: Sequence[str],
        cleaning: MixCleaning,
    ) -> list[bool]:
        """Which rows stay: ``pairs`` (full user, assistant text) for duplicates,
        ``questions`` (question, answer) for the test set; ``labels`` name rows in examples."""
        keep = [True] * len(pairs)
        cleaning.rows_in += len(pairs)
        if not pairs:
            return keep
        if self.dedup:
            users = [u for u, _ in pairs]
            answers = [a for _, a in pairs]
            for index, first in enumerate(first_occurrences([users, answers], "default")):
                if first != index:
                    keep[index] = False
                    cleaning.drop(DUPLICATE, labels[index])
        if self.references:
            rest = [i for i, k in enumerate(keep) if k]
            matched = reference_overlaps(
                [[questions[i][0] for i in rest], [questions[i][1] for i in rest]],
                self.references,
            )
            for index, match in zip(rest, matched, strict=True):
                if match >= 0:
                    keep[index] = False
                    cleaning.drop(TEST_OVERLAP, labels[index])
        return keep

    def clean(self, datasets: Sequence[Sequence[Row]]) -> tuple[list[list[Row]], MixCleaning]:
        """The data sets of one training set, taken together, without the removed rows."""
        cleaning = MixCleaning()
        rows = [row for dataset in datasets for row in dataset]
        pairs = [(role_text(r, "user"), role_text(r, "assistant")) for r in rows]
        questions = [self.question_and_answer(r) for r in rows]
        labels = [str(r.get("id") or f"row {i + 1}") for i, r in enumerate(rows)]
        keep = self.keep(pairs, questions, labels, cleaning)
        kept: list[list[Row]] = []
        start = 0
        for dataset in datasets:
            flags = keep[start : start + len(dataset)]
            kept.append([row for row, k in zip(dataset, flags, strict=True) if k])
            start += len(dataset)
        return kept, cleaning


def references_of_test_set(records: Sequence[Mapping[str, Any]]) -> list[str]:
    """Reference texts of test records without their question/answer split known: the user and
    assistant texts (a knowledge record's user text then includes its context)."""
    texts: list[str] = []
    for record in records:
        texts.extend(str(record.get(k) or "") for k in ("user", "assistant"))
    return [t for t in texts if t.strip()]


def load_test_references(path: str | Path) -> list[str]:
    """Reference texts from a run's ``test_*.jsonl`` (its user and assistant turns), or from
    anything :func:`instructlab.clean.decontam.load_references` reads (a taxonomy folder, a
    qna.yaml: their seed questions and answers only)."""
    from instructlab.fileio import read_jsonl

    given = Path(path)
    if given.suffix == ".jsonl" and given.is_file():
        records = read_jsonl(given)
        if records and "user" in records[0] and "messages" not in records[0]:
            return references_of_test_set(records)
    from instructlab.clean.decontam import load_references

    return load_references(given)
