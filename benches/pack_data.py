"""Generates the benchmark's conversations: multi-turn, 50 to 4,000 tokens, some `unmask`.

Deterministic for a seed, so ours and the peer read the same bytes.
Usage: python benches/pack_data.py OUT.jsonl [COUNT] [SEED]
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

WORDS = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "is",
    "that",
    "for",
    "it",
    "as",
    "with",
    "was",
    "on",
    "be",
    "by",
    "this",
    "are",
    "from",
    "or",
    "have",
    "an",
    "they",
    "which",
    "one",
    "you",
    "were",
    "all",
    "we",
    "can",
    "her",
    "has",
    "there",
    "been",
    "if",
    "more",
    "when",
    "will",
    "would",
    "who",
    "so",
    "no",
    "pollinators",
    "bees",
    "flowers",
    "pollen",
    "nectar",
    "garden",
    "meeting",
    "action",
    "items",
    "budget",
    "summary",
    "question",
    "answer",
    "knowledge",
    "skill",
    "taxonomy",
    "model",
    "training",
    "data",
    "token",
    "sample",
    "batch",
    "packing",
    "rank",
    "gradient",
    "learning",
    "rate",
    "epoch",
    "checkpoint",
    "evaluation",
    "benchmark",
    "document",
    "chapter",
    "section",
    "table",
    "figure",
    "synonym",
    "antonym",
    "happy",
    "glad",
    "cheerful",
    "sad",
    "gloomy",
    "weather",
    "river",
    "mountain",
    "city",
    "language",
    "café",
    "naïve",
    "日本語",
    "テキスト",
    "emoji",
    "🐝",
    "résumé",
    "façade",
    "über",
    "straße",
]
PUNCT = [".", ",", ";", ":", "?", "!", " (", ")", " -", "\n", "\n\n"]


def _text(rng: random.Random, words: int) -> str:
    out = []
    for _ in range(words):
        r = rng.random()
        if r < 0.06:
            out.append(str(rng.randint(0, 99999)))
        else:
            out.append(rng.choice(WORDS))
        if rng.random() < 0.08:
            out[-1] += rng.choice(PUNCT)
    return " ".join(out)


def conversation(rng: random.Random, index: int) -> dict[str, object]:
    # About 1.3 tokens per word: 40 to 3,000 words is 50 to 4,000 tokens.
    total_words = int(40 * (3000 / 40) ** rng.random())
    turns = rng.choice([1, 1, 2, 3, 4])
    messages = []
    if rng.random() < 0.5:
        messages.append({"role": "system", "content": _text(rng, rng.randint(5, 30))})
    per_turn = max(total_words // turns, 4)
    for _ in range(turns):
        q = max(per_turn // 4, 2)
        messages.append({"role": "user", "content": _text(rng, q)})
        messages.append({"role": "assistant", "content": _text(rng, max(per_turn - q, 2))})
    return {"id": f"conv-{index}", "messages": messages, "unmask": rng.random() < 0.2}


def generate(path: Path, count: int = 100_000, seed: int = 7) -> Path:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as f:
        for i in range(count):
            f.write(json.dumps(conversation(rng, i), ensure_ascii=False) + "\n")
    return path


if __name__ == "__main__":
    out = Path(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    s = int(sys.argv[3]) if len(sys.argv) > 3 else 7
    generate(out, n, s)
    print(f"wrote {n} conversations to {out} ({out.stat().st_size / 1e6:.1f} MB)")
