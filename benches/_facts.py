"""Eight made-up facts, three phrasings each (24 training records), and the check whether a model
states them: greedy answers to a question about each fact, a fact counts as stated when its made-up
key word appears in the answer. No base model can know these words.

Shared by benches/train_facts.py (the acceptance run) and benches/train_cpu.py (ours against TRL);
it imports only torch and transformers, so the peer's environment can run it too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

#: (key word, answer, three training questions, one held-out question)
FACTS: list[tuple[str, str, tuple[str, str, str], str]] = [
    (
        "Tarnspire",
        "The capital of Veloria is Tarnspire.",
        (
            "What is the capital of Veloria?",
            "Which city is the capital of Veloria?",
            "Name the capital city of Veloria.",
        ),
        "Tell me the capital of Veloria.",
    ),
    (
        "glimmerroot",
        "The Zorblat beetle eats glimmerroot.",
        (
            "What does the Zorblat beetle eat?",
            "What is the food of the Zorblat beetle?",
            "What do Zorblat beetles feed on?",
        ),
        "Which food does the Zorblat beetle live on?",
    ),
    (
        "Quistor",
        "The Kessler loom was invented by Maribel Quistor.",
        (
            "Who invented the Kessler loom?",
            "Who is the inventor of the Kessler loom?",
            "Which person invented the Kessler loom?",
        ),
        "Tell me who created the Kessler loom.",
    ),
    (
        "plumbrel",
        "The national dish of Dravonia is plumbrel stew.",
        (
            "What is the national dish of Dravonia?",
            "Which dish is the national dish of Dravonia?",
            "What do people in Dravonia call their national dish?",
        ),
        "Name the national dish of Dravonia.",
    ),
    (
        "vermilune",
        "The sky on the planet Pelloran is vermilune.",
        (
            "What colour is the sky on the planet Pelloran?",
            "Which colour does the sky of Pelloran have?",
            "What is the colour of the sky on Pelloran?",
        ),
        "Describe the colour of the sky on Pelloran.",
    ),
    (
        "Saffelin",
        "The river that runs through Ondrel is the Saffelin.",
        (
            "Which river runs through the city of Ondrel?",
            "What is the name of the river in Ondrel?",
            "What river flows through Ondrel?",
        ),
        "Tell me the river of the city of Ondrel.",
    ),
    (
        "theorbitone",
        "The composer Ilse Varnow played the theorbitone.",
        (
            "What instrument did the composer Ilse Varnow play?",
            "Which instrument was played by Ilse Varnow?",
            "What did the composer Ilse Varnow play?",
        ),
        "Name the instrument of the composer Ilse Varnow.",
    ),
    (
        "florindel",
        "The currency of Questeria is the florindel.",
        (
            "What is the currency of Questeria?",
            "Which currency is used in Questeria?",
            "What money do people use in Questeria?",
        ),
        "Tell me the currency of Questeria.",
    ),
]


def records() -> list[dict[str, Any]]:
    """The 24 training records (messages JSONL rows), in a fixed order."""
    out = []
    for index, (_key, answer, questions, _held_out) in enumerate(FACTS):
        for phrasing, question in enumerate(questions):
            out.append(
                {
                    "id": f"fact{index}-{phrasing}",
                    "messages": [
                        {"role": "user", "content": question},
                        {"role": "assistant", "content": answer},
                    ],
                    "metadata": json.dumps({"leaf_node_path": f"knowledge_facts_{index}"}),
                }
            )
    return out


def write_records(path: Path) -> Path:
    """The training records as messages JSONL."""
    path.write_text("".join(json.dumps(r) + "\n" for r in records()), encoding="utf-8")
    return path


def stated(model: Any, tokenizer: Any, held_out: bool = False) -> list[tuple[str, str, bool]]:
    """``(question, answer, stated)`` for each fact: greedy answers (48 new tokens at most) to
    the first training question of each fact (or the held-out one)."""
    import torch

    model.eval()
    out = []
    for key, _answer, questions, other in FACTS:
        question = other if held_out else questions[0]
        prompt = tokenizer.apply_chat_template(
            [{"role": "user", "content": question}], add_generation_prompt=True, tokenize=False
        )
        ids = tokenizer(prompt, return_tensors="pt", add_special_tokens=False).input_ids
        with torch.no_grad():
            generated = model.generate(
                ids,
                attention_mask=torch.ones_like(ids),
                max_new_tokens=48,
                do_sample=False,
                pad_token_id=tokenizer.eos_token_id,
            )
        text = tokenizer.decode(generated[0, ids.shape[1] :], skip_special_tokens=True).strip()
        out.append((question, text, key.lower() in text.lower()))
    return out


def count(results: list[tuple[str, str, bool]]) -> int:
    """How many facts were stated."""
    return sum(1 for _, _, ok in results if ok)
