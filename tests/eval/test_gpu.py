"""On a GPU: a tiny model folder served by vLLM answers, and served by vLLM again judges under
the rating schema (vLLM's guided decoding honours ``response_format``). Deselected without a
CUDA device and vLLM (see conftest)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from instructlab.config import Config
from instructlab.core import Model
from train.tiny import CHATML, write_model_dir


def _tiny_llama(folder: Path) -> Path:
    import torch
    import transformers

    write_model_dir(folder, "byte_level", CHATML, eos="<|im_end|>")
    tokenizer = transformers.AutoTokenizer.from_pretrained(folder)
    config = transformers.LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=4,
        max_position_embeddings=8192,
        eos_token_id=tokenizer.eos_token_id,
        bos_token_id=tokenizer.bos_token_id,
    )
    torch.manual_seed(0)
    transformers.LlamaForCausalLM(config).save_pretrained(folder, safe_serialization=True)
    return folder


@pytest.mark.gpu
def test_vllm_serves_the_model_and_a_constrained_judge(tmp_path: Path) -> None:
    model = _tiny_llama(tmp_path / "tiny")
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"user_input": "Why is the sea wet?", "reference": "Water."}))
    result = Model(configuration=Config()).evaluate_dk_bench(
        model, model, input_questions=questions, output_dir=tmp_path / "out", max_tokens=16
    )
    assert result.errors == 0, result.to_dict()
    assert result.scores[0] is not None and 1 <= result.scores[0] <= 5
