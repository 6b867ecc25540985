"""Evaluation: the skills benchmarks (MT-Bench, MT-Bench-branch, DK-Bench), graded by a judge
model over any OpenAI-compatible endpoint, with the judge's own noise measured.

Names are imported on first use, so importing the package loads nothing heavy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from instructlab._lazy import lazy_exports

if TYPE_CHECKING:
    from instructlab.eval.dk_bench import DkBenchResult
    from instructlab.eval.mt_bench import MtBenchResult
    from instructlab.eval.mt_bench_branch import LeafChange, MtBenchBranchResult
    from instructlab.eval.noise import Estimate
    from instructlab.eval.runner import Model
    from instructlab.eval.skills import (
        SkillsOptions,
        run_dk_bench,
        run_mt_bench,
        run_mt_bench_branch,
    )

_HOMES = {
    "DkBenchResult": "dk_bench",
    "Estimate": "noise",
    "LeafChange": "mt_bench_branch",
    "Model": "runner",
    "MtBenchBranchResult": "mt_bench_branch",
    "MtBenchResult": "mt_bench",
    "SkillsOptions": "skills",
    "run_dk_bench": "skills",
    "run_mt_bench": "skills",
    "run_mt_bench_branch": "skills",
}

__getattr__, __dir__ = lazy_exports(__name__, _HOMES)

__all__ = [
    "DkBenchResult",
    "Estimate",
    "LeafChange",
    "Model",
    "MtBenchBranchResult",
    "MtBenchResult",
    "SkillsOptions",
    "run_dk_bench",
    "run_mt_bench",
    "run_mt_bench_branch",
]
