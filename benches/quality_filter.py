"""Quality filters: ours (Rust) vs datatrove's GopherRepetitionFilter + GopherQualityFilter.

The same generated rows (prose-like documents, with planted junk: repeated lines, repeated
n-grams, symbol runs, short rows) go through datatrove's two Gopher filters with their
defaults and through ours with the ``gopher`` preset (the same families and values; ours
splits words on whitespace where datatrove uses spaCy's tokenizer, so a few borderline rows
are judged differently: the agreement is printed). Our ``default`` preset is timed too.

Usage: python benches/quality_filter.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

from _harness import (
    COMMON,
    add_side_options,
    documents,
    emit,
    peak_rss_mb,
    report,
    run_as_child,
    run_side,
)


def generate(rows: int, words: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for doc in documents(rows, words, 20, seed):
        kind = rng.random()
        if kind < 0.05:  # the same line again and again
            line = " ".join(doc[:12])
            text = "\n".join([line] * 8 + [" ".join(doc[12:])])
        elif kind < 0.10:  # a paragraph pasted twice
            text = " ".join(doc + doc[: len(doc) // 2])
        elif kind < 0.13:  # symbol runs
            text = " ".join(doc) + " " + " ".join(["#tag"] * 20)
        elif kind < 0.16:  # too short
            text = " ".join(doc[:10])
        else:  # prose in short lines
            text = "\n".join(" ".join(doc[i : i + 15]) + "." for i in range(0, len(doc), 15))
        texts.append(text)
    assert COMMON  # documents mix in common English words, so stop-word checks pass
    return texts


def ours(args: argparse.Namespace) -> None:
    import pyarrow.parquet as pq

    from instructlab.clean import quality_filter

    column = pq.read_table(args.input).column("text")
    base = peak_rss_mb()
    started = time.perf_counter()
    result = quality_filter(column, preset="gopher")
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    default = quality_filter(column)
    default_seconds = time.perf_counter() - started
    emit(
        {
            "seconds": seconds,
            "kept": int(result.keep.sum()),
            "default_preset_seconds": round(default_seconds, 2),
            "default_preset_kept": int(default.keep.sum()),
            "peak_rss_mb": round(peak_rss_mb()),
            "input_rss_mb": round(base),
            "keep": "".join("1" if k else "0" for k in result.keep),
        }
    )


def peer(args: argparse.Namespace) -> None:
    import pyarrow.parquet as pq
    from datatrove.data import Document
    from datatrove.pipeline.filters import GopherQualityFilter, GopherRepetitionFilter

    texts = pq.read_table(args.input).column("text").to_pylist()
    repetition, quality = GopherRepetitionFilter(), GopherQualityFilter()
    base = peak_rss_mb()
    started = time.perf_counter()
    keep = []
    for i, text in enumerate(texts):
        doc = Document(text=text, id=str(i))
        kept = repetition.filter(doc) is True and quality.filter(doc) is True
        keep.append(kept)
    seconds = time.perf_counter() - started
    emit(
        {
            "seconds": seconds,
            "kept": sum(keep),
            "peak_rss_mb": round(peak_rss_mb()),
            "input_rss_mb": round(base),
            "keep": "".join("1" if k else "0" for k in keep),
        }
    )


def main() -> int:
    import _release  # benches/ is the script's folder

    _release.require_release()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--words", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    add_side_options(parser)
    args = parser.parse_args()
    if run_as_child(args, ours, peer):
        return 0

    import pyarrow as pa
    import pyarrow.parquet as pq

    texts = generate(args.rows, args.words, args.seed)
    print(f"quality filters: {args.rows} rows of ~{args.words} words (about 16% planted junk)")
    print(
        f"peer: datatrove {version('datatrove')} GopherRepetitionFilter() + "
        "GopherQualityFilter(), their defaults"
    )
    print(f"ours: instructlab {version('instructlab')} quality_filter(preset='gopher')")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rows.parquet"
        pq.write_table(pa.table({"text": texts}), path)
        results = {side: run_side(__file__, side, path, []) for side in ("ours", "peer")}
    a, b = results["ours"].pop("keep"), results["peer"].pop("keep")
    agree = sum(x == y for x, y in zip(a, b, strict=True)) / max(len(a), 1)
    print(f"keep/drop agreement with the peer: {agree:.2%}")
    return report("quality filters", results["ours"], results["peer"], 20)


if __name__ == "__main__":
    raise SystemExit(main())
