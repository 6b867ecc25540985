"""The acceptance run: SmolLM2-135M (the embedded GGUF) learns 8 made-up facts on the CPU.

Usage:
    python benches/train_facts.py [--epochs 8] [--threads 2] [--effective-batch-size 8]
        [--warmup-steps 2] [--workdir DIR]

24 records (8 facts, three phrasings each; benches/_facts.py) are trained with
``ilab model train`` (a full fine-tune, 8 epochs) where the learning rate, 1e-4, comes from the
configuration's ``train.additional_args.learning_rate``, as InstructLab writes it. The base model
and the final checkpoint are asked each fact (greedy; the first training phrasing, and a held-out
phrasing for information). It prints the facts stated before and after and the time training
took, and fails unless the trained model states at least 6 of 8 facts, the base at most 1, and
training took at most 14 minutes. The de-quantised copy of the GGUF is made before the clock
starts (it is made once per machine; its time is printed too).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _facts  # noqa: E402

LIMIT_SECONDS = 14 * 60


def _show(title: str, base: list, after: list) -> None:  # type: ignore[type-arg]
    print(title)
    for (question, before, ok_before), (_, answer, ok_after) in zip(base, after, strict=True):
        print(f"  {question}")
        print(f"    base  [{'x' if ok_before else ' '}] {before[:90]!r}")
        print(f"    after [{'x' if ok_after else ' '}] {answer[:90]!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--effective-batch-size", type=int, default=8)
    parser.add_argument("--warmup-steps", type=int, default=2)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    import torch
    import transformers

    from instructlab.train.student import find_student, write_tokenizer

    torch.set_num_threads(args.threads)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="train-facts-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    student = find_student("embedded://smollm2-135m-instruct")
    took = time.perf_counter() - started
    print(f"De-quantised copy of the GGUF: {student.model_dir} ({took:.0f} s)")
    base_dir = work / "base-tokenizer"
    base_dir.mkdir(exist_ok=True)
    write_tokenizer(student, base_dir)
    tokenizer = transformers.AutoTokenizer.from_pretrained(str(base_dir))
    base_model = transformers.AutoModelForCausalLM.from_pretrained(str(student.model_dir))
    base = _facts.stated(base_model, tokenizer)
    base_held = _facts.stated(base_model, tokenizer, held_out=True)
    del base_model

    data = _facts.write_records(work / "facts.jsonl")
    config = work / "config.yaml"
    config.write_text(
        "version: 1.0.0\ntrain:\n  pipeline: full\n  additional_args:\n    learning_rate: 1e-4\n",
        encoding="utf-8",
    )
    command = [
        sys.executable, "-c", "from instructlab.cli.main import main; main()",
        "--config", str(config), "model", "train", "--data-path", str(data),
        "--ckpt-output-dir", str(work / "ckpt"), "--data-output-dir", str(work / "prep"),
        "--num-epochs", str(args.epochs), "--effective-batch-size", str(args.effective_batch_size),
        "--warmup-steps", str(args.warmup_steps), "--max-seq-len", "512",
        "--max-batch-len", str(512 * args.effective_batch_size),
        "--threads", str(args.threads), "--no-resume",
    ]  # fmt: skip
    load = os.getloadavg()
    print(f"Load average before training: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print("$ ilab " + " ".join(command[command.index("--config") :]))
    began = time.perf_counter()
    proc = subprocess.run(
        ["taskset", "-c", f"0-{args.threads - 1}", *command],
        env={**os.environ, "OMP_NUM_THREADS": str(args.threads)},
        check=False,
    )
    seconds = time.perf_counter() - began
    load = os.getloadavg()
    print(f"Load average after training: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if proc.returncode != 0:
        print(f"FAIL: ilab model train exited {proc.returncode}", file=sys.stderr)
        sys.exit(1)
    final = sorted(
        (work / "ckpt" / "hf_format").glob("samples_*"), key=lambda p: int(p.name.split("_")[1])
    )[-1]
    model = transformers.AutoModelForCausalLM.from_pretrained(str(final))
    tokenizer = transformers.AutoTokenizer.from_pretrained(str(final))
    after = _facts.stated(model, tokenizer)
    after_held = _facts.stated(model, tokenizer, held_out=True)
    _show("Asked with the first training phrasing:", base, after)
    _show("Asked with a held-out phrasing (for information):", base_held, after_held)
    n_base, n_after = _facts.count(base), _facts.count(after)
    print(
        f"Facts stated: base {n_base}/8, after {n_after}/8 (held-out phrasing: base "
        f"{_facts.count(base_held)}/8, after {_facts.count(after_held)}/8); "
        f"`ilab model train` took {seconds:.0f} s ({args.epochs} epochs, "
        f"{args.effective_batch_size} samples a step, {args.threads} threads)"
    )
    ok = n_after >= 6 and n_base <= 1 and seconds <= LIMIT_SECONDS
    print("PASS" if ok else "FAIL: needs >= 6/8 after, <= 1/8 before, <= 14 minutes")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
