"""Tiny tokenizers and chat templates built in code, for the training-data tests (no downloads)."""

from __future__ import annotations

import json
from pathlib import Path

SPECIALS = [
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|begin_of_text|>",
    "<|start_header_id|>",
    "<|end_header_id|>",
    "<|eot_id|>",
    "<|start_of_role|>",
    "<|end_of_role|>",
    "<|end_of_text|>",
    "<s>",
    "</s>",
    "<|user|>",
    "<|assistant|>",
    "<|system|>",
    "<|end|>",
]

CORPUS = [
    "The quick brown fox jumps over the lazy dog.",
    "Pollinators such as bees carry pollen from flower to flower, 1234 times a day.",
    "You are a helpful assistant. Answer briefly and kindly.",
    "Hello! How can I help you today? I'd like a summary of the meeting notes.",
    "Action items: Alice will email the team; Bob owns the budget (due 2024-07-23).",
    "Synonyms of happy: glad, cheerful, joyful. Antonyms: sad, gloomy.",
    "Café, naïve, 日本語のテキスト, and emoji 🐝 appear in multilingual data.",
    "    indented code\n\tand tabs\r\nand windows newlines\n\n\nmany blank lines",
]

# A Llama 3 style splitting pattern (with a look-ahead, which oniguruma and fancy-regex must
# treat alike).
LLAMA3_SPLIT = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)

VARIANTS = ("byte_level", "digits", "llama3_split", "metaspace")


def build_tokenizer_json(variant: str) -> str:
    """Trains a small BPE (about 400 tokens) on ``CORPUS`` with the given pre-tokenizer."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    if variant == "metaspace":
        tok = Tokenizer(models.BPE(unk_token="<unk>"))
        tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first")
        tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="first")
        alphabet = sorted({c for line in CORPUS for c in line.replace(" ", "▁")})
        trainer = trainers.BpeTrainer(
            vocab_size=400, special_tokens=["<unk>", *SPECIALS], initial_alphabet=alphabet
        )
    else:
        tok = Tokenizer(models.BPE())
        byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
        if variant == "digits":
            tok.pre_tokenizer = pre_tokenizers.Sequence(
                [pre_tokenizers.Digits(individual_digits=True), byte_level]
            )
        elif variant == "llama3_split":
            from tokenizers import Regex

            tok.pre_tokenizer = pre_tokenizers.Sequence(
                [
                    pre_tokenizers.Split(Regex(LLAMA3_SPLIT), behavior="isolated"),
                    pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
                ]
            )
        else:
            tok.pre_tokenizer = byte_level
        tok.decoder = decoders.ByteLevel()
        trainer = trainers.BpeTrainer(
            vocab_size=400,
            special_tokens=SPECIALS,
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        )
    tok.train_from_iterator(CORPUS * 3, trainer)
    return tok.to_str()


def write_model_dir(
    folder: Path,
    variant: str,
    template: str,
    bos: str = "<|begin_of_text|>",
    eos: str = "<|endoftext|>",
) -> Path:
    """A Hugging Face-style tokenizer folder: tokenizer.json + tokenizer_config.json."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tokenizer.json").write_text(build_tokenizer_json(variant), encoding="utf-8")
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": bos,
        "eos_token": eos,
        "chat_template": template,
        "model_max_length": 100000,
        "clean_up_tokenization_spaces": False,
    }
    (folder / "tokenizer_config.json").write_text(json.dumps(config), encoding="utf-8")
    return folder


# Templates in the styles of the common model families, written here.
CHATML = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)

LLAMA3 = """{{- bos_token }}
{%- for message in messages %}
    {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' }}
    {{- message['content'] | trim }}
    {{- '<|eot_id|>' }}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}
{%- endif %}
"""

GRANITE = """{%- if messages[0]['role'] == 'system' %}
    {%- set system_message = messages[0]['content'] %}
    {%- set loop_messages = messages[1:] %}
{%- else %}
    {%- set system_message = "You are a careful assistant. Today is a good day." %}
    {%- set loop_messages = messages %}
{%- endif %}
{%- set ns = namespace(turns=0) %}
{{- '<|start_of_role|>system<|end_of_role|>' + system_message + '<|end_of_text|>\\n' }}
{%- for message in loop_messages %}
    {%- set ns.turns = ns.turns + 1 %}
    {{- '<|start_of_role|>' + message['role'] + '<|end_of_role|>' }}
    {{- message['content'] + '<|end_of_text|>\\n' }}
    {%- if loop.last and add_generation_prompt %}
        {{- '<|start_of_role|>assistant<|end_of_role|>' }}
    {%- endif %}
{%- endfor %}
"""

