"""Shared by the cleaning benchmarks: a corpus generator and a runner that measures one side
(ours or the peer) in its own process, so peak memory is per side.

Each benchmark script runs as the parent (generates the input once, writes it to Parquet,
starts both sides, prints the comparison) and as a child (``--side ours|peer``: loads the
input, runs one side, prints one JSON line).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

COMMON = ["the", "of", "and", "to", "a", "in", "that", "is", "was", "with", "for", "on", "be"]


def vocabulary(size: int = 20_000, seed: int = 7) -> list[str]:
    """Pseudo-words of 3 to 9 letters."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    return ["".join(rng.choices(letters, k=rng.randint(3, 9))) for _ in range(size)]


def documents(count: int, words: int, spread: int, seed: int) -> list[list[str]]:
    """``count`` prose-like documents (about 30% common English words) of ``words`` +-
    ``spread`` words, generated with numpy (a million take seconds, not minutes)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    pool = np.array(vocabulary() + COMMON, dtype=object)
    lengths = rng.integers(words - spread, words + spread + 1, size=count)
    total = int(lengths.sum())
    picks = rng.integers(0, len(pool) - len(COMMON), size=total)
    common = rng.random(total) < 0.3
    picks[common] = len(pool) - len(COMMON) + rng.integers(0, len(COMMON), size=int(common.sum()))
    flat = pool[picks].tolist()
    out, start = [], 0
    for n in lengths.tolist():
        out.append(flat[start : start + n])
        start += n
    return out


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def emit(result: dict[str, Any]) -> None:
    """A child's answer: one JSON line on stdout."""
    print(json.dumps(result), flush=True)


def add_side_options(parser: argparse.ArgumentParser) -> None:
    """The options a child is started with: which side it runs and the input it reads."""
    parser.add_argument("--side", choices=["ours", "peer"])
    parser.add_argument("--input", type=Path)


Side = Callable[[argparse.Namespace], None]


def run_as_child(args: argparse.Namespace, ours: Side, peer: Side) -> bool:
    """Runs the side named by ``--side`` and says so; False when this is the parent."""
    if args.side is None:
        return False
    (ours if args.side == "ours" else peer)(args)
    return True


def run_side(script: str, side: str, input_path: Path, extra: list[str]) -> dict[str, Any]:
    """Runs ``script --side SIDE`` in a fresh interpreter; fails loudly if it fails."""
    cmd = [sys.executable, script, "--side", side, "--input", str(input_path), *extra]
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"the {side} side failed (exit {proc.returncode}); see above")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    result["process_seconds"] = time.perf_counter() - started
    return result


def report(title: str, ours: dict[str, Any], peer: dict[str, Any], target: float) -> int:
    """Prints both sides and the ratio; returns the exit status (0, or 1 under target)."""
    ratio = peer["seconds"] / ours["seconds"]
    print(f"\n== {title}")
    for name, side in (("ours", ours), ("peer", peer)):
        extra = ", ".join(f"{k}={v}" for k, v in side.items() if k not in ("seconds",))
        print(f"{name:5} {side['seconds']:9.2f} s   {extra}")
    print(f"speed-up: {ratio:.1f}x (target >= {target:g}x)")
    return 0
