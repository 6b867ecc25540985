"""The peer side of benches/train_cpu.py: TRL's ``SFTTrainer``, padding-free, on the exact token
sequences, masks, order, batches and schedule that our trainer uses (read from the spec file).

Run with the peer environment's Python (TRL is not one of our dependencies):
    /work/venvs/peer-trl/bin/python benches/_train_trl.py --spec SPEC.json --out OUT.json
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--spec", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    spec = json.loads(args.spec.read_text())
    import torch

    torch.set_num_threads(spec["threads"])
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    import transformers
    import trl
    from datasets import Dataset
    from torch.utils.data import SequentialSampler

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import _facts

    transformers.set_seed(spec["seed"])
    dtype = torch.bfloat16 if spec["dtype"] == "bfloat16" else torch.float32
    model = transformers.AutoModelForCausalLM.from_pretrained(
        spec["model_dir"], dtype=torch.float32, attn_implementation="sdpa"
    )
    tokenizer = transformers.AutoTokenizer.from_pretrained(spec["model_dir"])
    samples = spec["samples"]
    rows = []
    for step in spec["order"]:
        for index in step:
            sample = samples[index]
            rows.append(
                {
                    "input_ids": sample["input_ids"],
                    "completion_mask": [int(label != -100) for label in sample["labels"]],
                }
            )
    dataset = Dataset.from_list(rows)

    class InOrder(trl.SFTTrainer):  # the spec's order, not the Trainer's own shuffle
        def _get_train_sampler(self, *a, **k):  # type: ignore[no-untyped-def]
            return SequentialSampler(self.train_dataset)

    times: dict[str, float] = {}

    class Clock(transformers.TrainerCallback):
        def on_train_begin(self, *a, **k):  # type: ignore[no-untyped-def]
            times["start"] = time.perf_counter()

        def on_step_end(self, *a, **k):  # type: ignore[no-untyped-def]
            times["end"] = time.perf_counter()

    config = trl.SFTConfig(
        output_dir=str(args.out.parent / "trl-output"),
        per_device_train_batch_size=spec["effective_batch_size"],
        gradient_accumulation_steps=1,
        num_train_epochs=1,  # the spec's order holds every epoch, in sequence
        learning_rate=spec["learning_rate"],
        lr_scheduler_type=spec["lr_scheduler"],
        warmup_steps=spec["warmup_steps"],
        weight_decay=0.0,
        adam_beta1=0.9,
        adam_beta2=0.95,
        adam_epsilon=1e-8,
        max_grad_norm=1.0,
        optim="adamw_torch_fused",
        seed=spec["seed"],
        padding_free=True,
        completion_only_loss=True,
        max_length=None,
        logging_steps=1,
        save_strategy="no",
        report_to=[],
        dataloader_num_workers=0,
        bf16=dtype == torch.bfloat16,
        use_cpu=True,
        disable_tqdm=True,
    )
    trainer = InOrder(
        model=model,
        args=config,
        train_dataset=dataset,
        processing_class=tokenizer,
        callbacks=[Clock()],
    )
    trainer.train()
    seconds = times["end"] - times["start"]
    tokens = sum(len(r["input_ids"]) for r in rows)
    losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    steps_per_epoch = spec["steps_per_epoch"]
    result = {
        "side": "trl",
        "version": trl.__version__,
        "steps": trainer.state.global_step,
        "tokens": tokens,
        "seconds": seconds,
        "tokens_per_second": tokens / seconds,
        "losses": losses,
        "last_epoch_mean_loss": sum(losses[-steps_per_epoch:]) / steps_per_epoch,
        "peak_rss_above_baseline_mb": (
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - baseline
        )
        / 1024,
    }
    if spec.get("facts"):
        model.to(torch.float32)
        answers = _facts.stated(model, tokenizer)
        result["facts"] = _facts.count(answers)
        result["answers"] = answers
    args.out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
