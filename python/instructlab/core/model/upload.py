"""`Model.upload`: a model to a registry or object store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from instructlab.core._checked import checked
from instructlab.core._pending import not_yet
from instructlab.core.model._base import ModelBase


class Uploading(ModelBase):
    """Uploading models."""

    @checked
    def upload(self, model: str | Path, destination: str) -> Any:
        """Uploads a model."""
        raise not_yet("Model.upload")
