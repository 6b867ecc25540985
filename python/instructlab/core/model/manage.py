"""`Model.list|download|remove`: the models folder."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from instructlab.core._checked import checked
from instructlab.core.model._base import ModelBase

if TYPE_CHECKING:
    from instructlab.models.folder import ModelInfo


class Managing(ModelBase):
    """The models folder: what is there, copying or downloading in, removing."""

    @checked
    def list(self) -> list[ModelInfo]:
        """Models in the models directory, the embedded one included."""
        from instructlab.models.folder import list_models

        return list_models()

    @checked
    def download(
        self,
        source: str,
        destination: str | Path | None = None,
        *,
        filename: str | None = None,
        revision: str | None = None,
        token: str | None = None,
    ) -> Path:
        """Copies a model from a local path, or downloads a Hugging Face repository (or one file
        of it); returns where it now is."""
        from instructlab.models.folder import download

        target = Path(destination) if destination is not None else None
        return download(source, target, filename=filename, revision=revision, token=token)

    @checked
    def remove(self, model: str) -> Path:
        """Deletes a model from the models directory; returns what was deleted."""
        from instructlab.models.folder import remove

        return remove(model)
