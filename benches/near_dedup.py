"""Near-duplicate removal: ours (MinHash + LSH in Rust, verified) vs datasketch MinHashLSH.

Both sides: 128 permutations, 5-word shingles, Jaccard threshold 0.8, on the same generated
documents (~100 words) with planted copies whose similarity to their original spans
threshold - 0.1 to threshold + 0.1. The peer runs the usual query-then-insert loop. Both are
scored against the exact Jaccard similarity of the pairs they report (a dropped row and the
kept row it duplicates); peak memory is measured per side, each in its own process.

Usage (the peer installed in another environment with instructlab):
    python benches/near_dedup.py [--docs 1000000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

from _harness import add_side_options, documents, emit, peak_rss_mb, report, run_as_child, run_side


def shingles(text: str, n: int) -> set[str]:
    words = text.split()
    if len(words) <= n:
        return {" ".join(words)}
    return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}


def jaccard(a: str, b: str, n: int) -> float:
    sa, sb = shingles(a, n), shingles(b, n)
    return len(sa & sb) / len(sa | sb)


def generate(docs: int, words: int, copy_fraction: float, seed: int) -> tuple[list[str], list]:
    rng = random.Random(seed)
    copies = int(docs * copy_fraction)
    originals = documents(docs - copies, words, 10, seed)
    texts = [" ".join(d) for d in originals]
    planted = []
    for _ in range(copies):
        source = rng.randrange(len(originals))
        copy = list(originals[source])
        run = rng.randint(1, 13)
        at = rng.randint(10, len(copy) - 10 - run)
        copy[at : at + run] = [f"edit{rng.randrange(10**9)}" for _ in range(run)]
        del copy[len(copy) - rng.randint(0, 3) :]
        # Copies go anywhere after their original, so the kept row is the original.
        planted.append((source, len(texts)))
        texts.append(" ".join(copy))
    return texts, planted


def ours(args: argparse.Namespace) -> None:
    import numpy as np
    import pyarrow.parquet as pq

    from instructlab.clean import near_duplicates

    column = pq.read_table(args.input).column("text")
    base = peak_rss_mb()
    started = time.perf_counter()
    result = near_duplicates(column, args.threshold, num_perm=args.num_perm, ngram=args.ngram)
    seconds = time.perf_counter() - started
    dropped = np.flatnonzero(~result.keep)
    pairs = [[int(result.cluster[i]), int(i)] for i in dropped]
    emit(
        {
            "seconds": seconds,
            "peak_rss_mb": round(peak_rss_mb()),
            "input_rss_mb": round(base),
            "bands_x_rows": f"{result.stats['bands']}x{result.stats['rows']}",
            "pairs": pairs,
        }
    )


def peer(args: argparse.Namespace) -> None:
    import pyarrow.parquet as pq
    from datasketch import MinHash, MinHashLSH

    texts = pq.read_table(args.input).column("text").to_pylist()
    base = peak_rss_mb()
    started = time.perf_counter()
    lsh = MinHashLSH(threshold=args.threshold, num_perm=args.num_perm)
    pairs = []
    for i, text in enumerate(texts):
        m = MinHash(num_perm=args.num_perm)
        m.update_batch([s.encode("utf-8") for s in shingles(text, args.ngram)])
        found = lsh.query(m)
        if found:
            pairs.append([min(found), i])
        else:
            lsh.insert(i, m)
    seconds = time.perf_counter() - started
    emit(
        {
            "seconds": seconds,
            "peak_rss_mb": round(peak_rss_mb()),
            "input_rss_mb": round(base),
            "bands_x_rows": f"{lsh.b}x{lsh.r}",
            "pairs": pairs,
        }
    )


def score(pairs: list, truth: set, texts: list[str], args: argparse.Namespace) -> dict:
    correct = 0
    for a, b in pairs:
        pair = (min(a, b), max(a, b))
        if pair in truth or jaccard(texts[a], texts[b], args.ngram) >= args.threshold:
            correct += 1
    precision = correct / max(len(pairs), 1)
    recall = min(correct, len(truth)) / max(len(truth), 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-12)
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def main() -> int:
    import _release  # benches/ is the script's folder

    _release.require_release()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--words", type=int, default=100)
    parser.add_argument("--copies", type=float, default=0.1, help="Fraction of planted copies.")
    parser.add_argument("--threshold", type=float, default=0.8)
    parser.add_argument("--num-perm", type=int, default=128)
    parser.add_argument("--ngram", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    add_side_options(parser)
    args = parser.parse_args()
    if run_as_child(args, ours, peer):
        return 0

    import pyarrow as pa
    import pyarrow.parquet as pq

    print(f"near-dup: {args.docs} docs of ~{args.words} words, {args.copies:.0%} planted copies")
    print(
        f"settings (both): num_perm={args.num_perm}, {args.ngram}-word shingles, "
        f"threshold={args.threshold}"
    )
    print(f"peer: datasketch {version('datasketch')} MinHashLSH, query-then-insert")
    print(f"ours: instructlab {version('instructlab')}")
    texts, planted = generate(args.docs, args.words, args.copies, args.seed)
    truth = {
        (a, b) for a, b in planted if jaccard(texts[a], texts[b], args.ngram) >= args.threshold
    }
    sims = [jaccard(texts[a], texts[b], args.ngram) for a, b in planted[:2000]]
    print(
        f"planted pairs: {len(planted)}, at/above threshold: {len(truth)}, "
        f"similarity span {min(sims):.2f}..{max(sims):.2f}"
    )
    extra = [
        f"--threshold={args.threshold}",
        f"--num-perm={args.num_perm}",
        f"--ngram={args.ngram}",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "docs.parquet"
        pq.write_table(pa.table({"text": texts}), path)
        results = {side: run_side(__file__, side, path, extra) for side in ("ours", "peer")}
    for side in results.values():
        side.update(score(side.pop("pairs"), truth, texts, args))
    status = report("near-duplicate removal", results["ours"], results["peer"], 30)
    if results["ours"]["f1"] < results["peer"]["f1"]:
        print("ours has a lower F1 than the peer")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
