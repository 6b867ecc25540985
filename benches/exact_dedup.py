"""Exact dedup of a `datasets.Dataset` column: ours vs what instructlab-sdg does
(`to_pandas().drop_duplicates(subset)` and back to a Dataset).

Both sides start from the same Dataset (memory-mapped Arrow, as SDG holds it), compare raw
text (no normalisation), keep the first occurrence, and end with a Dataset of the kept rows.

Usage: python benches/exact_dedup.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

from _harness import add_side_options, documents, emit, peak_rss_mb, report, run_as_child, run_side


def load(path: Path):
    import datasets

    datasets.disable_progress_bars()
    return datasets.Dataset.from_parquet(str(path), cache_dir=str(path.parent / "cache"))


def fingerprint(texts: list[str]) -> str:
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode("utf-8") + b"\0")
    return digest.hexdigest()[:16]


def ours(args: argparse.Namespace) -> None:
    from instructlab.clean import dedup_rows

    ds = load(args.input)
    base = peak_rss_mb()
    started = time.perf_counter()
    kept = dedup_rows(ds, ["text"], normalize="raw").kept
    seconds = time.perf_counter() - started
    emit(
        {
            "seconds": seconds,
            "kept": len(kept),
            "kept_fingerprint": fingerprint(kept["text"]),
            "peak_rss_mb": round(peak_rss_mb()),
            "input_rss_mb": round(base),
        }
    )


def peer(args: argparse.Namespace) -> None:
    import datasets

    ds = load(args.input)
    base = peak_rss_mb()
    started = time.perf_counter()
    df = ds.to_pandas()
    df = df.drop_duplicates(subset=["text"])
    kept = datasets.Dataset.from_pandas(df, preserve_index=False)
    seconds = time.perf_counter() - started
    emit(
        {
            "seconds": seconds,
            "kept": len(kept),
            "kept_fingerprint": fingerprint(kept["text"]),
            "peak_rss_mb": round(peak_rss_mb()),
            "input_rss_mb": round(base),
        }
    )


def main() -> int:
    import _release  # benches/ is the script's folder

    _release.require_release()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--words", type=int, default=40)
    parser.add_argument("--duplicates", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=0)
    add_side_options(parser)
    args = parser.parse_args()
    if run_as_child(args, ours, peer):
        return 0

    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = random.Random(args.seed)
    fresh = iter(documents(args.rows, args.words, 0, args.seed))
    texts: list[str] = []
    for _ in range(args.rows):
        if texts and rng.random() < args.duplicates:
            texts.append(texts[rng.randrange(len(texts))])
        else:
            texts.append(" ".join(next(fresh)))
    print(f"exact dedup: {args.rows} rows of ~{args.words} words, ~{args.duplicates:.0%} repeats")
    print(
        f"peer: pandas {version('pandas')} to_pandas().drop_duplicates(subset=['text']) "
        f"+ Dataset.from_pandas (datasets {version('datasets')})"
    )
    print(f"ours: instructlab {version('instructlab')} dedup_rows(normalize='raw')")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rows.parquet"
        pq.write_table(pa.table({"text": texts}), path)
        results = {side: run_side(__file__, side, path, []) for side in ("ours", "peer")}
    if results["ours"]["kept_fingerprint"] != results["peer"]["kept_fingerprint"]:
        print("the two sides kept different rows")
        return 1
    return report("exact dedup", results["ours"], results["peer"], 5)


if __name__ == "__main__":
    raise SystemExit(main())
