"""What every part of the SDK's `Model` shares: the student model, the configuration, and a
model served for the length of a ``with`` block (chat, evaluation and tests all need one)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from instructlab.core._base import ConfiguredBase
from instructlab.core._checked import checked
from instructlab.errors import UsageError

if TYPE_CHECKING:
    from instructlab.config import Config as ConfigModel


class ModelBase(ConfiguredBase):
    """The defaults every `Model` method starts from: a student model and a configuration."""

    @checked
    def __init__(
        self,
        student_model: str | Path | None = None,
        configuration: ConfigModel | str | Path | None = None,
    ) -> None:
        super().__init__(configuration)
        self.student_model = student_model

    @checked
    def running_server(self, model_path: str | Path | None = None, **options: Any) -> Any:
        """A context manager serving the model (default: the student, else the configured
        serving model) on a free port: see :func:`instructlab.llm.running_server`."""
        from instructlab.llm.running import running_server

        model = model_path or self.student_model or self.configuration.serve.model_path
        return running_server(model, **options)

    def _model_under_test(self, model: str | Path | None) -> str | Path:
        """The model an evaluation scores: ``model``, else the student, else
        ``evaluate.model``, else the newest trained checkpoint, else the model ``serve`` would
        serve (the embedded one by default)."""
        cfg = self.configuration
        chosen = model or self.student_model or cfg.evaluate.model
        return chosen or self._newest_or(cfg.serve.model_path, "evaluate.model") or ""

    def _newest_or(
        self,
        configured: str | None,
        setting: str,
        notify: Callable[[str], None] | None = None,
    ) -> str | None:
        """``configured``, unless it is unset or the built-in default (the embedded model):
        then the newest checkpoint under ``train.ckpt_output_dir``, if there is one (said
        through ``notify``), as InstructLab uses the last trained model."""
        from instructlab.models.embedded import is_embedded

        if configured and not is_embedded(configured):
            return configured
        from instructlab.train.checkpoint import newest_checkpoint

        newest = newest_checkpoint(Path(self.configuration.train.ckpt_output_dir).expanduser())
        if newest is None:
            return configured
        if notify is not None:
            notify(
                f"Using the newest trained checkpoint, {newest.path} ({setting} names no model "
                "of yours; name one to use another)"
            )
        return str(newest.path)

    def _checkpoint(self, model_dir: str | Path | None, param: str) -> Path:
        """The checkpoint a command works on: ``model_dir``, else the student when it is a
        folder, else the newest checkpoint under ``train.ckpt_output_dir``."""
        if model_dir is not None:
            return Path(model_dir).expanduser()
        if self.student_model is not None and Path(str(self.student_model)).expanduser().is_dir():
            return Path(str(self.student_model)).expanduser()
        from instructlab.train.checkpoint import newest_checkpoint

        root = Path(self.configuration.train.ckpt_output_dir).expanduser()
        newest = newest_checkpoint(root)
        if newest is None:
            raise UsageError(
                f"{param}: no trained checkpoint in {root}/hf_format; train one with "
                f"`ilab model train` or name a model folder",
                param,
            )
        return newest.path
