"""A PNG of per-subject (or per-leaf) scores with their standard errors (matplotlib, the ``eval``
extra). MMLU-branch draws the base model's bar beside the trained model's."""

from __future__ import annotations

from pathlib import Path

from instructlab.eval.results import BranchResult, KnowledgeResult
from instructlab.extras import installed, require
from instructlab.fileio import atomic_open

__all__ = ["chart_available", "write_chart"]


def chart_available() -> bool:
    """Whether matplotlib is installed (the ``eval`` extra)."""
    return installed("matplotlib")


def write_chart(result: KnowledgeResult | BranchResult, path: str | Path) -> Path:
    """Draws horizontal bars, one per subject or leaf, with ±1 standard error; returns the path."""
    require("matplotlib", "eval", "the PNG chart of scores")
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    runs = [result.base, result.model] if isinstance(result, BranchResult) else [result]
    labels = [s.task for s in runs[-1].sets]
    height = 0.8 / len(runs)
    figure, axes = plt.subplots(figsize=(9, 1.2 + 0.28 * len(labels) * len(runs)))
    for k, run in enumerate(runs):
        scores = {s.task: s for s in run.sets}
        ys = [i + (k - (len(runs) - 1) / 2) * height for i in range(len(labels))]
        values = [scores[t].score if t in scores else 0.0 for t in labels]
        errors = [scores[t].stderr if t in scores else 0.0 for t in labels]
        name = ("base: " if run is not runs[-1] else "") + Path(run.model).name
        axes.barh(ys, values, height=height, xerr=errors, capsize=2, label=name)
    axes.set_yticks(range(len(labels)), labels, fontsize=7)
    axes.invert_yaxis()
    axes.set_xlim(0, 1)
    axes.axvline(runs[-1].overall, color="black", linewidth=0.8, linestyle="--")
    axes.set_xlabel(f"accuracy (dashed: mean {runs[-1].overall:.3f})")
    axes.set_title(f"{runs[-1].benchmark}: {Path(runs[-1].model).name}, {runs[-1].few_shots}-shot")
    if len(runs) > 1:
        axes.legend(loc="lower right", fontsize=8)
    figure.tight_layout()
    target = Path(path)
    with atomic_open(target, "wb") as handle:
        figure.savefig(handle, format="png", dpi=100)
    plt.close(figure)
    return target
