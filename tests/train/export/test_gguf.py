"""HF -> GGUF f16: llama.cpp's logits equal transformers' on tiny models of each supported
family, tokenisation agrees, and what cannot be written is refused by name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from tokenizers import Tokenizer

from instructlab.errors import UsageError
from instructlab.train.export.gguf import write_gguf
from train.tiny import CHATML, CORPUS, write_model_dir

PROMPTS = [
    "The quick brown fox jumps over the lazy dog.",
    "<|im_start|>user\nSynonyms of happy, 1234?<|im_end|>\n<|im_start|>assistant\n",
    "Café, naïve, 日本語のテキスト 🐝",
]

COMMON: dict[str, Any] = {
    "vocab_size": 448,  # more rows than the tokenizer's ~400 tokens: padding is written
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "max_position_embeddings": 256,
}


def _model(kind: str) -> Any:
    import transformers

    if kind in ("llama", "llama-sharded-bf16"):  # tied embeddings
        return transformers.LlamaForCausalLM(
            transformers.LlamaConfig(**COMMON, tie_word_embeddings=True)
        )
    if kind == "llama3-rope":  # Llama 3's RoPE scaling: rope_freqs.weight
        rope = {
            "rope_type": "llama3",
            "rope_theta": 10000.0,
            "factor": 8.0,
            "low_freq_factor": 1.0,
            "high_freq_factor": 4.0,
            "original_max_position_embeddings": 64,
        }
        config = transformers.LlamaConfig(**COMMON, rope_parameters=rope)
        return transformers.LlamaForCausalLM(config)
    if kind == "mistral":
        return transformers.MistralForCausalLM(
            transformers.MistralConfig(**COMMON, sliding_window=None)
        )
    if kind == "granite":
        config = transformers.GraniteConfig(
            **COMMON,
            embedding_multiplier=2.0,
            attention_multiplier=0.2,
            residual_multiplier=0.5,
            logits_scaling=4.0,
        )
        return transformers.GraniteForCausalLM(config)
    return transformers.Qwen2ForCausalLM(transformers.Qwen2Config(**COMMON))  # biases on q/k/v


def _write(folder: Path, kind: str) -> Path:
    torch.manual_seed(0)
    model = _model(kind).float()
    with torch.no_grad():  # biases and norms away from their zero/one initialisation
        for name, param in model.named_parameters():
            if name.endswith("bias") or "norm" in name:
                param.add_(torch.randn_like(param) * 0.1)
    write_model_dir(folder, "byte_level", CHATML, eos="<|im_end|>")
    model.generation_config.eos_token_id = None
    if kind == "llama-sharded-bf16":  # as a GPU run might save it: bf16, in several files
        model.to(torch.bfloat16).save_pretrained(str(folder), max_shard_size="40KB")
        assert len(list(folder.glob("*.safetensors"))) > 1
    else:
        model.save_pretrained(str(folder))
    return folder


def _llama(path: Path) -> Any:
    import llama_cpp

    return llama_cpp.Llama(str(path), logits_all=True, n_ctx=128, n_threads=1, verbose=False)


@pytest.mark.parametrize(
    "kind", ["llama", "llama3-rope", "mistral", "granite", "qwen2", "llama-sharded-bf16"]
)
def test_f16_logits_match_transformers(tmp_path: Path, kind: str) -> None:
    import transformers

    folder = _write(tmp_path / kind, kind)
    target = write_gguf(folder, folder / "pytorch_model.gguf", name="tiny")
    assert target.is_file() and not list(folder.glob(".*partial*"))
    model = transformers.AutoModelForCausalLM.from_pretrained(str(folder), dtype=torch.float32)
    # tokenizer.json itself (transformers 5 rebuilds a Qwen 2 tokenizer's splitting by class).
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    llm = _llama(target)
    try:
        for prompt in PROMPTS:
            ids = tokenizer.encode(prompt, add_special_tokens=False).ids
            assert llm.tokenize(prompt.encode(), add_bos=False, special=True) == ids
            llm.reset()
            llm.eval(ids)
            ours = np.asarray(llm.scores[: len(ids)])
            with torch.no_grad():
                expected = model(torch.tensor([ids])).logits[0].numpy()
            # f16 weights: about 4e-4 apart on these models; a wrong permutation or a missing
            # scale is off by the size of the logits themselves (~1).
            np.testing.assert_allclose(ours, expected, atol=5e-3, rtol=0)
    finally:
        llm.close()


def test_metadata_names_the_tokenizer_and_template(tmp_path: Path) -> None:
    import gguf

    folder = _write(tmp_path / "m", "llama")
    reader = gguf.GGUFReader(str(write_gguf(folder, tmp_path / "out" / "m.gguf")))

    def text(key: str) -> str:
        field = reader.fields[key]
        return bytes(field.parts[field.data[0]]).decode()

    assert text("general.architecture") == "llama"
    assert text("tokenizer.ggml.model") == "gpt2"
    assert text("tokenizer.ggml.pre") == "gpt-2"
    assert text("tokenizer.chat_template") == CHATML
    names = {t.name for t in reader.tensors}
    assert "output.weight" not in names  # tied: llama.cpp reuses token_embd
    assert len(reader.fields["tokenizer.ggml.tokens"].data) == COMMON["vocab_size"]


def test_unsupported_architecture_is_refused_by_name(tmp_path: Path) -> None:
    folder = _write(tmp_path / "m", "llama")
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    config["model_type"] = "gpt_neox"
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(UsageError, match="'gpt_neox' cannot be converted to GGUF"):
        write_gguf(folder, folder / "x.gguf")
    assert not list(folder.glob("*.gguf"))


def test_sentencepiece_style_tokenizer(tmp_path: Path) -> None:
    """A ``▁``-for-space BPE (as Llama 2 and Mistral ship) becomes llama.cpp's SentencePiece
    model, scored so that it merges in the BPE's order: the same tokens, the same logits."""
    import transformers

    folder = _write(tmp_path / "m", "llama")
    write_model_dir(folder, "metaspace", CHATML)
    # As transformers converts a SentencePiece model: ▁ does not split words (runs of spaces
    # merge as SentencePiece merges them).
    spec = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
    spec["pre_tokenizer"]["split"] = False
    (folder / "tokenizer.json").write_text(json.dumps(spec), encoding="utf-8")
    target = write_gguf(folder, folder / "spm.gguf")
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    model = transformers.AutoModelForCausalLM.from_pretrained(str(folder), dtype=torch.float32)
    llm = _llama(target)
    try:
        # Not the last corpus line: it starts with spaces, and a Metaspace pre-tokenizer adds no
        # ▁ before one where SentencePiece (and llama.cpp) always add it.
        for prompt in [*CORPUS[:-1], "Hello friends,\n\thow are the bees today?"]:
            ids = tokenizer.encode(prompt, add_special_tokens=False).ids
            assert llm.tokenize(prompt.encode(), add_bos=False, special=True) == ids, prompt
        llm.reset()
        llm.eval(ids)
        with torch.no_grad():
            expected = model(torch.tensor([ids])).logits[0].numpy()
        np.testing.assert_allclose(np.asarray(llm.scores[: len(ids)]), expected, atol=5e-3)
    finally:
        llm.close()


def test_other_tokenizers_are_refused(tmp_path: Path) -> None:
    folder = _write(tmp_path / "m", "llama")
    spec = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
    spec["model"]["type"] = "WordPiece"
    spec["decoder"] = {"type": "WordPiece", "prefix": "##"}
    (folder / "tokenizer.json").write_text(json.dumps(spec), encoding="utf-8")
    with pytest.raises(UsageError, match=r"tokenizer\.json: a WordPiece tokenizer"):
        write_gguf(folder, folder / "x.gguf")
    assert not list(folder.glob("*.gguf")) and not list(folder.glob(".*"))
