"""Which server runs a model, and the command line that starts it.

The backend follows from the model path: a GGUF file is served by llama.cpp (our batched server),
a Hugging Face directory by vLLM when a CUDA GPU and vLLM are present, otherwise by the transformers
CPU fallback. ``backend=`` overrides the choice.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

from instructlab.errors import UsageError
from instructlab.extras import installed
from instructlab.models.resolve import gguf_in, is_gguf, is_hf_directory

Backend = Literal["llama-cpp", "vllm", "transformers"]
BACKENDS: tuple[str, ...] = get_args(Backend)

#: The environment variable that hands a server its API key (never the command line, where
#: ``ps`` would show it).
API_KEY_ENV = "ILAB_API_KEY"


def cuda_available() -> bool:
    """A cheap check for an NVIDIA GPU that does not import torch."""
    return Path("/dev/nvidia0").exists() or shutil.which("nvidia-smi") is not None


def vllm_installed() -> bool:
    """Whether vLLM can be imported (without importing it)."""
    return installed("vllm")


def choose_backend(path: Path, requested: str | None = None) -> Backend:
    """The backend for the model at ``path`` (already resolved), or ``requested`` if it fits."""
    if requested is not None:
        if requested not in BACKENDS:
            raise UsageError(f"unknown backend '{requested}'; use one of {', '.join(BACKENDS)}")
        if requested == "llama-cpp" and not (path.suffix == ".gguf" or gguf_in(path)):
            raise UsageError(f"{path}: the llama-cpp backend serves GGUF files only")
        if requested in ("vllm", "transformers") and not path.is_dir():
            raise UsageError(f"{path}: the {requested} backend serves model directories only")
        return requested  # type: ignore[return-value]
    if path.is_file():
        if is_gguf(path):
            return "llama-cpp"
        if path.suffix == ".gguf":
            raise UsageError(f"{path}: not a GGUF file (it lacks the GGUF header)")
        raise UsageError(
            f"{path}: not a GGUF file; serve a .gguf file or a Hugging Face model directory"
        )
    if gguf_in(path) is not None and not is_hf_directory(path):
        return "llama-cpp"
    if is_hf_directory(path):
        return "vllm" if cuda_available() and vllm_installed() else "transformers"
    raise UsageError(f"{path}: neither a GGUF file nor a model directory (config.json and weights)")


@dataclass
class ServerOptions:
    """What every backend's command line is built from."""

    model_path: Path
    model_id: str
    backend: Backend
    host: str = "127.0.0.1"
    port: int = 8000
    ctx_size: int | None = None
    api_key: str | None = None
    chat_template: str | None = None
    gpu_layers: int = -1
    parallel: int | None = None
    threads: int | None = None
    vllm_args: list[str] = field(default_factory=list)
    gpus: int | None = None


def server_env(options: ServerOptions) -> dict[str, str]:
    """The environment a server starts with: ours, with its API key (if any) in place of ours."""
    env = dict(os.environ)
    env.pop(API_KEY_ENV, None)
    if options.api_key:
        env[API_KEY_ENV] = options.api_key
        env["VLLM_API_KEY"] = options.api_key
    return env


def server_command(options: ServerOptions) -> list[str]:
    """The argv that starts ``options.backend`` serving the model in the foreground."""
    if options.backend == "vllm":
        return vllm_command(options)
    module = (
        "instructlab.serve.llama_server"
        if options.backend == "llama-cpp"
        else "instructlab.serve.hf_server"
    )
    path = options.model_path
    if options.backend == "llama-cpp" and path.is_dir():
        path = gguf_in(path) or path
    argv = [sys.executable, "-m", module, "--model", str(path), "--model-id", options.model_id]
    argv += ["--host", options.host, "--port", str(options.port)]
    if options.ctx_size is not None:
        argv += ["--ctx-size", str(options.ctx_size)]
    if options.chat_template:
        argv += ["--chat-template", options.chat_template]
    if options.backend == "llama-cpp":
        argv += ["--gpu-layers", str(options.gpu_layers)]
        if options.parallel is not None:
            argv += ["--parallel", str(options.parallel)]
        if options.threads is not None:
            argv += ["--threads", str(options.threads)]
    return argv


def _has_flag(args: list[str], flag: str) -> bool:
    return any(a == flag or a.startswith(flag + "=") for a in args)


def vllm_command(options: ServerOptions) -> list[str]:
    """vLLM's OpenAI server with the user's extra arguments (theirs win over ours)."""
    extra = list(options.vllm_args)
    argv = [sys.executable, "-m", "vllm.entrypoints.openai.api_server"]
    argv += ["--model", str(options.model_path)]
    if not _has_flag(extra, "--served-model-name"):
        argv += ["--served-model-name", options.model_id]
    argv += ["--host", options.host, "--port", str(options.port)]
    if options.gpus is not None and not _has_flag(extra, "--tensor-parallel-size"):
        argv += ["--tensor-parallel-size", str(options.gpus)]
    if options.ctx_size is not None and not _has_flag(extra, "--max-model-len"):
        argv += ["--max-model-len", str(options.ctx_size)]
    if options.chat_template and options.chat_template not in ("auto", "tokenizer"):
        argv += ["--chat-template", options.chat_template]
    if options.api_key:
        argv += ["--api-key", options.api_key]
    return argv + extra
