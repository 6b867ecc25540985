"""Reports of the skills benchmarks: InstructLab's "SKILL EVALUATION REPORT" and "DK-BENCH
REPORT" shapes (with each score's 95% interval beside it), and a PNG of the scores per category
or per leaf with their intervals (drawn with matplotlib, from the ``eval`` extra).

The error rate is always printed, zero included: a judge that gives no rating is never hidden.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from instructlab.eval.noise import Estimate

if TYPE_CHECKING:
    from instructlab.eval.dk_bench import DkBenchResult
    from instructlab.eval.mt_bench import MtBenchResult
    from instructlab.eval.mt_bench_branch import LeafChange, MtBenchBranchResult

__all__ = [
    "plot_scores",
    "preload_plotting",
    "render_dk_bench",
    "render_mt_bench",
    "render_mt_bench_branch",
]

#: What the report says under an embedded judge's scores.
EMBEDDED_NOTE = (
    "The judge is the embedded SmolLM2-135M-Instruct because no judge model was set: its scores "
    "show the run works, not how good the answers are. Set --judge-model (a local model) or "
    "--judge-endpoint-url for a judge worth trusting."
)


def _ci(e: Estimate | None, signed: bool = False) -> str:
    if e is None:
        return ""
    fmt = "{:+.2f}" if signed else "{:.2f}"
    return f"  [95% CI {fmt.format(e.low)}, {fmt.format(e.high)}]"


def _score(e: Estimate | None) -> str:
    return "N/A" if e is None else f"{round(e.value, 2)}"


def _judge_lines(
    judge: str, embedded: bool, samples: int, temperature: float, prompt: str, errors: int,
    judgments: int,
) -> list[str]:  # fmt: skip
    rate = errors / judgments if judgments else 0.0
    lines = [
        "\n### ERROR RATE:",
        f"{round(rate, 2)} ({errors} of {judgments} judge samples gave no rating)",
        "\n### JUDGE:",
        f"{judge}; judge prompt {prompt}; {samples} sample{'s' if samples != 1 else ''} per "
        f"answer at temperature {temperature:g}",
    ]
    if embedded:
        lines.append(EMBEDDED_NOTE)
    return lines


def render_mt_bench(r: MtBenchResult) -> str:
    """The MT-Bench report as text."""
    top = f"{r.max_score:.1f}"
    turn1 = r.turn_scores[0] if r.turn_scores else None
    turn2 = r.turn_scores[1] if len(r.turn_scores) > 1 else None
    lines = [
        "# SKILL EVALUATION REPORT",
        "\n## MODEL (SCORE)",
        f"{r.model} ({_score(r.overall)}/{top}){_ci(r.overall)}",
        f"\n### TURN ONE (0.0 to {top}):",
        f"{_score(turn1)}{_ci(turn1)}",
        f"\n### TURN TWO (0.0 to {top}):",
        f"{_score(turn2)}{_ci(turn2)}",
    ]
    if r.categories:
        lines.append(f"\n### CATEGORIES (0.0 to {top}):")
        lines += [f"{name}: {_score(e)}{_ci(e)}" for name, e in r.categories.items()]
    lines += _judge_lines(
        r.judge, r.embedded_judge, r.judge_samples, r.judge_temperature, r.prompt_hash,
        r.errors, r.judgments,
    )  # fmt: skip
    return "\n".join(lines)


def _change(c: LeafChange) -> str:
    head = f"{c.leaf}: {_score(c.base)} -> {_score(c.new)}"
    d = c.delta
    if d is None:
        return head
    noise = "  (within noise)" if c.within_noise else ""
    return f"{head} ({d.value:+.2f}){_ci(d, signed=True)}{noise}"


def render_mt_bench_branch(r: MtBenchBranchResult) -> str:
    """The MT-Bench-branch report as text."""
    top = f"{r.max_score:.1f}"
    lines = [
        "# SKILL EVALUATION REPORT",
        "\n## BASE MODEL (SCORE)",
        f"{r.base_model} ({_score(r.base_overall)}/{top}){_ci(r.base_overall)}",
        "\n## MODEL (SCORE)",
        f"{r.model} ({_score(r.overall)}/{top}){_ci(r.overall)}",
    ]
    if r.improvements:
        lines.append(f"\n### IMPROVEMENTS (0.0 to {top}):")
        lines += [f"{i}. {_change(c)}" for i, c in enumerate(r.improvements, 1)]
    if r.regressions:
        lines.append(f"\n### REGRESSIONS (0.0 to {top}):")
        lines += [f"{i}. {_change(c)}" for i, c in enumerate(r.regressions, 1)]
    if r.no_changes:
        lines.append(f"\n### NO CHANGE (0.0 to {top}):")
        lines += [f"{i}. {c.leaf} ({_score(c.new)})" for i, c in enumerate(r.no_changes, 1)]
    if r.new:
        lines.append(f"\n### NEW (0.0 to {top}):")
        lines += [f"{i}. {c.leaf} ({_score(c.new)}){_ci(c.new)}" for i, c in enumerate(r.new, 1)]
    noisy = [c for c in r.improvements + r.regressions if c.within_noise]
    if noisy:
        lines.append(
            f"\n{len(noisy)} of {len(r.improvements) + len(r.regressions)} changes are within "
            "noise: their 95% interval holds 0, so their sign means nothing."
        )
    if r.skipped:
        lines.append("\n### SKIPPED:")
        lines += r.skipped
    lines += _judge_lines(
        r.judge, r.embedded_judge, r.judge_samples, r.judge_temperature, r.prompt_hash,
        r.errors, r.judgments,
    )  # fmt: skip
    return "\n".join(lines)


def render_dk_bench(r: DkBenchResult) -> str:
    """The DK-Bench report as text."""
    top = int(r.max_score)
    lines = ["# DK-BENCH REPORT", f"\n## MODEL: {r.model}\n"]
    for i, score in enumerate(r.scores, 1):
        shown = "no grade" if score is None else f"{score:g}/{top}"
        lines.append(f"Question #{i}:     {shown}")
    lines.append("----------------------------")
    average = f"{r.average.value:.2f}" if r.average else "N/A"
    lines.append(f"Average Score:   {average}/{top}{_ci(r.average)}")
    lines.append(f"Total Score:     {r.total:g}/{len(r.scores) * top}")
    if r.files:
        lines.append("\nResponses and scores are written to:")
        lines += [str(p) for k, p in r.files.items() if k in ("jsonl", "csv")]
    lines += _judge_lines(
        r.judge, r.embedded_judge, r.judge_samples, r.judge_temperature, r.prompt_hash,
        r.errors, r.judgments,
    )  # fmt: skip
    return "\n".join(lines)


def preload_plotting() -> None:
    """Imports matplotlib on a background thread: started while a run waits on its servers,
    the second or so its import takes is not added to the run's end."""
    import threading

    from instructlab.extras import installed

    def load() -> None:
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot
        except Exception:  # the chart is a nicety; plot_scores says why it is missing
            return

    if installed("matplotlib"):
        threading.Thread(target=load, name="preload-matplotlib", daemon=True).start()


