"""A tiny causal model and tokenizer built in code (no downloads), for the evaluation tests."""

from __future__ import annotations

from pathlib import Path

from instructlab.eval.mmlu_data import subject_description
from instructlab.eval.synthetic import generate_questions

CHATML = (
    "{% for m in messages %}"
    "{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)


def _corpus() -> list[str]:
    lines = [subject_description(s) for s in ("anatomy", "astronomy", "virology")]
    for q in generate_questions("corpus", 60):
        options = [f"{letter}. {c}" for letter, c in zip("ABCD", q.choices, strict=True)]
        lines.append(q.question + "\n" + "\n".join(options))
        lines.append("Answer: A\n\nAnswer: B\n\nAnswer: C\n\nAnswer: D")
    return lines


def write_tiny_model(folder: Path, seed: int = 0, layers: int = 2) -> Path:
    """A Llama-shaped model (hidden size 32) and a byte-level BPE of ~600 tokens, saved as a
    Hugging Face folder with a ChatML template."""
    import torch
    import transformers
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    core = Tokenizer(models.BPE())
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    core.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=600,
        special_tokens=["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    core.train_from_iterator(_corpus(), trainer)
    tokenizer = transformers.PreTrainedTokenizerFast(
        tokenizer_object=core, eos_token="<|endoftext|>", bos_token="<|endoftext|>"
    )
    tokenizer.chat_template = CHATML
    config = transformers.LlamaConfig(
        vocab_size=core.get_vocab_size(),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=layers,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=4096,
        eos_token_id=0,
        bos_token_id=0,
        pad_token_id=0,
    )
    torch.manual_seed(seed)
    model = transformers.LlamaForCausalLM(config)
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    return folder
