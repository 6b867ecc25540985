"""`Model.list|download|remove`: the models folder."""

from __future__ import annotations

from collections.abc import Callable
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
    def remove(self, model: str, *, confirm: Callable[[Path], bool] | None = None) -> Path | None:
        """Deletes a model from the models directory; returns what was deleted.

        ``confirm`` is asked first, with the model's path; when it says no, nothing is deleted
        and None is returned.
        """
        from instructlab.models.folder import find, remove

        if confirm is not None and not confirm(find(model).path):
            return None
        return remove(model)
