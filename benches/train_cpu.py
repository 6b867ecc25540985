"""Our trainer against TRL's SFTTrainer (padding-free) on the CPU; and peak memory, full vs LoRA.

Usage:
    python benches/train_cpu.py [--model smollm2|llama30m|both] [--epochs 8] [--threads 2]
        [--dtype float32|bfloat16] [--peer /work/venvs/peer-trl] [--rss] [--repeat N]
        [--workdir DIR]

Both sides train on the same thing: the 24 records of 8 made-up facts (benches/_facts.py),
tokenised and masked once by our data engine; the same token sequences and loss masks, the same
order (our packing plan's, per epoch; TRL's sampler replaced by a sequential one over that order),
8 samples per optimizer step (one micro-batch: padding-free on both sides), AdamW (fused; betas 0.9
and 0.95, eps 1e-8, no weight decay), the same warm-up and cosine schedule, clipping at 1.0, seed,
threads (pinned with taskset) and dtype. Models: SmolLM2-135M-Instruct (the embedded GGUF,
de-quantised to fp32) and a ~30M llama made from a config (random weights, seed 0). Tokens per
second count every token of the packed batches, timed from the start of training to the end of
the last step (model loading and saving excluded on both sides). Each side runs in its own
process; with ``--repeat N`` the sides alternate N times and each side's fastest run counts (the
one least disturbed by other work on the machine). TRL lives in its own environment (``--peer``);
the bench fails when it cannot run.

``--rss``: our peak resident memory above the post-import baseline, full fine-tune vs LoRA
(rank 8), for 3 steps of 8 samples of 512 tokens (SmolLM2).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _facts  # noqa: E402

SEED = 42
EBS = 8
MAX_SEQ_LEN = 512
LEARNING_RATE = 1e-4
WARMUP = 2


def fail(message: str) -> None:
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def peer_python(venv: Path) -> Path:
    python = venv / "bin" / "python"
    if not python.is_file():
        fail(f"peer environment {venv} does not exist (python -m venv it and pip install trl)")
    check = subprocess.run(
        [str(python), "-c", "import trl, datasets; print(trl.__version__)"],
        capture_output=True,
        text=True,
        check=False,
    )
    if check.returncode != 0:
        fail(f"TRL does not import in {venv}:\n{check.stderr[-2000:]}")
    return python


def _pinned(threads: int) -> list[str]:
    return ["taskset", "-c", f"0-{threads - 1}"]


def run_child(argv: list[str], threads: int) -> None:
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "TOKENIZERS_PARALLELISM": "false"}
    proc = subprocess.run([*_pinned(threads), *argv], env=env, check=False)
    if proc.returncode != 0:
        fail(f"{argv[1]} failed (exit {proc.returncode})")


def prepare(work: Path, which: str, args: argparse.Namespace) -> dict[str, Any]:
    """The data (tokenised by our engine), the order, the model folder: the spec both sides read."""
    import torch
    import transformers

    from instructlab.train.data import PackingSettings, process_data, read_dataset
    from instructlab.train.student import find_student, write_tokenizer
    from instructlab.train.trainer import _epoch_plan

    student = find_student("embedded://smollm2-135m-instruct")
    model_dir = work / which
    if not (model_dir / "config.json").is_file():
        model_dir.mkdir(parents=True, exist_ok=True)
        if which == "smollm2":
            model = transformers.AutoModelForCausalLM.from_pretrained(str(student.model_dir))
        else:
            torch.manual_seed(0)
            config = transformers.LlamaConfig(
                vocab_size=49152, hidden_size=384, intermediate_size=1024, num_hidden_layers=6,
                num_attention_heads=6, num_key_value_heads=2, max_position_embeddings=2048,
                tie_word_embeddings=True, bos_token_id=1, eos_token_id=2,
            )  # fmt: skip
            model = transformers.LlamaForCausalLM(config)
        model.save_pretrained(str(model_dir))
        write_tokenizer(student, model_dir)
    data = _facts.write_records(work / "facts.jsonl")
    budget = EBS * MAX_SEQ_LEN
    summary = process_data(
        data, model_dir, work / "prep", MAX_SEQ_LEN,
        packing=PackingSettings(token_budget=budget, effective_batch_size=EBS, seed=SEED),
    )  # fmt: skip
    table = read_dataset(summary.output_dir).to_pylist()
    lengths = [r["length"] for r in table]
    order: list[list[int]] = []
    for epoch in range(args.epochs):
        for step in _epoch_plan(lengths, budget, EBS, SEED, epoch):
            order.append([s for micro in step for s in micro])
    params = sum(
        p.numel()
        for p in transformers.AutoModelForCausalLM.from_pretrained(str(model_dir)).parameters()
    )
    return {
        "model": which,
        "parameters": params,
        "model_dir": str(model_dir),
        "data_path": str(data),
        "samples": [{"input_ids": r["input_ids"], "labels": r["labels"]} for r in table],
        "order": order,
        "steps_per_epoch": len(order) // args.epochs,
        "epochs": args.epochs,
        "effective_batch_size": EBS,
        "max_seq_len": MAX_SEQ_LEN,
        "budget": budget,
        "learning_rate": LEARNING_RATE,
        "lr_scheduler": "cosine",
        "warmup_steps": WARMUP,
        "seed": SEED,
        "threads": args.threads,
        "dtype": args.dtype,
        "facts": which == "smollm2" and not args.skip_facts,
        "tokens": sum(len(table[i]["input_ids"]) for step in order for i in step),
    }


class _Clock:
    """A quiet reporter that times the loop: from the run's start to its last step."""

    def __init__(self) -> None:
        self.began = 0.0
        self.ended = 0.0
        self.batches: list[int] = []

    def status(self, message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    def warning(self, message: str) -> None:
        print(f"Warning: {message}", file=sys.stderr, flush=True)

    def start(self, info: Any) -> None:
        self.began = time.perf_counter()

    def step(self, row: dict[str, Any]) -> None:
        self.ended = time.perf_counter()
        self.batches.append(row["batch_size"])
        print(f"step {row['step']} loss {row['total_loss']:.4f}", file=sys.stderr, flush=True)

    def checkpoint(self, path: str) -> None:
        pass

    def finish(self, result: Any) -> None:
        pass

    def close(self) -> None:
        pass


def ours(spec_file: Path, out: Path) -> None:
    """Our side (in a child process)."""
    import resource

    import torch

    torch.set_num_threads(json.loads(spec_file.read_text())["threads"])
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    import transformers

    from instructlab.train import TrainOptions, train

    spec = json.loads(spec_file.read_text())
    work = out.parent / "ours"
    options = TrainOptions(
        model_path=spec["model_dir"],
        data_path=spec["data_path"],
        ckpt_output_dir=str(work / "ckpt"),
        data_output_dir=str(work / "prep"),
        num_epochs=spec["epochs"],
        effective_batch_size=spec["effective_batch_size"],
        max_seq_len=spec["max_seq_len"],
        max_batch_len=spec["budget"],
        learning_rate=spec["learning_rate"],
        lr_scheduler=spec["lr_scheduler"],
        warmup_steps=spec["warmup_steps"],
        seed=spec["seed"],
        threads=spec["threads"],
        dtype=spec["dtype"],
        checkpoint_at_epoch=False,
        save_state=False,
        resume=False,
    )
    clock = _Clock()
    result = train(options, clock)
    expected = [len(step) for step in spec["order"]]
    if clock.batches != expected:
        fail(f"our steps held {clock.batches} samples, the spec's order {expected}")
    rows = [json.loads(line) for line in result.metrics_file.read_text().splitlines()]
    losses = [r["total_loss"] for r in rows]
    per_epoch = spec["steps_per_epoch"]
    seconds = clock.ended - clock.began
    report: dict[str, Any] = {
        "side": "ours",
        "steps": result.steps,
        "tokens": result.tokens,
        "seconds": seconds,
        "tokens_per_second": result.tokens / seconds,
        "losses": losses,
        "last_epoch_mean_loss": sum(losses[-per_epoch:]) / per_epoch,
        "peak_rss_above_baseline_mb": (
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - baseline
        )
        / 1024,
    }
    if spec["facts"]:
        assert result.final_model is not None
        model = transformers.AutoModelForCausalLM.from_pretrained(str(result.final_model))
        tokenizer = transformers.AutoTokenizer.from_pretrained(str(result.final_model))
        answers = _facts.stated(model, tokenizer)
        report["facts"] = _facts.count(answers)
        report["answers"] = answers
    out.write_text(json.dumps(report, indent=2))


def rss(model_dir: str, lora: bool, out: Path, threads: int) -> None:
    """Peak RSS above the post-import baseline for 3 steps of 8 samples of up to 512 tokens
    (about 480 each; a child)."""
    import random
    import resource

    import torch

    torch.set_num_threads(threads)
    from instructlab.train import LoraOptions, TrainOptions, train
    from instructlab.train.view import SilentView

    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    work = out.parent / ("rss-lora" if lora else "rss-full")
    work.mkdir(parents=True, exist_ok=True)
    rng = random.Random(0)
    words = ["the", "of", "and", "to", "in", "that", "is", "was", "with", "bee", "flower", "nectar"]
    data = work / "long.jsonl"
    lines = []
    for i in range(24):
        text = " ".join(rng.choice(words) for _ in range(460))
        lines.append(
            json.dumps(
                {
                    "messages": [
                        {"role": "user", "content": f"Write {i}."},
                        {"role": "assistant", "content": text},
                    ]
                }
            )
        )
    data.write_text("\n".join(lines) + "\n")
    options = TrainOptions(
        model_path=model_dir, data_path=str(data), ckpt_output_dir=str(work / "ckpt"),
        data_output_dir=str(work / "prep"), num_epochs=1, max_steps=3, effective_batch_size=8,
        max_seq_len=MAX_SEQ_LEN, max_batch_len=EBS * MAX_SEQ_LEN, learning_rate=1e-4,
        warmup_steps=0, threads=threads, save_state=False, checkpoint_at_epoch=False, resume=False,
        lora=LoraOptions(rank=8) if lora else None,
    )  # fmt: skip
    result = train(options, SilentView())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out.write_text(
        json.dumps(
            {
                "lora": lora,
                "baseline_mb": baseline / 1024,
                "above_baseline_mb": (peak - baseline) / 1024,
                "tokens_per_step": result.tokens / max(result.steps, 1),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=["smollm2", "llama30m", "both"], default="both")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--dtype", choices=["float32", "bfloat16"], default="float32")
    parser.add_argument("--peer", type=Path, default=Path("/work/venvs/peer-trl"))
    parser.add_argument("--rss", action="store_true", help="Also measure peak RSS, full vs LoRA.")
    parser.add_argument("--repeat", type=int, default=1, help="Runs per side (the fastest counts).")
    parser.add_argument("--skip-facts", action="store_true", help="Do not ask the facts after.")
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--side", choices=["ours", "rss-full", "rss-lora"], help=argparse.SUPPRESS)
    parser.add_argument("--spec", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side == "ours":
        ours(args.spec, args.out)
        return
    if args.side in ("rss-full", "rss-lora"):
        rss(str(args.spec), args.side == "rss-lora", args.out, args.threads)
        return
    python = peer_python(args.peer)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="train-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()
    print(f"Load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; threads {args.threads}")
    rows = []
    for which in ["smollm2", "llama30m"] if args.model == "both" else [args.model]:
        spec = prepare(work, which, args)
        spec_file = work / f"{which}.spec.json"
        spec_file.write_text(json.dumps(spec))
        runs: dict[str, list[dict[str, Any]]] = {"ours": [], "trl": []}
        for attempt in range(args.repeat):  # alternating, so load drifts hit both sides
            for side in ("ours", "trl"):
                out = work / which / f"{side}-{attempt}.json"
                out.parent.mkdir(parents=True, exist_ok=True)
                script = (
                    [__file__, "--side", "ours"]
                    if side == "ours"
                    else [str(HERE / "_train_trl.py")]
                )
                python_for = sys.executable if side == "ours" else str(python)
                argv = [python_for, *script, "--spec", str(spec_file), "--out", str(out)]
                run_child(argv, args.threads)
                runs[side].append(json.loads(out.read_text()))
        # The fastest of the repeats (the least disturbed by other work on the machine).
        results = {side: max(rs, key=lambda r: r["tokens_per_second"]) for side, rs in runs.items()}
        for side, rs in runs.items():
            rates = ", ".join(f"{r['tokens_per_second']:.1f}" for r in rs)
            print(f"{which} {side}: tokens/s of each run: {rates}")
        rows.append((spec, results))
    load = os.getloadavg()
    print(f"Load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    version = rows[0][1]["trl"]["version"]
    print(f"TRL {version}; dtype {args.dtype}; {EBS} samples a step; {args.epochs} epochs")
    header = ("model", "side", "tokens/s", "last-epoch loss", "facts", "RSS+MB")
    print("{:<10} {:<5} {:>9} {:>16} {:>6} {:>7}".format(*header))
    for spec, results in rows:
        for side in ("ours", "trl"):
            r = results[side]
            facts = f"{r['facts']}/8" if "facts" in r else "-"
            rss_mb = r["peak_rss_above_baseline_mb"]
            print(
                f"{spec['model']:<10} {side:<5} {r['tokens_per_second']:>9.1f} "
                f"{r['last_epoch_mean_loss']:>16.4f} {facts:>6} {rss_mb:>7.0f}"
            )
        ratio = results["ours"]["tokens_per_second"] / results["trl"]["tokens_per_second"]
        gap = results["ours"]["last_epoch_mean_loss"] / results["trl"]["last_epoch_mean_loss"] - 1
        size = spec["parameters"] / 1e6
        print(
            f"{spec['model']}: {size:.1f}M parameters, {spec['tokens']} tokens; "
            f"ours/TRL tokens/s {ratio:.2f}x; last-epoch loss {gap:+.1%}"
        )
    if args.rss:
        model_dir = str(work / "smollm2")
        if not Path(model_dir, "config.json").is_file():
            prepare(work, "smollm2", args)
        measured = {}
        for kind in ("rss-full", "rss-lora"):
            out = work / f"{kind}.json"
            argv = [
                sys.executable, __file__, "--side", kind, "--spec", model_dir,
                "--out", str(out), "--threads", str(args.threads),
            ]  # fmt: skip
            run_child(argv, args.threads)
            measured[kind] = json.loads(out.read_text())
        full = measured["rss-full"]["above_baseline_mb"]
        lora = measured["rss-lora"]["above_baseline_mb"]
        print(
            f"peak RSS above the post-import baseline (SmolLM2, 8 x ~512-token samples a step, "
            f"{measured['rss-full']['tokens_per_step']:.0f} tokens): full {full:.0f} MB, "
            f"LoRA (rank 8) {lora:.0f} MB = {lora / full:.0%} of full"
        )


if __name__ == "__main__":
    main()
