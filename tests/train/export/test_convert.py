"""A checkpoint to GGUF f16 + Q4_K_M: where the files go, what is never overwritten silently,
LoRA adapters merged on the way, and folders that are not checkpoints."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from instructlab.errors import FileError, UsageError
from instructlab.train.export import convert_checkpoint
from train.tiny import write_tiny_model


@pytest.fixture
def model(tmp_path: Path) -> Path:
    return write_tiny_model(tmp_path / "model", "llama")


def test_writes_both_files_beside_the_weights(model: Path) -> None:
    result = convert_checkpoint(model, threads=1)
    assert result.gguf == model / "pytorch_model.gguf"
    assert result.quantized == model / "pytorch_model-Q4_K_M.gguf"
    assert result.architecture == "llama" and result.gguf.is_file() and result.quantized.is_file()


def test_an_existing_file_is_replaced_only_when_asked(model: Path) -> None:
    first = convert_checkpoint(model, skip_quantize=True)
    assert first.quantized is None and not (model / "pytorch_model-Q4_K_M.gguf").exists()
    before = first.gguf.stat().st_mtime_ns
    with pytest.raises(FileError, match=r"pytorch_model\.gguf: exists already; --force"):
        convert_checkpoint(model, skip_quantize=True)
    asked: list[Path] = []
    with pytest.raises(FileError):
        convert_checkpoint(model, skip_quantize=True, confirm=lambda p: asked.append(p) or False)
    assert asked == [first.gguf] and first.gguf.stat().st_mtime_ns == before
    convert_checkpoint(model, skip_quantize=True, confirm=lambda p: True)
    convert_checkpoint(model, skip_quantize=True, force=True, model_name="again")
    assert (model / "again.gguf").is_file()


def test_folders_that_are_not_checkpoints(tmp_path: Path) -> None:
    with pytest.raises(FileError, match="no such folder"):
        convert_checkpoint(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match="is not a checkpoint") as caught:
        convert_checkpoint(tmp_path / "empty")
    assert caught.value.param == "model_dir"
    (tmp_path / "empty" / "config.json").write_text("{}", encoding="utf-8")
    with pytest.raises(UsageError, match=r"holds no \*\.safetensors"):
        convert_checkpoint(tmp_path / "empty")


def test_bad_model_name(model: Path) -> None:
    for name in ("", "a/b", ".hidden"):
        with pytest.raises(UsageError) as caught:
            convert_checkpoint(model, model_name=name)
        assert caught.value.param == "model_name"


def test_lora_adapter_is_merged_into_the_base(model: Path, tmp_path: Path) -> None:
    import llama_cpp
    import peft
    import transformers

    base = transformers.AutoModelForCausalLM.from_pretrained(str(model), dtype=torch.float32)
    config = peft.LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj", "down_proj"])
    adapted = peft.get_peft_model(base, config)
    torch.manual_seed(1)
    with torch.no_grad():  # B starts at zero: give the adapter something to do
        for name, param in adapted.named_parameters():
            if "lora_B" in name:
                param.copy_(torch.randn_like(param) * 0.2)
    adapter = tmp_path / "adapter"
    adapted.save_pretrained(str(adapter))
    ids = [5, 77, 120, 9, 300, 42]
    with torch.no_grad():
        expected = adapted(torch.tensor([ids])).logits[0].numpy()

    result = convert_checkpoint(model, adapter_file=adapter, skip_quantize=True)
    assert result.gguf == adapter / "pytorch_model.gguf"
    llm = llama_cpp.Llama(str(result.gguf), logits_all=True, n_ctx=64, n_threads=1, verbose=False)
    try:
        llm.eval(ids)
        np.testing.assert_allclose(np.asarray(llm.scores[: len(ids)]), expected, atol=5e-3)
    finally:
        llm.close()

    # A LoRA checkpoint of the trainer already holds its adapter merged: refused, not doubled.
    info = {"format_version": 1, "recipe": "lora", "merged": True}
    (model / "instructlab_checkpoint.json").write_text(json.dumps(info), encoding="utf-8")
    with pytest.raises(UsageError, match="already holds its adapter merged"):
        convert_checkpoint(model, adapter_file=adapter, force=True)
    with pytest.raises(UsageError, match="not a LoRA adapter folder"):
        convert_checkpoint(model, adapter_file=tmp_path, force=True)
