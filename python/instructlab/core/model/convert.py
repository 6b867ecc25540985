"""`Model.convert`: a trained model to another format (GGUF)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from instructlab.core._checked import checked
from instructlab.core._pending import not_yet
from instructlab.core.model._base import ModelBase


class Converting(ModelBase):
    """Converting trained models."""

    @checked
    def convert(self, model_dir: str | Path) -> Any:
        """Converts a trained model (e.g. to GGUF)."""
        raise not_yet("Model.convert")
