"""Students: the embedded SmolLM2 GGUF de-quantised into a plain trainable model (a few steps),
and model folders checked before anything heavy happens."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from instructlab.errors import UsageError
from instructlab.models.embedded import embedded_model_path
from instructlab.models.tokenizer import load_tokenizer
from instructlab.train.options import TrainOptions
from instructlab.train.student import find_student
from instructlab.train.trainer import train
from train.tiny import write_conversations, write_tiny_model


def test_gguf_student_trains_and_its_checkpoint_is_a_plain_model(tmp_path: Path) -> None:
    import tokenizers
    import transformers

    gguf = embedded_model_path()
    student = find_student("embedded://smollm2-135m-instruct")
    assert student.kind == "gguf" and student.path == gguf
    assert "quantization_config" not in json.loads((student.model_dir / "config.json").read_text())
    # The copy is made once.
    assert find_student(str(gguf)).model_dir == student.model_dir
    data = write_conversations(tmp_path / "data.jsonl", copies=2)
    options = TrainOptions(
        data_path=str(data),
        ckpt_output_dir=str(tmp_path / "ckpt"),
        data_output_dir=str(tmp_path / "prep"),
        num_epochs=1,
        max_steps=2,
        effective_batch_size=2,
        max_batch_len=1024,
        learning_rate=1e-4,
        warmup_steps=0,
        save_state=False,
    )
    result = train(options)
    assert result.steps == 2 and result.final_model is not None
    final = result.final_model
    model = transformers.AutoModelForCausalLM.from_pretrained(str(final))
    assert model.config.model_type == "llama" and not getattr(model, "is_quantized", False)
    assert "quantization_config" not in json.loads((final / "config.json").read_text())
    info = json.loads((final / "instructlab_checkpoint.json").read_text())
    assert info["base_model"]["kind"] == "gguf" and info["base_model"]["path"] == str(gguf)
    # The tokenizer written out is ours (llama.cpp's splitting, e.g. of "a  1").
    ours = load_tokenizer(gguf)
    written = tokenizers.Tokenizer.from_file(str(final / "tokenizer.json"))
    reference = tokenizers.Tokenizer.from_str(ours.tokenizer_json)
    for text in ("a  1", "Hello, world! 12345", "  two  spaces"):
        assert written.encode(text).ids == reference.encode(text).ids
    assert (final / "chat_template.jinja").read_text() == ours.chat_template
    auto = transformers.AutoTokenizer.from_pretrained(str(final))
    assert auto.eos_token == ours.special_tokens.get("eos_token")


def test_remote_code_is_refused_unless_trusted(tmp_path: Path) -> None:
    folder = write_tiny_model(tmp_path / "m")
    config = json.loads((folder / "config.json").read_text())
    config["auto_map"] = {"AutoModelForCausalLM": "modeling_custom.CustomForCausalLM"}
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(UsageError, match="trust_remote_code") as caught:
        find_student(folder)
    assert caught.value.param == "model_path"
    assert find_student(folder, trust_remote_code=True).trust_remote_code


def test_a_folder_without_weights_is_refused(tmp_path: Path) -> None:
    folder = write_tiny_model(tmp_path / "m")
    (folder / "model.safetensors").unlink()
    with pytest.raises(UsageError, match="holds no weights"):
        find_student(folder)
