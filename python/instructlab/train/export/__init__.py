"""Exporting trained models: a Hugging Face checkpoint to GGUF (f16, written here with the
``gguf`` package) and GGUF f16 to Q4_K_M (llama.cpp's quantizer, through llama-cpp-python).

``convert_checkpoint`` is the whole flow :meth:`instructlab.core.Model.convert` runs.
"""

from __future__ import annotations

from instructlab.train.export.convert import ConvertResult, convert_checkpoint
from instructlab.train.export.gguf import SUPPORTED_ARCHITECTURES, write_gguf
from instructlab.train.export.quantize import QUANT_TYPES, quantize_gguf

__all__ = [
    "QUANT_TYPES",
    "SUPPORTED_ARCHITECTURES",
    "ConvertResult",
    "convert_checkpoint",
    "quantize_gguf",
    "write_gguf",
]
