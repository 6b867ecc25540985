"""Model serving: the embedded teacher, our batched llama.cpp server, vLLM, a transformers CPU
fallback, background processes, chat and the models directory.

The import is light: engines, torch and llama-cpp-python load only when a server starts.
"""

from __future__ import annotations

from instructlab.errors import MissingExtra, ModelNotFound, ProcessNotFound, ServerError
from instructlab.llm.backends import BACKENDS, choose_backend
from instructlab.llm.running import RunningServer, ServerProcess, running_server
from instructlab.models.embedded import EMBEDDED_MODEL, embedded_model_path
from instructlab.models.resolve import resolve_model_path

__all__ = [
    "BACKENDS",
    "EMBEDDED_MODEL",
    "MissingExtra",
    "ModelNotFound",
    "ProcessNotFound",
    "RunningServer",
    "ServerError",
    "ServerProcess",
    "choose_backend",
    "embedded_model_path",
    "resolve_model_path",
    "running_server",
]
