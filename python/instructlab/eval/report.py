"""Reports: InstructLab's "KNOWLEDGE EVALUATION REPORT" text, JSON, and the files a run keeps.

The text keeps InstructLab's lines (``task - score``, ``model (score/1.0)``, the numbered
improvements / regressions / no-change lists), so what read its output reads ours; what InstructLab
does not print (the sample-weighted score, standard errors, timings) follows in a section of its
own at the end.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from instructlab.eval.results import BranchResult, KnowledgeResult, LeafChange
from instructlab.fileio import atomic_write_text, ensure_dir

__all__ = ["branch_report", "knowledge_report", "to_json", "write_files"]

_MAX = "1.0"


def _model_line(model: str, score: float) -> str:
    return f"{model} ({round(score, 2)}/{_MAX})"


def _detail(result: KnowledgeResult, title: str = "DETAIL") -> list[str]:
    lines = [f"\n### {title}:"]
    width = max([len(s.task) for s in result.sets] + [len("sample-weighted")])
    lines.append(
        f"{'subject mean':<{width}}  {result.overall:.4f} ± {result.overall_stderr:.4f}"
        f"  ({len(result.sets)} sets)"
    )
    lines.append(
        f"{'sample-weighted':<{width}}  {result.weighted:.4f} ± {result.weighted_stderr:.4f}"
        f"  ({result.total} questions)"
    )
    for s in result.sets:
        lines.append(f"{s.task:<{width}}  {s.score:.4f} ± {s.stderr:.4f}  ({s.correct}/{s.total})")
    lines.append(
        f"{result.few_shots}-shot; {result.backend}; start-up {result.startup_seconds:.1f} s, "
        f"scoring {result.scoring_seconds:.1f} s"
    )
    return lines


def knowledge_report(result: KnowledgeResult) -> str:
    """InstructLab's MMLU report, then the detail InstructLab leaves out."""
    lines = ["# KNOWLEDGE EVALUATION REPORT", "", "## MODEL (SCORE)"]
    lines.append(_model_line(result.model, result.overall))
    lines.append(f"\n### SCORES (0.0 to {_MAX}):")
    lines += [f"{s.task} - {round(s.score, 2)}" for s in result.sets]
    lines += _detail(result)
    return "\n".join(lines) + "\n"


def _changes(title: str, changes: tuple[LeafChange, ...], sign: str) -> list[str]:
    if not changes:
        return []
    lines = [f"\n### {title} (0.0 to {_MAX}):"]
    for n, c in enumerate(changes, start=1):
        delta = f"{sign}{round(c.delta, 2)}" if sign else f"{round(c.delta, 2)}"
        lines.append(f"{n}. {c.task}: {round(c.base_score, 2)} -> {round(c.score, 2)} ({delta})")
    return lines


def branch_report(result: BranchResult) -> str:
    """InstructLab's MMLU-branch report, then the detail of both models."""
    lines = ["# KNOWLEDGE EVALUATION REPORT", "", "## BASE MODEL (SCORE)"]
    lines.append(_model_line(result.base.model, result.base.overall))
    lines += ["", "## MODEL (SCORE)", _model_line(result.model.model, result.model.overall)]
    lines += _changes("IMPROVEMENTS", result.improvements, "+")
    lines += _changes("REGRESSIONS", result.regressions, "")
    if result.no_change:
        lines.append(f"\n### NO CHANGE (0.0 to {_MAX}):")
        lines += [f"{n}. {c.task} ({round(c.score, 2)})" for n, c in enumerate(result.no_change, 1)]
    lines += _detail(result.model, "DETAIL, MODEL")
    lines += _detail(result.base, f"DETAIL, BASE MODEL (from {result.base_source})")
    return "\n".join(lines) + "\n"


def to_json(result: KnowledgeResult | BranchResult, questions: bool = False) -> str:
    """The result as indented JSON."""
    return json.dumps(result.to_dict(questions), indent=2, ensure_ascii=False)


def write_files(
    result: KnowledgeResult | BranchResult, output_dir: str | Path, chart: bool | None = None
) -> list[Path]:
    """Writes ``<benchmark>_<time>.json`` (with every question's log-likelihoods) and, when
    matplotlib is there (or ``chart=True`` demands it), ``<benchmark>_<time>.png``."""
    from instructlab.eval.chart import chart_available, write_chart

    folder = ensure_dir(output_dir)
    benchmark = result.model.benchmark if isinstance(result, BranchResult) else result.benchmark
    stamp = datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    written = [atomic_write_text(folder / f"{benchmark}_{stamp}.json", to_json(result, True))]
    if chart or (chart is None and chart_available()):
        written.append(write_chart(result, folder / f"{benchmark}_{stamp}.png"))
    return written
