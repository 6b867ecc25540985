"""``ilab model train`` (and its alias ``ilab train``).

Options given on the command line (or through ``ILAB_MODEL_TRAIN_*``) go to the SDK; the rest
come from the configuration there. InstructLab 0.26's other options are accepted by name and
handed over as ``instructlab_options``, where each is mapped (with a warning) or refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from instructlab.cli._common import NON_NEGATIVE, POSITIVE, detached_option
from instructlab.cli.model._sdk import sdk

#: InstructLab options that are mapped or refused (see instructlab.train.compat); the others
#: are the SDK's own arguments.
_INSTRUCTLAB = (
    "input_dir",
    "gguf_model_path",
    "tokenizer_dir",
    "iters",
    "local",
    "skip_quantize",
    "skip_preprocessing",
    "is_padding_free",
    "use_dolomite",
    "optimize_memory",
    "disable_accelerate_full_state_at_epoch",
    "skip_user_confirm",
    "distributed_backend",
    "rdzv_id",
    "rdzv_endpoint",
    "node_rank",
    "gpus",
    "nnodes",
    "deepspeed_cpu_offload_optimizer",
    "deepspeed_cpu_offload_optimizer_ratio",
    "deepspeed_cpu_offload_optimizer_pin_memory",
    "fsdp_cpu_offload_optimizer",
    "lora_quantize_dtype",
    "four_bit_quant",
    "strategy",
    "phased_base_dir",
    "phased_phase1_data",
    "phased_phase1_num_epochs",
    "phased_phase1_samples_per_save",
    "phased_phase1_learning_rate",
    "phased_phase1_effective_batch_size",
    "phased_phase2_data",
    "phased_phase2_num_epochs",
    "phased_phase2_samples_per_save",
    "phased_phase2_learning_rate",
    "phased_phase2_effective_batch_size",
    "phased_mt_bench_judge",
    "training_journal",
    "force_clear_phased_cache",
    "enable_serving_output",
)
_GIVEN = (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)
_PATH = click.Path(path_type=Path)
_ABOVE_ZERO = click.FloatRange(min=0, min_open=True)


def _ours(f: Any) -> Any:
    options = [
        click.option("--data-path", type=_PATH, help="Messages JSONL, or a folder of them."),
        click.option("--model-path", help="Student: a model folder, a .gguf, or embedded://..."),
        click.option("--model-id", help="Student: an id in the `models` list of the config."),
        click.option("--tokenizer-path", type=_PATH, help="Tokenizer instead of the model's."),
        click.option("--chat-template", help="Chat template (or a file) instead of the model's."),
        click.option("--ckpt-output-dir", type=_PATH, help="Where checkpoints and state go."),
        click.option("--data-output-dir", type=_PATH, help="Where the prepared data goes."),
        click.option("--pipeline", type=click.Choice(["simple", "full", "accelerated"])),
        click.option("--device", type=click.Choice(["cpu", "cuda", "mps"])),
        click.option("--dtype", type=click.Choice(["float32", "bfloat16"])),
        click.option("--num-epochs", type=POSITIVE),
        click.option("--max-steps", type=POSITIVE, help="Stop after N optimizer steps."),
        click.option("--effective-batch-size", type=POSITIVE, help="Samples per step."),
        click.option("--max-seq-len", type=POSITIVE, help="Longest sample (tokens)."),
        click.option("--max-batch-len", type=POSITIVE, help="Tokens per micro-batch."),
        click.option("--learning-rate", type=_ABOVE_ZERO),
        click.option("--lr-scheduler", type=click.Choice(["cosine", "linear", "constant"])),
        click.option("--warmup-steps", type=NON_NEGATIVE),
        click.option("--weight-decay", type=click.FloatRange(min=0)),
        click.option("--seed", type=NON_NEGATIVE),
        click.option("--save-samples", type=NON_NEGATIVE, help="Checkpoint every N samples."),
        click.option("--checkpoint-at-epoch/--no-checkpoint-at-epoch", default=None),
        click.option("--keep-last-checkpoints", type=NON_NEGATIVE, help="0: keep all."),
        click.option("--save-state/--no-save-state", default=None, help="What resuming needs."),
        click.option(
            "--gradient-checkpointing/--no-gradient-checkpointing",
            default=None,
            help="Recompute activations (default: on for LoRA).",
        ),
        click.option("--lora-rank", type=NON_NEGATIVE, help="0: full fine-tune."),
        click.option("--lora-alpha", type=_ABOVE_ZERO),
        click.option("--lora-dropout", type=click.FloatRange(min=0, max=1, max_open=True)),
        click.option("--lora-target-modules", multiple=True, help="Module name (repeatable)."),
        click.option("--lora-save-adapter", is_flag=True, default=None),
        click.option("--disable-flash-attn", is_flag=True, default=None),
        click.option("--trust-remote-code", is_flag=True, help="Run a model's own code."),
        click.option("--threads", type=POSITIVE, help="CPU threads for torch."),
        click.option("--resume/--no-resume", default=True, show_default=True),
    ]
    for option in reversed(options):
        f = option(f)
    for param in getattr(f, "__click_params__", []):
        param.show_default = True  # the configuration's value, through the default map
    return f


def _instructlab(f: Any) -> Any:
    hidden: dict[str, Any] = {"hidden": True}
    options = [
        click.option("--input-dir", type=_PATH, **hidden),
        click.option("--gguf-model-path", **hidden),
        click.option("--tokenizer-dir", type=_PATH, **hidden),
        click.option("--iters", type=POSITIVE, **hidden),
        click.option("--local", is_flag=True, default=None, **hidden),
        click.option("-sq", "--skip-quantize", is_flag=True, default=None, **hidden),
        click.option("--skip-preprocessing", is_flag=True, default=None, **hidden),
        click.option("--is-padding-free", type=bool, **hidden),
        click.option("--use-dolomite", type=bool, **hidden),
        click.option("--optimize-memory", is_flag=True, default=None, **hidden),
        click.option(
            "--disable-accelerate-full-state-at-epoch", is_flag=True, default=None, **hidden
        ),
        click.option("-y", "--skip-user-confirm", is_flag=True, default=None, **hidden),
        click.option("--distributed-backend", type=click.Choice(["fsdp", "deepspeed"]), **hidden),
        click.option("--rdzv-id", type=NON_NEGATIVE, **hidden),
        click.option("--rdzv-endpoint", **hidden),
        click.option("--node-rank", type=NON_NEGATIVE, **hidden),
        click.option("--gpus", type=POSITIVE, **hidden),
        click.option("--nnodes", type=POSITIVE, **hidden),
        click.option("--deepspeed-cpu-offload-optimizer", type=bool, **hidden),
        click.option(
            "--deepspeed-cpu-offload-optimizer-ratio", type=click.FloatRange(0, 1), **hidden
        ),
        click.option("--deepspeed-cpu-offload-optimizer-pin-memory", type=bool, **hidden),
        click.option("--fsdp-cpu-offload-optimizer", type=bool, **hidden),
        click.option("--lora-quantize-dtype", type=click.Choice(["nf4"]), **hidden),
        click.option("--4-bit-quant", "four_bit_quant", is_flag=True, default=None, **hidden),
        click.option(
            "--strategy",
            type=click.Choice(["lab-multiphase", "lab-skills-only"], case_sensitive=False),
            help="Multiphase training (not implemented yet: exits 3).",
        ),
        click.option("--phased-base-dir", type=_PATH, **hidden),
        click.option("--phased-phase1-data", type=_PATH, **hidden),
        click.option("--phased-phase1-num-epochs", type=POSITIVE, **hidden),
        click.option("--phased-phase1-samples-per-save", type=NON_NEGATIVE, **hidden),
        click.option("--phased-phase1-learning-rate", type=_ABOVE_ZERO, **hidden),
        click.option("--phased-phase1-effective-batch-size", type=POSITIVE, **hidden),
        click.option("--phased-phase2-data", type=_PATH, **hidden),
        click.option("--phased-phase2-num-epochs", type=POSITIVE, **hidden),
        click.option("--phased-phase2-samples-per-save", type=NON_NEGATIVE, **hidden),
        click.option("--phased-phase2-learning-rate", type=_ABOVE_ZERO, **hidden),
        click.option("--phased-phase2-effective-batch-size", type=POSITIVE, **hidden),
        click.option("--phased-mt-bench-judge", type=_PATH, **hidden),
        click.option("--training-journal", type=_PATH, **hidden),
        click.option("--force-clear-phased-cache", is_flag=True, default=None, **hidden),
        click.option("--enable-serving-output", is_flag=True, default=None, **hidden),
    ]
    for option in reversed(options):
        f = option(f)
    return f


@click.command(
    epilog=(
        "InstructLab's other train options (--iters, --input-dir, --gguf-model-path, the "
        "DeepSpeed, FSDP and --phased-* ones, ...) are accepted: each is mapped with a "
        "warning or refused by name; see docs/training.md."
    )
)
@_ours
@_instructlab
@detached_option
@click.pass_context
def train(ctx: click.Context, /, detached: bool, **values: Any) -> None:
    """Fine-tune the student model on generated data (full or LoRA; resumable)."""
    given = {
        name: value
        for name, value in values.items()
        if ctx.get_parameter_source(name) in _GIVEN and value is not None
    }
    legacy = {name: given.pop(name) for name in list(given) if name in _INSTRUCTLAB}
    if "lora_target_modules" in given:
        given["lora_target_modules"] = list(given["lora_target_modules"]) or None
    given.setdefault("resume", values["resume"])
    result: Any = sdk(ctx).train_model(
        **given, instructlab_options=legacy or None, detached=detached
    )
    if detached:
        click.echo(f"Started training in the background (process {result.id}).")
        click.echo(f"Log: {result.log_file}")
        click.echo(f"Follow it with `ilab process attach {result.id}`.")
        return
    if result.final_model is not None:
        click.echo(f"Final model: {result.final_model}")
        click.echo(f"Serve it with `ilab model serve --model-path {result.final_model}`.")