MISTRAL = """{{- bos_token }}
{%- if messages[0]['role'] == 'system' %}
    {%- set system = messages[0]['content'] + '\\n\\n' %}
    {%- set rest = messages[1:] %}
{%- else %}
    {%- set system = '' %}
    {%- set rest = messages %}
{%- endif %}
{%- for message in rest %}
    {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}
        {{- raise_exception('Conversation roles must alternate user/assistant') }}
    {%- endif %}
    {%- if message['role'] == 'user' %}
        {{- '[INST] ' + (system if loop.first else '') + message['content'].strip() + ' [/INST]' }}
    {%- else %}
        {{- ' ' + message['content'].strip() + eos_token }}
    {%- endif %}
{%- endfor %}
"""

PHI = (
    "{% for message in messages %}"
    "{{ '<|' + message['role'] + '|>\\n' + message['content'] + '<|end|>\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% else %}{{ eos_token }}{% endif %}"
)

TEMPLATES = {
    "chatml": CHATML,
    "llama3": LLAMA3,
    "granite": GRANITE,
    "mistral": MISTRAL,
    "phi": PHI,
}

# End-of-turn tokens per style, as transformers' masks (generation tags) include them.
EOS = {
    "chatml": "<|im_end|>",
    "llama3": "<|eot_id|>",
    "granite": "<|end_of_text|>",
    "mistral": "</s>",
    "phi": "<|end|>",
}

CONVERSATIONS = [
    [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "Hello! How can I help you today?"},
        {"role": "assistant", "content": "I'd like a summary of the meeting notes."},
    ],
    [
        {"role": "user", "content": "Synonyms of happy?"},
        {"role": "assistant", "content": "glad, cheerful, joyful"},
        {"role": "user", "content": "  And antonyms, with 1234 examples?  "},
        {"role": "assistant", "content": "sad,\tgloomy\n\nand 2024-07-23 🐝"},
    ],
    [
        {"role": "system", "content": "Café, naïve, 日本語のテキスト."},
        {"role": "user", "content": "    indented code\n\tand tabs\r\nnewlines"},
        {"role": "assistant", "content": "Action items: Alice will email the team."},
        {"role": "user", "content": "What's next?"},
    ],
]


# Tiny causal language models built from configs (no downloads), for the trainer's tests.
FAMILIES = ("llama", "qwen2")


def tiny_model(family: str = "llama", vocab_size: int = 512, layers: int = 2, seed: int = 0):  # type: ignore[no-untyped-def]
    """A randomly initialised causal LM of the family's architecture, in fp32."""
    import torch
    import transformers

    common = {
        "vocab_size": vocab_size,
        "hidden_size": 64,
        "intermediate_size": 128,
        "num_hidden_layers": layers,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "max_position_embeddings": 2048,
        "tie_word_embeddings": family == "llama",
    }
    torch.manual_seed(seed)
    if family == "qwen2":
        config = transformers.Qwen2Config(**common)
        return transformers.Qwen2ForCausalLM(config).float()
    config = transformers.LlamaConfig(**common)
    return transformers.LlamaForCausalLM(config).float()


def write_tiny_model(folder: Path, family: str = "llama", template: str = CHATML) -> Path:
    """A Hugging Face folder: a tiny model of ``family`` with a tiny tokenizer (ChatML)."""
    write_model_dir(folder, "byte_level", template, eos="<|im_end|>")
    model = tiny_model(family)
    model.generation_config.eos_token_id = None
    model.save_pretrained(str(folder))
    return folder


def write_conversations(path: Path, copies: int = 1) -> Path:
    """``CONVERSATIONS`` as messages JSONL, ``copies`` times over (each copy with its own id)."""
    lines = []
    for copy in range(copies):
        for index, conversation in enumerate(CONVERSATIONS):
            lines.append(json.dumps({"id": f"c{copy}-{index}", "messages": conversation}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
