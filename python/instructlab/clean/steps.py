"""Whole cleaning steps over rows: choose the columns, run a kernel, keep rows, report."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from instructlab.clean.decontam import decontaminate, load_references
from instructlab.clean.dedup import DedupResult, exact_duplicates, near_duplicates
from instructlab.clean.filter import filter_settings, quality_filter
from instructlab.clean.report import CleanReport, CleanResult
from instructlab.clean.rows import Rows, load_rows
from instructlab.errors import UsageError


def _finish(
    rows: Rows, keep: Any, report: CleanReport, output: Path | None, report_path: Path | None
) -> CleanResult:
    if output is not None:
        rows.write(keep, output)
        if report_path is None:
            report_path = output.with_suffix(".report.json")
    if report_path is not None:
        report.write(report_path)
    return CleanResult(rows.subset(keep), keep, report, output, report_path)


def _joined(rows: Rows, columns: list[str]) -> list[str]:
    texts = [rows.texts(c) for c in columns]
    return ["\n".join(parts) for parts in zip(*texts, strict=True)]


def dedup_rows(
    data: Any,
    columns: Sequence[str] | None = None,
    threshold: float = 1.0,
    *,
    normalize: str = "default",
    num_perm: int = 128,
    ngram: int = 5,
    output: Path | None = None,
    report_path: Path | None = None,
) -> CleanResult:
    """Removes exact (``threshold`` 1.0) or near duplicates, keeping the first in input order.

    Near-duplicate detection compares the named columns joined with newlines.
    """
    if not 0.0 < threshold <= 1.0:
        raise UsageError(
            f"threshold: {threshold} is not in (0, 1]; 1.0 means exact duplicates", "threshold"
        )
    rows = load_rows(data)
    names = list(columns) if columns else rows.default_columns()
    result: DedupResult
    if threshold >= 1.0:
        result = exact_duplicates([rows.column(c) for c in names], normalize)
        step, reason = "exact_dedup", "exact_duplicate"
        settings: dict[str, Any] = {"columns": names, "normalize": normalize}
    else:
        text = rows.column(names[0]) if len(names) == 1 else _joined(rows, names)
        result = near_duplicates(
            text, threshold, num_perm=num_perm, ngram=ngram, normalize=normalize
        )
        step, reason = "near_dedup", "near_duplicate"
        settings = {
            "columns": names,
            "threshold": threshold,
            "num_perm": num_perm,
            "shingle": f"{ngram} words",
            "normalize": normalize,
        }
    keep = result.keep
    report = CleanReport(step, rows.source, len(rows), int(keep.sum()), settings=settings)
    report.stats = dict(result.stats)
    if report.dropped_rows:
        report.dropped[reason] = report.dropped_rows
        for row in (~keep).nonzero()[0][:3]:
            first = int(result.cluster[row])
            report.add_example(
                reason,
                {
                    "row": int(row),
                    "duplicate_of": first,
                    "text": rows.preview(int(row), names),
                    "kept_text": rows.preview(first, names),
                },
            )
    return _finish(rows, keep, report, output, report_path)


def filter_rows(
    data: Any,
    columns: Sequence[str] | None = None,
    *,
    question_column: str | None = None,
    preset: str = "default",
    settings: dict[str, Any] | None = None,
    tokenizer: Callable[[str], Sequence[int]] | None = None,
    output: Path | None = None,
    report_path: Path | None = None,
) -> CleanResult:
    """Drops low-quality rows with a reason each. The checked text is the answer column (or the
    first named column); the question column, when there is one, enables the echo check."""
    rows = load_rows(data)
    names = list(columns) if columns else [rows.default_columns()[-1]]
    if question_column is None and not columns:
        qa = rows.qa_columns()
        question_column = qa[0] if len(qa) == 2 else None
    text = rows.column(names[0]) if len(names) == 1 else _joined(rows, names)
    questions = rows.column(question_column) if question_column else None
    overrides = settings or {}
    result = quality_filter(text, questions, preset=preset, tokenizer=tokenizer, **overrides)
    keep = result.keep
    report = CleanReport(
        "filter",
        rows.source,
        len(rows),
        int(keep.sum()),
        dropped=result.counts(),
        settings={
            "column": names,
            "question_column": question_column,
            "preset": preset,
            **filter_settings(preset, **overrides),
        },
    )
    for row in (~keep).nonzero()[0]:
        reason = str(result.reason(int(row)))
        if len(report.examples.get(reason, [])) < 3:
            report.add_example(reason, {"row": int(row), "text": rows.preview(int(row), names)})
    return _finish(rows, keep, report, output, report_path)


def decontaminate_rows(
    data: Any,
    references: Any,
    ngram: int = 13,
    *,
    columns: Sequence[str] | None = None,
    threshold: float = 0.0,
    output: Path | None = None,
    report_path: Path | None = None,
) -> CleanResult:
    """Drops rows whose question/answer text shares n-grams with the references (a list of
    texts, a qna.yaml, a taxonomy folder, or a JSONL/Parquet file of evaluation rows)."""
    if ngram < 1:
        raise UsageError(f"ngram: must be at least 1, got {ngram}", "ngram")
    if not 0.0 <= threshold < 1.0:
        raise UsageError(
            f"threshold: {threshold} is not in [0, 1); 0 drops a row on any shared n-gram",
            "threshold",
        )
    rows = load_rows(data)
    names = list(columns) if columns else rows.qa_columns()
    if not names:
        raise UsageError(
            f"{rows.source}: no question/answer columns; name the columns to compare "
            "(never document or context passages)"
        )
    reference_texts = load_references(references)
    result = decontaminate(
        [rows.column(c) for c in names], reference_texts, ngram=ngram, threshold=threshold
    )
    keep = result.keep
    report = CleanReport(
        "decontaminate",
        rows.source,
        len(rows),
        int(keep.sum()),
        settings={
            "columns": names,
            "ngram": ngram,
            "threshold": threshold,
            "references": len(reference_texts),
        },
    )
    if report.dropped_rows:
        report.dropped["contaminated"] = report.dropped_rows
        for row in (~keep).nonzero()[0][:3]:
            ref = int(result.matched[row])
            report.add_example(
                "contaminated",
                {
                    "row": int(row),
                    "overlap": round(float(result.overlap[row]), 4),
                    "text": rows.preview(int(row), names),
                    "reference": " ".join(reference_texts[ref].split())[:160] if ref >= 0 else "",
                },
            )
    return _finish(rows, keep, report, output, report_path)
