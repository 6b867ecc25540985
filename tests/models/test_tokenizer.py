"""Tokenizer sources: model folders, tokenizer.json files, GGUF files (converted once, cached)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from instructlab.errors import TokenizerError
from instructlab.models.embedded import embedded_model_path
from instructlab.models.tokenizer import load_tokenizer
from train.tiny import CHATML, write_model_dir


def test_folder_with_template_in_config(tmp_path: Path) -> None:
    folder = write_model_dir(tmp_path / "m", "byte_level", CHATML, eos="<|im_end|>")
    src = load_tokenizer(folder)
    assert src.chat_template == CHATML
    assert src.special_tokens["eos_token"] == "<|im_end|>"
    assert src.origin == str(folder)
    # The tokenizer.json file itself works too, reading its folder's config.
    assert load_tokenizer(folder / "tokenizer.json").fingerprint == src.fingerprint


def test_template_file_and_named_templates_and_added_token_objects(tmp_path: Path) -> None:
    folder = write_model_dir(tmp_path / "m", "byte_level", CHATML)
    config = json.loads((folder / "tokenizer_config.json").read_text())
    config["chat_template"] = [
        {"name": "tool_use", "template": "x"},
        {"name": "default", "template": "d"},
    ]
    config["eos_token"] = {"content": "<|end|>", "special": True}
    (folder / "tokenizer_config.json").write_text(json.dumps(config))
    src = load_tokenizer(folder)
    assert src.chat_template == "d"
    assert src.special_tokens["eos_token"] == "<|end|>"
    (folder / "chat_template.jinja").write_text("from the jinja file")
    assert load_tokenizer(folder).chat_template == "from the jinja file"
    # An explicit template wins, and changes the fingerprint.
    overridden = load_tokenizer(folder, chat_template="{{ 1 }}")
    assert overridden.chat_template == "{{ 1 }}"
    assert overridden.fingerprint != src.fingerprint


def test_missing_pieces_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(TokenizerError, match="does not exist"):
        load_tokenizer(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(TokenizerError, match=r"has no tokenizer\.json"):
        load_tokenizer(tmp_path / "empty")
    folder = write_model_dir(tmp_path / "m", "byte_level", CHATML)
    config = json.loads((folder / "tokenizer_config.json").read_text())
    del config["chat_template"]
    (folder / "tokenizer_config.json").write_text(json.dumps(config))
    with pytest.raises(TokenizerError, match="has no chat template"):
        load_tokenizer(folder)
    (folder / "tokenizer_config.json").write_text("{nope")
    with pytest.raises(TokenizerError, match="not valid JSON"):
        load_tokenizer(folder)


def test_a_file_that_is_not_gguf_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "model.gguf"
    fake.write_bytes(b"not a gguf at all")
    with pytest.raises(TokenizerError, match="not a GGUF file"):
        load_tokenizer(fake, cache_dir=tmp_path / "cache")


def test_embedded_gguf_is_converted_once_and_cached(tmp_path: Path) -> None:
    gguf = embedded_model_path()
    cache = tmp_path / "cache"
    first = load_tokenizer("embedded://smollm2-135m-instruct", cache_dir=cache)
    (converted,) = cache.iterdir()
    stamp = (converted / "tokenizer.json").stat().st_mtime_ns
    second = load_tokenizer(gguf, cache_dir=cache)
    assert (converted / "tokenizer.json").stat().st_mtime_ns == stamp
    assert first.fingerprint == second.fingerprint
    assert "<|im_start|>" in first.chat_template


SPM_CORPUS = [
    "the quick brown fox jumps over the lazy dog",
    "hello world, this is a tiny sentencepiece vocabulary",
    "tokenizers split words into pieces; pieces merge into tokens",
    "numbers like 12345 and 2024 appear too",
    "Über café naïve résumé",
]

SPM_TEXTS = [
    "hello world",
    " leading space and  two  spaces   three",
    "trailing space ",
    "Über café naïve résumé, 日本語 and emoji 🦊!",
    "line one\nline two\n\n\ttabbed",
    "<|im_start|>user\nhi there<|im_end|>\n<|im_start|>assistant\n",
    "x<think>y</think>",
    "the quick brown fox jumps over the lazy dog 12345",
    "",
    "   ",
    "▁already▁spelled",
    "windows\r\nline ends and a zero\u200bwidth space, e\u0301 combined",
    "the<s>middle</s>and<unk>",
    "Ünïcödé ÜBER über 12 345 6789",
]


def _write_sentencepiece_gguf(path: Path, *, with_merges: bool, arch: str = "llama") -> None:
    """A tiny SentencePiece-style GGUF: <unk>/<s>/</s>, the 256 byte tokens, pieces learned here
    (scored by rank), two control tokens and a user-defined one."""
    import gguf
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    learner = Tokenizer(models.BPE())
    learner.pre_tokenizer = pre_tokenizers.Metaspace(prepend_scheme="first")
    learner.train_from_iterator(
        SPM_CORPUS * 10, trainers.BpeTrainer(vocab_size=300, show_progress=False)
    )
    model = json.loads(learner.to_str())["model"]
    tokens, scores, types = ["<unk>", "<s>", "</s>"], [0.0, 0.0, 0.0], [2, 3, 3]
    for b in range(256):
        tokens.append(f"<0x{b:02X}>")
        scores.append(0.0)
        types.append(6)
    for rank, (piece, _) in enumerate(sorted(model["vocab"].items(), key=lambda kv: kv[1])):
        tokens.append(piece)
        # Equal scores in pairs, so ties (kept in vocabulary order) matter too.
        scores.append(-float(rank // 2))
        types.append(1)
    tokens += ["<|im_start|>", "<|im_end|>", "<think>"]
    scores += [0.0, 0.0, 0.0]
    types += [3, 3, 4]
    writer = gguf.GGUFWriter(str(path), arch)
    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    if with_merges:
        writer.add_token_merges([" ".join(pair) for pair in model["merges"]])
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    writer.add_unk_token_id(0)
    writer.add_chat_template("{{ bos_token }}{% for m in messages %}{{ m['content'] }}{% endfor %}")
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


@pytest.mark.parametrize(
    ("with_merges", "arch"), [(False, "llama"), (True, "llama"), (False, "phi3")]
)
def test_sentencepiece_gguf_ids_match_transformers(
    tmp_path: Path, with_merges: bool, arch: str
) -> None:
    import transformers

    from instructlab import _native

    path = tmp_path / "spm.gguf"
    _write_sentencepiece_gguf(path, with_merges=with_merges, arch=arch)
    reference = transformers.AutoTokenizer.from_pretrained(str(tmp_path), gguf_file=path.name)
    src = load_tokenizer(path, cache_dir=tmp_path / "cache")
    assert src.special_tokens["bos_token"] == "<s>"
    engine = _native.PackEngine(src.tokenizer_json, src.chat_template, src.special_tokens, 10_000)
    for text in SPM_TEXTS:
        expected = reference(text, add_special_tokens=False)["input_ids"]
        assert engine.encode(text) == expected, text
    # Characters outside the vocabulary fall back to their UTF-8 bytes (ids 3.. in this file).
    assert engine.encode("a日")[-3:] == [3 + b for b in "日".encode()]


def test_gemma_sentencepiece_gguf_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "gemma.gguf"
    _write_sentencepiece_gguf(path, with_merges=False, arch="gemma2")
    with pytest.raises(TokenizerError, match="gemma2"):
        load_tokenizer(path, cache_dir=tmp_path / "cache")
