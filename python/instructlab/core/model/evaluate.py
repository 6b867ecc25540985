"""`Model.evaluate_*`: the knowledge and skills benchmarks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from instructlab.core._checked import checked
from instructlab.core._pending import not_yet
from instructlab.core.model._base import ModelBase


class Evaluating(ModelBase):
    """Scoring a model on the benchmarks."""

    @checked
    def evaluate_mmlu_bench(self, model: str | Path | None = None) -> Any:
        """MMLU."""
        raise not_yet("Model.evaluate_mmlu_bench")

    @checked
    def evaluate_mmlu_branch(self, model: str | Path | None = None) -> Any:
        """MMLU on the taxonomy branch's knowledge, against the base model."""
        raise not_yet("Model.evaluate_mmlu_branch")

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
