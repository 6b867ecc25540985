"""Backend choice from the model path, and the command lines each backend is started with."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from instructlab.errors import UsageError
from instructlab.llm import backends
from instructlab.llm.backends import ServerOptions, choose_backend, server_command


def _hf_dir(root: Path) -> Path:
    root.mkdir()
    (root / "config.json").write_text("{}")
    (root / "model.safetensors").write_bytes(b"")
    return root


def test_gguf_file_goes_to_llama_cpp(tmp_path) -> None:
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF")
    assert choose_backend(gguf) == "llama-cpp"


def test_directory_with_one_gguf_goes_to_llama_cpp(tmp_path) -> None:
    (tmp_path / "only.gguf").write_bytes(b"GGUF")
    assert choose_backend(tmp_path) == "llama-cpp"


def test_hf_directory_without_gpu_goes_to_transformers(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(backends, "cuda_available", lambda: False)
    assert choose_backend(_hf_dir(tmp_path / "hf")) == "transformers"


def test_hf_directory_with_gpu_and_vllm_goes_to_vllm(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(backends, "cuda_available", lambda: True)
    monkeypatch.setattr(backends, "vllm_installed", lambda: True)
    assert choose_backend(_hf_dir(tmp_path / "hf")) == "vllm"
    monkeypatch.setattr(backends, "vllm_installed", lambda: False)
    assert choose_backend(tmp_path / "hf") == "transformers"


def test_override_is_checked_against_the_path(tmp_path) -> None:
    hf = _hf_dir(tmp_path / "hf")
    assert choose_backend(hf, "vllm") == "vllm"
    with pytest.raises(UsageError, match="GGUF files only"):
        choose_backend(hf, "llama-cpp")
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF")
    with pytest.raises(UsageError, match="model directories only"):
        choose_backend(gguf, "transformers")
    with pytest.raises(UsageError, match="unknown backend"):
        choose_backend(gguf, "ollama")


@pytest.mark.parametrize("name", ["notes.txt", "empty"])
def test_unservable_paths_are_refused(tmp_path, name) -> None:
    path = tmp_path / name
    if name == "empty":
        path.mkdir()
    else:
        path.write_text("x")
    with pytest.raises(UsageError):
        choose_backend(path)


def test_llama_cpp_command(tmp_path) -> None:
    options = ServerOptions(
        model_path=tmp_path / "m.gguf",
        model_id="m",
        backend="llama-cpp",
        port=0,
        ctx_size=2048,
        gpu_layers=0,
        parallel=4,
        api_key="secret",
    )
    argv = server_command(options)
    assert argv[:3] == [sys.executable, "-m", "instructlab.serve.llama_server"]
    joined = " ".join(argv)
    for part in ["--model-id m", "--host 127.0.0.1", "--port 0", "--ctx-size 2048", "--parallel 4"]:
        assert part in joined
    assert "secret" not in joined  # the key travels in the environment


def test_vllm_command_keeps_the_users_arguments_last_and_winning(tmp_path) -> None:
    options = ServerOptions(
        model_path=tmp_path / "granite",
        model_id="granite",
        backend="vllm",
        port=8123,
        gpus=4,
        ctx_size=4096,
        vllm_args=["--max-model-len", "8192", "--enforce-eager"],
    )
    argv = server_command(options)
    assert argv[:3] == [sys.executable, "-m", "vllm.entrypoints.openai.api_server"]
    assert argv[argv.index("--tensor-parallel-size") + 1] == "4"
    assert argv[argv.index("--served-model-name") + 1] == "granite"
    assert argv.count("--max-model-len") == 1  # the user's value, not ours
    assert argv[-3:] == ["--max-model-len", "8192", "--enforce-eager"]
    options.vllm_args = ["--tensor-parallel-size=2"]
    assert "--tensor-parallel-size" not in server_command(options)


def test_transformers_command(tmp_path) -> None:
    options = ServerOptions(model_path=tmp_path, model_id="s", backend="transformers", port=0)
    argv = server_command(options)
    assert argv[2] == "instructlab.serve.hf_server"
    assert "--parallel" not in argv
