"""Models as files: the models folder (list, copy in, download, remove), what a model setting names
(the embedded model, a path, a name in the folder), the embedded SmolLM2 GGUF, and where a model's
tokenizer and chat template come from (a Hugging Face folder, ``tokenizer.json`` or a GGUF file).

Importing this package loads no ML stack.
"""

from __future__ import annotations

from instructlab.models.embedded import (
    EMBEDDED_MODEL,
    EMBEDDED_MODEL_ID,
    embedded_model_path,
    is_embedded,
)
from instructlab.models.folder import ModelInfo, download, find, list_models, remove
from instructlab.models.resolve import gguf_in, is_hf_directory, model_id_for, resolve_model_path

__all__ = [
    "EMBEDDED_MODEL",
    "EMBEDDED_MODEL_ID",
    "ModelInfo",
    "download",
    "embedded_model_path",
    "find",
    "gguf_in",
    "is_embedded",
    "is_hf_directory",
    "list_models",
    "model_id_for",
    "remove",
    "resolve_model_path",
]
