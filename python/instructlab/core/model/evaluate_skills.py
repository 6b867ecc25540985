"""`Model.evaluate_mt_bench|evaluate_mt_bench_branch|evaluate_dk_bench`: the skills benchmarks,
graded by a judge model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from instructlab.core._checked import checked
from instructlab.core._pending import not_yet
from instructlab.core.model._base import ModelBase


class EvaluatingSkills(ModelBase):
    """Scoring a model's answers with a judge model."""

    @checked
    def evaluate_mt_bench(self, model: str | Path | None = None) -> Any:
        """MT-Bench."""
        raise not_yet("Model.evaluate_mt_bench")

    @checked
    def evaluate_mt_bench_branch(self, model: str | Path | None = None) -> Any:
        """MT-Bench on the taxonomy branch's skills, against the base model."""
        raise not_yet("Model.evaluate_mt_bench_branch")

    @checked
    def evaluate_dk_bench(self, model: str | Path | None = None) -> Any:
        """DK-Bench on the user's own questions."""
        raise not_yet("Model.evaluate_dk_bench")
