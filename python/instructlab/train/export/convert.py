"""A trained checkpoint to GGUF f16 and Q4_K_M, written beside its weights (in the checkpoint
folder: ``pytorch_model.gguf`` and ``pytorch_model-Q4_K_M.gguf`` by default, as InstructLab
names them)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from instructlab import extras
from instructlab.errors import FileError, UsageError
from instructlab.fileio import read_text
from instructlab.train.export.gguf import GGUFSource, architecture_of, write_gguf
from instructlab.train.export.quantize import quantize_gguf

__all__ = ["ConvertResult", "convert_checkpoint", "output_paths"]


@dataclass(frozen=True)
class ConvertResult:
    """What :func:`convert_checkpoint` wrote."""

    #: The Hugging Face folder converted.
    model_dir: Path
    #: Its GGUF architecture (``llama``, ``granite``, ``qwen2``).
    architecture: str
    #: The f16 GGUF file.
    gguf: Path
    #: The quantised GGUF file (None with ``skip_quantize``).
    quantized: Path | None
    #: The quantisation type of ``quantized``.
    quant_type: str
    #: Seconds spent writing the f16 file and quantising it.
    seconds: float
    #: What the options did that is worth saying (mapped InstructLab options).
    notes: list[str] = field(default_factory=list)


def _check_name(model_name: str) -> None:
    if not model_name or "/" in model_name or "\\" in model_name or model_name.startswith("."):
        raise UsageError(
            f"model_name: {model_name!r} must be a plain file name (no folders, not hidden)",
            "model_name",
        )


def _check_model_dir(model_dir: Path) -> None:
    if not model_dir.exists():
        raise FileError(str(model_dir), "no such folder")
    if not model_dir.is_dir() or not (model_dir / "config.json").is_file():
        raise UsageError(
            f"model_dir: {model_dir} is not a checkpoint (a Hugging Face model folder with "
            "config.json and *.safetensors, as `ilab model train` writes)",
            "model_dir",
        )
    if next(model_dir.glob("*.safetensors"), None) is None:
        raise UsageError(
            f"model_dir: {model_dir} holds no *.safetensors weights, so it is not a checkpoint",
            "model_dir",
        )


def output_paths(out_dir: Path, model_name: str, quant_type: str = "Q4_K_M") -> tuple[Path, Path]:
    """Where the f16 and the quantised files go."""
    return out_dir / f"{model_name}.gguf", out_dir / f"{model_name}-{quant_type}.gguf"


def _adapter_is_merged(model_dir: Path) -> bool:
    info_file = model_dir / "instructlab_checkpoint.json"
    if not info_file.is_file():
        return False
    try:
        info = json.loads(read_text(info_file))
    except (ValueError, FileError):
        return False
    return isinstance(info, dict) and info.get("recipe") == "lora"


def _check_adapter(model_dir: Path, adapter: Path) -> None:
    if not (adapter / "adapter_config.json").is_file():
        raise UsageError(
            f"adapter_file: {adapter} is not a LoRA adapter folder (no adapter_config.json; "
            "`ilab model train --lora-save-adapter` writes one in adapter/)",
            "adapter_file",
        )
    if _adapter_is_merged(model_dir):
        raise UsageError(
            f"adapter_file: {model_dir} is a LoRA checkpoint that already holds its adapter "
            "merged; convert it without --adapter-file, or give the base model as --model-dir",
            "adapter_file",
        )


@contextmanager
def _merged(model_dir: Path, adapter: Path) -> Iterator[GGUFSource]:
    """The base model with a peft LoRA adapter merged into it, in memory (fp32)."""
    torch = extras.require("torch", "train", "merging a LoRA adapter")
    transformers = extras.require("transformers", "train", "merging a LoRA adapter")
    peft = extras.require("peft", "train", "merging a LoRA adapter")
    from instructlab.train.student import quiet_progress

    with quiet_progress():
        try:
            base = transformers.AutoModelForCausalLM.from_pretrained(
                str(model_dir), dtype=torch.float32, local_files_only=True
            )
            model = peft.PeftModel.from_pretrained(base, str(adapter)).merge_and_unload()
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            raise UsageError(
                f"adapter_file: {adapter} could not be applied to {model_dir}: {exc}",
                "adapter_file",
            ) from None
    state = {k: v.detach() for k, v in model.state_dict().items()}
    yield GGUFSource({k: tuple(v.shape) for k, v in state.items()}, state.__getitem__)


def convert_checkpoint(
    model_dir: Path,
    *,
    adapter_file: Path | None = None,
    output_dir: Path | None = None,
    model_name: str = "pytorch_model",
    skip_quantize: bool = False,
    quant_type: str = "Q4_K_M",
    force: bool = False,
    confirm: Callable[[Path], bool] | None = None,
    threads: int | None = None,
    on_status: Callable[[str], None] | None = None,
) -> ConvertResult:
    """Converts ``model_dir`` (with ``adapter_file`` merged in, if given) to GGUF f16, then to
    ``quant_type`` unless ``skip_quantize``; the files go into ``output_dir`` (default: the
    adapter's folder when one is given, else ``model_dir``).

    A file that exists already is replaced only with ``force``, or when ``confirm`` (asked
    with its path) says yes; otherwise :class:`FileError` names it.
    """
    _check_name(model_name)
    _check_model_dir(model_dir)
    arch = architecture_of(model_dir)
    if adapter_file is not None:
        _check_adapter(model_dir, adapter_file)
    out_dir = output_dir or (adapter_file if adapter_file is not None else model_dir)
    f16, quantized = output_paths(out_dir, model_name, quant_type)
    for path in (f16,) if skip_quantize else (f16, quantized):
        if path.exists() and not force and not (confirm is not None and confirm(path)):
            raise FileError(str(path), "exists already; --force replaces it")
    started = time.monotonic()
    if on_status is not None:
        on_status(f"Writing {f16} (GGUF f16, architecture {arch})")
    if adapter_file is not None:
        with _merged(model_dir, adapter_file) as source:
            write_gguf(model_dir, f16, name=model_name, source=source)
    else:
        write_gguf(model_dir, f16, name=model_name)
    written: Path | None = None
    if not skip_quantize:
        if on_status is not None:
            on_status(f"Quantising to {quant_type}: {quantized}")
        written = quantize_gguf(f16, quantized, quant_type, threads)
    return ConvertResult(
        model_dir=model_dir,
        architecture=arch,
        gguf=f16,
        quantized=written,
        quant_type=quant_type,
        seconds=time.monotonic() - started,
    )
