"""`Model.convert`: a trained checkpoint to GGUF (f16, then Q4_K_M), beside its weights."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from instructlab.core._checked import Positive, checked
from instructlab.core.model._base import ModelBase

if TYPE_CHECKING:
    from instructlab.train.export import ConvertResult


class Converting(ModelBase):
    """Converting trained models."""

    @checked
    def convert(
        self,
        model_dir: str | Path | None = None,
        *,
        adapter_file: str | Path | None = None,
        skip_de_quantize: bool = False,
        skip_quantize: bool = False,
        model_name: str = "pytorch_model",
        output_dir: str | Path | None = None,
        quant_type: Literal["Q4_K_M", "Q5_K_M", "Q8_0"] = "Q4_K_M",
        force: bool = False,
        confirm: Callable[[Path], bool] | None = None,
        threads: Positive | None = None,
        on_status: Callable[[str], None] | None = None,
    ) -> ConvertResult:
        """Converts a Hugging Face checkpoint to ``<model_name>.gguf`` (f16, written with the
        ``gguf`` package) and ``<model_name>-<quant_type>.gguf`` (llama.cpp's quantizer), in
        ``output_dir`` (default: the checkpoint folder, or the adapter's folder).

        ``model_dir`` defaults to this ``Model``'s student when it is a folder, else the newest
        checkpoint under ``train.ckpt_output_dir``. ``adapter_file``: a LoRA adapter folder
        (``adapter/`` of a checkpoint trained with ``lora_save_adapter``) merged into
        ``model_dir``, which is then the base model. ``skip_de_quantize`` (InstructLab's MLX
        option) has no effect: checkpoints are never quantised. A file that exists already is
        replaced only with ``force`` or when ``confirm(path)`` says yes.

        Supported architectures: llama, mistral, granite, qwen2, with byte-level BPE
        tokenizers; anything else is refused by name.
        """
        from instructlab.train.export import convert_checkpoint

        source = self._checkpoint(model_dir, "model_dir")
        notes = []
        if skip_de_quantize:
            notes.append("--skip-de-quantize has no effect: checkpoints are never quantised")
        result = convert_checkpoint(
            source,
            adapter_file=Path(adapter_file).expanduser() if adapter_file is not None else None,
            output_dir=Path(output_dir).expanduser() if output_dir is not None else None,
            model_name=model_name,
            skip_quantize=skip_quantize,
            quant_type=quant_type,
            force=force,
            confirm=confirm,
            threads=threads,
            on_status=on_status,
        )
        result.notes.extend(notes)
        return result