def plot_scores(
    path: Path,
    title: str,
    rows: Sequence[tuple[str, Sequence[tuple[str, Estimate | None]]]],
    max_score: float,
) -> Path | None:
    """A horizontal bar chart: one group per row label, one bar per series, each with its 95%
    interval. None (nothing written) when matplotlib is not installed."""
    from instructlab.extras import installed

    if not installed("matplotlib") or not rows:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from instructlab.fileio import atomic_write_bytes

    series = [name for name, _ in rows[0][1]]
    height = 0.8 / max(1, len(series))
    fig, ax = plt.subplots(figsize=(9, 1.2 + 0.45 * len(rows) * max(1, len(series))))
    try:
        for s_index, name in enumerate(series):
            ys: list[float] = []
            values: list[float] = []
            errors: list[list[float]] = [[], []]
            for r_index, (_, cells) in enumerate(rows):
                e = dict(cells).get(name)
                ys.append(r_index + s_index * height)
                values.append(e.value if e else 0.0)
                errors[0].append(e.value - e.low if e else 0.0)
                errors[1].append(e.high - e.value if e else 0.0)
            ax.barh(ys, values, height=height, xerr=errors, capsize=3, label=name)
        ax.set_yticks([i + height * (len(series) - 1) / 2 for i in range(len(rows))])
        ax.set_yticklabels([label for label, _ in rows])
        ax.invert_yaxis()
        ax.set_xlim(0, max_score)
        ax.set_xlabel(f"score (0 to {max_score:g}); bars: 95% interval")
        ax.set_title(title)
        if len(series) > 1:
            ax.legend(loc="lower right")
        fig.tight_layout()
        import io

        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=100)
    finally:
        plt.close(fig)
    return atomic_write_bytes(path, buffer.getvalue())
