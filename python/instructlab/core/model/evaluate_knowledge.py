"""`Model.evaluate_mmlu_bench|evaluate_mmlu_branch`: the knowledge benchmarks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from instructlab.core._checked import checked
from instructlab.core._pending import not_yet
from instructlab.core.model._base import ModelBase


class EvaluatingKnowledge(ModelBase):
    """Scoring a model on the knowledge benchmarks (log-likelihood multiple choice)."""

    @checked
    def evaluate_mmlu_bench(self, model: str | Path | None = None) -> Any:
        """MMLU."""
        raise not_yet("Model.evaluate_mmlu_bench")

    @checked
    def evaluate_mmlu_branch(self, model: str | Path | None = None) -> Any:
        """MMLU on the taxonomy branch's knowledge, against the base model."""
        raise not_yet("Model.evaluate_mmlu_branch")
