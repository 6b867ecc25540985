"""The typed options of one training run, and where each value comes from.

Precedence, highest first: an argument given to :func:`TrainOptions.from_config` (a CLI flag or an
SDK argument), then ``train.additional_args.<key>`` (InstructLab keeps ``learning_rate``,
``warmup_steps``, ``random_seed``, ``lora_alpha``, ``lora_dropout`` and ``lora_target_modules``
there), then the ``train`` section's own key, then the built-in default. The configuration
model applies the ``additional_args`` rule when it is read, so ``ilab config show`` prints the
values in effect; a file that sets both with different values gets a warning when it is read.

The options are plain data: a detached run and every rank of a distributed run read them back
from JSON (:meth:`TrainOptions.to_json`, :meth:`TrainOptions.from_json`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from instructlab.errors import UsageError

if TYPE_CHECKING:
    from instructlab.config.model import Train as TrainSection

__all__ = [
    "ADDITIONAL_ARGS",
    "LoraOptions",
    "TrainOptions",
    "options_from_config",
]

Device = Literal["cpu", "cuda", "mps"]
Dtype = Literal["float32", "bfloat16"]
Scheduler = Literal["cosine", "linear", "constant"]

#: ``train.additional_args`` keys this trainer reads, and the option each one sets. InstructLab
#: writes the first six; the rest are ours, for settings its config has no key for.
ADDITIONAL_ARGS: dict[str, str] = {
    "learning_rate": "learning_rate",
    "warmup_steps": "warmup_steps",
    "random_seed": "seed",
    "lora_alpha": "lora_alpha",
    "lora_dropout": "lora_dropout",
    "lora_target_modules": "lora_target_modules",
    "lr_scheduler": "lr_scheduler",
    "weight_decay": "weight_decay",
    "adam_beta1": "adam_beta1",
    "adam_beta2": "adam_beta2",
    "adam_epsilon": "adam_epsilon",
    "max_grad_norm": "max_grad_norm",
    "gradient_checkpointing": "gradient_checkpointing",
    "dtype": "dtype",
}
#: ``additional_args`` keys InstructLab writes that mean nothing to this trainer (accepted, with
#: a warning only when they ask for something: see :mod:`instructlab.train.compat`).
IGNORED_ADDITIONAL_ARGS = frozenset(
    {
        "use_dolomite",
        "use_liger",
        "mock_data",
        "mock_len",
        "deepspeed_cpu_offload_optimizer_ratio",
        "deepspeed_cpu_offload_optimizer_pin_memory",
        "nnodes",
        "node_rank",
        "rdzv_id",
        "rdzv_endpoint",
    }
)

#: The pipelines of InstructLab, and the recipe each one means here.
PIPELINES = ("simple", "full", "accelerated")
#: The LoRA rank of ``pipeline: simple`` when ``lora_rank`` is 0.
SIMPLE_LORA_RANK = 8


@dataclass(frozen=True)
class LoraOptions:
    """Low-rank adapters instead of a full fine-tune (through peft)."""

    rank: int = SIMPLE_LORA_RANK
    alpha: float = 32.0
    dropout: float = 0.1
    #: Module names (``q_proj``) the adapters go on; empty: every linear layer but the output.
    target_modules: tuple[str, ...] = ()
    #: Also save the adapter alone (``adapter/`` in each checkpoint) besides the merged model.
    save_adapter: bool = False


@dataclass(frozen=True)
class TrainOptions:
    """Everything one training run needs; every field has a default that runs on a CPU."""

    model_path: str = "embedded://smollm2-135m-instruct"
    data_path: str = ""
    ckpt_output_dir: str = ""
    data_output_dir: str = ""
    #: Tokenizer (folder, ``tokenizer.json`` or ``.gguf``) instead of the model's own.
    tokenizer_path: str | None = None
    #: A chat template (or a file holding one) instead of the model's own.
    chat_template: str | None = None
    device: Device = "cpu"
    #: ``float32`` (default on the CPU) or ``bfloat16``; on CUDA the default is bf16 compute with
    #: fp32 master weights.
    dtype: Dtype | None = None
    num_epochs: int = 10
    #: Stop after this many optimizer steps (``None``: run every epoch).
    max_steps: int | None = None
    effective_batch_size: int = 64
    max_seq_len: int = 4096
    max_batch_len: int = 5000
    learning_rate: float = 2e-5
    lr_scheduler: Scheduler = "cosine"
    warmup_steps: int = 25
    adam_beta1: float = 0.9
    adam_beta2: float = 0.95
    adam_epsilon: float = 1e-8
    weight_decay: float = 0.0
    max_grad_norm: float = 1.0
    seed: int = 42
    #: Checkpoint every N samples (rounded up to the next step boundary); 0: only at epochs.
    save_samples: int = 0
    checkpoint_at_epoch: bool = True
    #: Keep only the newest K checkpoints (0: keep all).
    keep_last_checkpoints: int = 0
    #: Save the full training state beside the checkpoints (what resuming needs).
    save_state: bool = True
    #: Recompute activations in the backward pass; ``None``: on for LoRA (whose activations
    #: would otherwise cost as much memory as a full fine-tune's), off for a full fine-tune.
    gradient_checkpointing: bool | None = None
    lora: LoraOptions | None = None
    trust_remote_code: bool = False
    disable_flash_attn: bool = False
    #: CPU threads for torch (``None``: torch's default, one per core).
    threads: int | None = None
    #: Continue the run saved in ``ckpt_output_dir`` if there is one (else start afresh).
    resume: bool = True
    #: Where the run came from (``pipeline`` and the InstructLab options that were mapped).
    notes: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems = list(_problems(self))
        if problems:
            name, _message = problems[0]
            raise UsageError("; ".join(f"{n}: {m}" for n, m in problems), name)

    def replace(self, **changes: Any) -> TrainOptions:
        """A copy with some fields changed (checked again)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready)."""
        data = dataclasses.asdict(self)
        if self.lora is not None:
            data["lora"]["target_modules"] = list(self.lora.target_modules)
        return data

    def to_json(self) -> str:
        """The options as JSON text."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainOptions:
        """Options from :meth:`to_dict`'s output (unknown keys are an error)."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise UsageError(f"options: unknown keys {', '.join(unknown)}")
        values = dict(data)
        lora = values.get("lora")
        if isinstance(lora, dict):
            lora = dict(lora)
            lora["target_modules"] = tuple(lora.get("target_modules") or ())
            values["lora"] = LoraOptions(**lora)
        return cls(**values)

    @classmethod
    def from_json(cls, text: str) -> TrainOptions:
        """Options from :meth:`to_json`'s output."""
        return cls.from_dict(json.loads(text))

    def trajectory(self) -> dict[str, Any]:
        """The settings that decide the weights a run ends with (resuming needs them equal)."""
        data = self.to_dict()
        for name in (
            "ckpt_output_dir",
            "data_output_dir",
            "save_samples",
            "checkpoint_at_epoch",
            "keep_last_checkpoints",
            "save_state",
            "threads",
            "resume",
            "notes",
            "max_steps",
            "gradient_checkpointing",
            "disable_flash_attn",
        ):
            data.pop(name, None)
        if data.get("lora"):
            data["lora"].pop("save_adapter", None)
        return data

    def trajectory_key(self) -> str:
        """A hash of :meth:`trajectory`."""
        text = json.dumps(self.trajectory(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()


def _problems(o: TrainOptions) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []

    def need(ok: bool, name: str, message: str) -> None:
        if not ok:
            out.append((name, message))

    for name in ("num_epochs", "effective_batch_size", "max_seq_len", "max_batch_len"):
        value = getattr(o, name)
        need(isinstance(value, int) and value >= 1, name, f"must be at least 1, got {value!r}")
    for name in ("warmup_steps", "save_samples", "keep_last_checkpoints", "seed"):
        value = getattr(o, name)
        need(isinstance(value, int) and value >= 0, name, f"must be 0 or more, got {value!r}")
    if o.max_steps is not None:
        need(o.max_steps >= 1, "max_steps", f"must be at least 1, got {o.max_steps!r}")
    if o.threads is not None:
        need(o.threads >= 1, "threads", f"must be at least 1, got {o.threads!r}")
    need(
        _finite(o.learning_rate) and o.learning_rate > 0,
        "learning_rate",
        f"must be a number above 0, got {o.learning_rate!r}",
    )
    for name in ("adam_beta1", "adam_beta2"):
        value = getattr(o, name)
        need(_finite(value) and 0 <= value < 1, name, f"must be in [0, 1), got {value!r}")
    need(
        _finite(o.adam_epsilon) and o.adam_epsilon > 0,
        "adam_epsilon",
        f"must be above 0, got {o.adam_epsilon!r}",
    )
    need(
        _finite(o.weight_decay) and o.weight_decay >= 0,
        "weight_decay",
        f"must be 0 or more, got {o.weight_decay!r}",
    )
    need(
        _finite(o.max_grad_norm) and o.max_grad_norm > 0,
        "max_grad_norm",
        f"must be above 0, got {o.max_grad_norm!r}",
    )
    need(
        o.device in ("cpu", "cuda", "mps"), "device", f"must be cpu, cuda or mps, got {o.device!r}"
    )
    need(
        o.dtype in (None, "float32", "bfloat16"),
        "dtype",
        f"must be float32 or bfloat16, got {o.dtype!r}",
    )
    need(
        o.lr_scheduler in ("cosine", "linear", "constant"),
        "lr_scheduler",
        f"must be cosine, linear or constant, got {o.lr_scheduler!r}",
    )
    if o.lora is not None:
        lora = o.lora
        need(lora.rank >= 1, "lora_rank", f"must be at least 1, got {lora.rank!r}")
        need(
            _finite(lora.alpha) and lora.alpha > 0,
            "lora_alpha",
            f"must be above 0, got {lora.alpha!r}",
        )
        need(
            _finite(lora.dropout) and 0 <= lora.dropout < 1,
            "lora_dropout",
            f"must be in [0, 1), got {lora.dropout!r}",
        )
        need(
            all(isinstance(t, str) and t.strip() for t in lora.target_modules),
            "lora_target_modules",
            "every target must be a module name such as q_proj",
        )
    return out


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _number(key: str, value: Any, kind: type) -> Any:
    """``additional_args`` values may be strings (YAML reads ``2e-5`` as one)."""
    if isinstance(value, bool):
        raise UsageError(f"train.additional_args.{key}: expected a number, got {value!r}", key)
    try:
        number = kind(value) if not isinstance(value, str) else kind(float(value))
    except (TypeError, ValueError):
        raise UsageError(
            f"train.additional_args.{key}: expected a number, got {value!r}", key
        ) from None
    return number


def _from_additional(additional: dict[str, Any]) -> dict[str, Any]:
    """The options ``train.additional_args`` sets (already coerced)."""
    out: dict[str, Any] = {}
    for key, value in additional.items():
        option = ADDITIONAL_ARGS.get(key)
        if option is None or value is None:
            continue
        if key in ("warmup_steps", "random_seed"):
            out[option] = _number(key, value, int)
        elif key in ("lr_scheduler", "dtype"):
            out[option] = str(value)
        elif key == "gradient_checkpointing":
            out[option] = bool(value)
        elif key == "lora_target_modules":
            items = [value] if isinstance(value, str) else list(value)
            out[option] = tuple(str(v) for v in items)
        else:
            out[option] = _number(key, value, float)
    return out


def options_from_config(
    train: TrainSection,
    **given: Any,
) -> TrainOptions:
    """The options of a run: ``given`` (values that are ``None`` count as not given) over
    ``train.additional_args`` over the ``train`` section (see the module's doc).

    ``given`` takes every :class:`TrainOptions` field, plus ``pipeline`` (``simple``: LoRA,
    ``full``/``accelerated``: a full fine-tune unless ``lora_rank`` > 0) and the LoRA settings
    ``lora_rank``, ``lora_alpha``, ``lora_dropout``, ``lora_target_modules`` and
    ``lora_save_adapter``.
    """
    chosen = {k: v for k, v in given.items() if v is not None}
    section: dict[str, Any] = {
        "model_path": train.model_path,
        "data_path": train.data_path,
        "ckpt_output_dir": train.ckpt_output_dir,
        "data_output_dir": train.data_output_dir,
        "device": train.device,
        "num_epochs": train.num_epochs,
        "effective_batch_size": train.effective_batch_size,
        "max_seq_len": train.max_seq_len,
        "max_batch_len": train.max_batch_len,
        "learning_rate": train.learning_rate,
        "warmup_steps": train.warmup_steps,
        "save_samples": train.save_samples,
        "checkpoint_at_epoch": train.checkpoint_at_epoch,
        "disable_flash_attn": train.disable_flash_attn,
        "lora_rank": train.lora_rank,
        "lora_alpha": train.lora_alpha,
        "lora_dropout": train.lora_dropout,
        "pipeline": train.pipeline,
    }
    merged = {**section, **_from_additional(train.additional_args), **chosen}
    pipeline = merged.pop("pipeline")
    if pipeline not in PIPELINES:
        raise UsageError(
            f"pipeline: must be one of {', '.join(PIPELINES)}, got {pipeline!r}", "pipeline"
        )
    rank = int(merged.pop("lora_rank") or 0)
    alpha = merged.pop("lora_alpha")
    dropout = merged.pop("lora_dropout")
    targets = merged.pop("lora_target_modules", ())
    save_adapter = bool(merged.pop("lora_save_adapter", False))
    if rank < 0:
        raise UsageError(f"lora_rank: must be 0 or more, got {rank}", "lora_rank")
    if pipeline == "simple" and rank == 0:
        rank = SIMPLE_LORA_RANK
    if rank > 0 and merged.get("lora") is None:
        merged["lora"] = LoraOptions(
            rank=rank,
            alpha=float(alpha),
            dropout=float(dropout),
            target_modules=tuple(targets or ()),
            save_adapter=save_adapter,
        )
    notes = dict(merged.pop("notes", {}) or {})
    notes.setdefault("pipeline", pipeline)
    known = {f.name for f in dataclasses.fields(TrainOptions)}
    unknown = sorted(set(merged) - known)
    if unknown:
        raise UsageError(f"{unknown[0]}: not a training option", unknown[0])
    for name in ("data_path", "ckpt_output_dir", "data_output_dir", "model_path"):
        if isinstance(merged.get(name), Path):
            merged[name] = str(merged[name])
    return TrainOptions(**merged, notes=notes)
