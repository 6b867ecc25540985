"""`Model.train_model`: fine-tuning the student."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from instructlab.core._checked import checked
from instructlab.core._pending import not_yet
from instructlab.core.model._base import ModelBase


class Training(ModelBase):
    """Fine-tuning the student model."""

    @checked
    def train_model(self, data_path: str | Path | None = None, pipeline: str | None = None) -> Any:
        """Fine-tunes the student model."""
        raise not_yet("Model.train_model")
