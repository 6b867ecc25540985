"""The trainer on one CUDA GPU (bf16 compute over fp32 weights). Deselected unless asked for:
``pytest -m gpu`` on a machine with a GPU."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from instructlab.train.options import LoraOptions, TrainOptions
from instructlab.train.trainer import train
from train.tiny import write_conversations, write_tiny_model

pytestmark = pytest.mark.gpu


@pytest.mark.parametrize("lora", [None, LoraOptions(rank=4)])
def test_trains_on_one_gpu_in_bf16_over_fp32_weights(tmp_path: Path, lora) -> None:  # type: ignore[no-untyped-def]
    assert torch.cuda.is_available(), "this test needs a CUDA device"
    model = write_tiny_model(tmp_path / "model")
    data = write_conversations(tmp_path / "data.jsonl", copies=4)
    options = TrainOptions(
        model_path=str(model),
        data_path=str(data),
        ckpt_output_dir=str(tmp_path / "ckpt"),
        data_output_dir=str(tmp_path / "prep"),
        device="cuda",
        num_epochs=3,
        effective_batch_size=4,
        max_batch_len=200,
        learning_rate=1e-3,
        warmup_steps=1,
        lora=lora,
    )
    result = train(options)
    assert result.completed and "bfloat16 compute over float32 weights" in result.device
    rows = [json.loads(line) for line in result.metrics_file.read_text().splitlines()]
    assert all(r["cuda_mem_allocated"] > 0 for r in rows)
    assert rows[-1]["total_loss"] < rows[0]["total_loss"]
    assert result.final_model is not None
    config = json.loads((result.final_model / "config.json").read_text())
    assert config.get("dtype", config.get("torch_dtype")) == "float32"
