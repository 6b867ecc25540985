"""GGUF f16 -> a quantised GGUF through llama.cpp's own quantizer (``llama_model_quantize`` in
llama-cpp-python), on any platform llama-cpp-python builds on (InstructLab quantises on macOS
only).

llama.cpp's k-quants need rows that are multiples of 256 values; a tensor whose rows are not (a
tiny test model's) gets llama.cpp's fallback type for it, as llama.cpp's ``llama-quantize`` does.
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path
from typing import Any

from instructlab import extras
from instructlab.errors import InstructLabError
from instructlab.fileio import ensure_dir

__all__ = ["QUANT_TYPES", "quantize_gguf"]

#: The quantisation types offered, by llama.cpp's name, and their ``llama_ftype`` constant name.
QUANT_TYPES = {
    "Q4_K_M": "LLAMA_FTYPE_MOSTLY_Q4_K_M",
    "Q5_K_M": "LLAMA_FTYPE_MOSTLY_Q5_K_M",
    "Q8_0": "LLAMA_FTYPE_MOSTLY_Q8_0",
}

# The log callback must outlive the call (llama.cpp keeps the pointer).
_KEEP: list[Any] = []


def _collecting_logger(lines: list[str]) -> Any:
    import llama_cpp

    @llama_cpp.llama_log_callback  # type: ignore[untyped-decorator]
    def callback(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
        del level, user_data
        lines.append(text.decode("utf-8", "replace"))

    _KEEP.append(callback)
    return callback


def quantize_gguf(
    source: Path, target: Path, quant_type: str = "Q4_K_M", threads: int | None = None
) -> Path:
    """Writes ``source`` (a GGUF f16 or f32 file) quantised to ``quant_type`` into ``target``.

    The file is written beside ``target`` and renamed into place when llama.cpp is done, so a
    failed or interrupted run leaves no half file under the final name.
    """
    if quant_type not in QUANT_TYPES:
        known = ", ".join(QUANT_TYPES)
        raise InstructLabError(f"quantisation type {quant_type!r} is not one of {known}")
    llama_cpp = extras.require("llama_cpp", "serve", "quantising a GGUF model")
    ensure_dir(target.parent)
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = getattr(llama_cpp, QUANT_TYPES[quant_type])
    params.nthread = threads or 0
    lines: list[str] = []
    llama_cpp.llama_log_set(_collecting_logger(lines), ctypes.c_void_p(0))
    try:
        code = llama_cpp.llama_model_quantize(
            str(source).encode(), str(partial).encode(), ctypes.byref(params)
        )
        if code != 0 or not partial.is_file():
            tail = "".join(lines).strip().splitlines()[-3:]
            raise InstructLabError(
                f"{source}: llama.cpp could not quantise it to {quant_type} "
                f"(code {code}): {' | '.join(tail) or 'no message'}"
            )
        with partial.open("rb+") as handle:
            os.fsync(handle.fileno())
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
        _restore_logger(llama_cpp)
    return target


def _restore_logger(llama_cpp: Any) -> None:
    """Back to llama-cpp-python's own logger (quiet unless a ``Llama`` is verbose)."""
    try:
        from llama_cpp import _logger

        llama_cpp.llama_log_set(_logger.llama_log_callback, ctypes.c_void_p(0))
    except (ImportError, AttributeError):  # pragma: no cover - older llama-cpp-python
        pass
