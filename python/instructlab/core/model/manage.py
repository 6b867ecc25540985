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
    def list(self, *, checkpoints: bool = True) -> list[ModelInfo]:
        """Models in the models directory, the embedded one included, then (with
        ``checkpoints``) the trained checkpoints under ``train.ckpt_output_dir``, oldest first,
        each with its samples, base model and training data."""
        from instructlab.models.folder import list_models

        found = list_models()
        if checkpoints:
            found.extend(_checkpoints(self.configuration.train.ckpt_output_dir))
        return found

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


def _checkpoints(ckpt_output_dir: str) -> list[ModelInfo]:
    """The trained checkpoints under ``ckpt_output_dir`` as :class:`ModelInfo` records."""
    import dataclasses

    from instructlab.models.folder import model_info
    from instructlab.train.checkpoint import list_checkpoints

    root = Path(ckpt_output_dir).expanduser()
    out = []
    for checkpoint in list_checkpoints(root):
        info = checkpoint.info
        base = info.get("base_model")
        base = base if isinstance(base, dict) else {}
        data = info.get("data")
        inputs = data.get("inputs") if isinstance(data, dict) else None
        names = [Path(str(i)).name for i in inputs] if isinstance(inputs, list) else []
        out.append(
            dataclasses.replace(
                model_info(checkpoint.path.name, checkpoint.path),
                samples=checkpoint.samples,
                base_model=str(base.get("source") or base.get("path") or "") or None,
                data=", ".join(names) or None,
            )
        )
    return out
