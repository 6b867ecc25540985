"""The transformers CPU fallback, serving a tiny random model made here."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import torch
import transformers

from instructlab.llm.backends import choose_backend
from instructlab.llm.running import running_server
from instructlab.system.jobs import pid_alive

WORDS = ["hello", "world", "sea", "sky", "blue", "green", "a", "the", "user", "assistant"]
TEMPLATE = (
    "{% for m in messages %}{{ m['role'] }} {{ m['content'] }} {% endfor %}"
    "{% if add_generation_prompt %}assistant {% endif %}"
)


def _tiny_model(root: Path) -> Path:
    from tokenizers import Tokenizer, models, pre_tokenizers

    vocab = {"<unk>": 0, "<eos>": 1, **{w: i + 2 for i, w in enumerate(WORDS)}}
    core = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer = transformers.PreTrainedTokenizerFast(
        tokenizer_object=core, unk_token="<unk>", eos_token="<eos>", pad_token="<eos>"
    )
    tokenizer.chat_template = TEMPLATE
    config = transformers.LlamaConfig(
        vocab_size=len(vocab),
        hidden_size=16,
        intermediate_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=128,
        eos_token_id=1,
        pad_token_id=1,
        bos_token_id=None,
    )
    torch.manual_seed(0)
    model = transformers.LlamaForCausalLM(config)
    model.save_pretrained(root, safe_serialization=True)
    tokenizer.save_pretrained(root)
    return root


@pytest.mark.slow
def test_a_tiny_random_model_is_served_on_the_cpu(tmp_path, monkeypatch) -> None:
    from instructlab.llm import backends

    monkeypatch.setattr(backends, "cuda_available", lambda: False)
    model_dir = _tiny_model(tmp_path / "student")
    assert choose_backend(model_dir) == "transformers"
    with running_server(model_dir, startup_timeout=180) as server:
        assert server.process.backend == "transformers"
        body = {
            "messages": [{"role": "user", "content": "hello world"}],
            "n": 2,
            "max_tokens": 8,
            "temperature": 1.0,
        }
        request = urllib.request.Request(
            server.base_url + "/chat/completions", data=json.dumps(body).encode()
        )
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=120) as response:
            payload = json.load(response)
        assert [c["index"] for c in payload["choices"]] == [0, 1]
        for choice in payload["choices"]:
            assert set(choice["message"]["content"].split()) <= set(WORDS)
            assert choice["finish_reason"] in ("stop", "length")
        assert payload["usage"]["prompt_tokens"] == 4  # user hello world assistant
        # Constrained output is llama.cpp's: this backend refuses it rather than ignore it.
        constrained = dict(body, grammar='root ::= "sea"')
        request = urllib.request.Request(
            server.base_url + "/chat/completions", data=json.dumps(constrained).encode()
        )
        request.add_header("Content-Type", "application/json")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=120)
        assert refused.value.code == 400
        assert "llama.cpp" in refused.value.read().decode()
        pid = server.process.pid
    assert not pid_alive(pid)
