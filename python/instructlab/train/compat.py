"""InstructLab 0.26's ``ilab model train`` options that this trainer does not take as they are:
each is mapped onto one that does (with a warning naming the mapping) or refused by name — never
silently ignored. Options it takes as they are (``--data-path``, ``--num-epochs``, ...) are
plain options of the command and are not listed here.

``FLAGS`` is the table ``docs/training.md`` prints (a test keeps the two in step).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from instructlab.errors import NotImplementedYet, UsageError

__all__ = ["FLAGS", "Flag", "map_instructlab_options"]

_MULTIPHASE = "multiphase training (knowledge, then skills), the end-to-end issue"
_MULTI_GPU = "training over several GPUs or machines (FSDP2), issue 16"
_QLORA = "LoRA over a 4-bit base (QLoRA), issue 16"


@dataclass(frozen=True)
class Flag:
    """One InstructLab option: what happens to it here."""

    option: str
    status: Literal["mapped", "refused", "not yet"]
    #: What it becomes, or why it is refused.
    note: str


FLAGS: dict[str, Flag] = {
    f.option: f
    for f in (
        Flag("--input-dir", "mapped", "becomes --data-path (a folder of .jsonl files works)"),
        Flag(
            "--gguf-model-path", "mapped", "becomes --model-path (a GGUF student is de-quantised)"
        ),
        Flag("--tokenizer-dir", "mapped", "becomes --tokenizer-path"),
        Flag("--iters", "mapped", "becomes --max-steps (stop after N optimizer steps)"),
        Flag(
            "--local", "mapped", "no effect: models are always local here (nothing is downloaded)"
        ),
        Flag(
            "--skip-preprocessing",
            "mapped",
            "no effect: prepared data is reused whenever its input and settings are unchanged",
        ),
        Flag("--skip-quantize", "mapped", "no effect: there is no MLX conversion to quantise"),
        Flag("--is-padding-free", "mapped", "no effect: training is always padding-free"),
        Flag("--use-dolomite", "mapped", "no effect: models train in their transformers form"),
        Flag(
            "--optimize-memory",
            "mapped",
            "becomes --dtype bfloat16 (bf16 compute over fp32 weights)",
        ),
        Flag(
            "--disable-accelerate-full-state-at-epoch",
            "mapped",
            "becomes --no-save-state (no resume possible)",
        ),
        Flag("--skip-user-confirm", "mapped", "no effect: training asks for no confirmation"),
        Flag(
            "--distributed-backend",
            "mapped",
            "fsdp: no effect on one device; deepspeed is refused (DeepSpeed is not used)",
        ),
        Flag("--rdzv-id", "mapped", "no effect on one machine (multi-node training is issue 16)"),
        Flag(
            "--rdzv-endpoint",
            "mapped",
            "no effect on one machine (multi-node training is issue 16)",
        ),
        Flag("--node-rank", "mapped", "0: no effect; above 0 is multi-node training (issue 16)"),
        Flag("--gpus", "mapped", "1: no effect; more is multi-GPU training (issue 16)"),
        Flag("--nnodes", "mapped", "1: no effect; more is multi-node training (issue 16)"),
        Flag(
            "--deepspeed-cpu-offload-optimizer",
            "refused",
            "true is refused: DeepSpeed is not used (false: no effect)",
        ),
        Flag(
            "--deepspeed-cpu-offload-optimizer-ratio",
            "refused",
            "refused: DeepSpeed is not used",
        ),
        Flag(
            "--deepspeed-cpu-offload-optimizer-pin-memory",
            "refused",
            "true is refused: DeepSpeed is not used (false: no effect)",
        ),
        Flag(
            "--fsdp-cpu-offload-optimizer",
            "not yet",
            "true exits 3: optimizer offload comes with FSDP2 (issue 16); false: no effect",
        ),
        Flag("--lora-quantize-dtype", "not yet", "nf4 exits 3: QLoRA is issue 16"),
        Flag("--4-bit-quant", "not yet", "exits 3: QLoRA is issue 16"),
        Flag(
            "--strategy", "not yet", "lab-multiphase and lab-skills-only exit 3 (end-to-end issue)"
        ),
        Flag("--phased-base-dir", "not yet", "exits 3: multiphase training"),
        Flag("--phased-phase1-data", "not yet", "exits 3: multiphase training"),
        Flag("--phased-phase1-num-epochs", "not yet", "exits 3: multiphase training"),
        Flag("--phased-phase1-samples-per-save", "not yet", "exits 3: multiphase training"),
        Flag("--phased-phase1-learning-rate", "not yet", "exits 3: multiphase training"),
        Flag("--phased-phase1-effective-batch-size", "not yet", "exits 3: multiphase training"),
        Flag("--phased-phase2-data", "not yet", "exits 3: multiphase training"),
        Flag("--phased-phase2-num-epochs", "not yet", "exits 3: multiphase training"),
        Flag("--phased-phase2-samples-per-save", "not yet", "exits 3: multiphase training"),
        Flag("--phased-phase2-learning-rate", "not yet", "exits 3: multiphase training"),
        Flag("--phased-phase2-effective-batch-size", "not yet", "exits 3: multiphase training"),
        Flag("--phased-mt-bench-judge", "not yet", "exits 3: multiphase training"),
        Flag("--training-journal", "not yet", "exits 3: multiphase training"),
        Flag("--force-clear-phased-cache", "not yet", "exits 3: multiphase training"),
        Flag("--enable-serving-output", "not yet", "exits 3: multiphase training"),
    )
}


def _option_name(name: str) -> str:
    return "--" + name.replace("_", "-") if not name.startswith("four_bit") else "--4-bit-quant"


def map_instructlab_options(given: dict[str, Any], warn: Callable[[str], None]) -> dict[str, Any]:
    """The trainer options that InstructLab options ``given`` (Python names: ``input_dir``)
    become; ``warn`` hears each mapping. Refused ones raise :class:`UsageError` (exit 2) or
    :class:`NotImplementedYet` (exit 3), naming the option."""
    out: dict[str, Any] = {}
    for name, value in given.items():
        option = _option_name(name)
        if option not in FLAGS:
            raise UsageError(f"{name}: not an InstructLab training option", name)
        if value is None or value == () or value == []:
            continue
        out.update(_map_one(name, option, value, warn))
    return out


def _map_one(name: str, option: str, value: Any, warn: Callable[[str], None]) -> dict[str, Any]:
    flag = FLAGS[option]
    if value is False:
        warn(f"{option} false has no effect here")
        return {}
    if option == "--input-dir":
        warn(f"{option} is read as --data-path {value}")
        return {"data_path": str(value)}
    if option == "--gguf-model-path":
        warn(f"{option} is read as --model-path {value}")
        return {"model_path": str(value)}
    if option == "--tokenizer-dir":
        warn(f"{option} is read as --tokenizer-path {value}")
        return {"tokenizer_path": str(value)}
    if option == "--iters":
        if int(value) < 1:
            raise UsageError(f"{name}: must be at least 1, got {value}", name)
        warn(f"{option} {value} is read as --max-steps {value}")
        return {"max_steps": int(value)}
    if option == "--optimize-memory":
        warn(f"{option} is read as --dtype bfloat16")
        return {"dtype": "bfloat16"}
    if option == "--disable-accelerate-full-state-at-epoch":
        warn(f"{option} is read as --no-save-state: this run cannot be resumed")
        return {"save_state": False}
    if option == "--distributed-backend":
        if str(value) == "deepspeed":
            raise UsageError(
                f"{name}: deepspeed is not used by this trainer; fsdp (the default) is", name
            )
        warn(f"{option} {value} has no effect when training on one device")
        return {}
    if option in ("--gpus", "--nnodes"):
        if int(value) > 1:
            raise NotImplementedYet(_MULTI_GPU, f"{option} {value}")
        if int(value) < 1:
            raise UsageError(f"{name}: must be at least 1, got {value}", name)
        warn(f"{option} {value} has no effect (one device)")
        return {}
    if option == "--node-rank":
        if int(value) > 0:
            raise NotImplementedYet(_MULTI_GPU, f"{option} {value}")
        if int(value) < 0:
            raise UsageError(f"{name}: must be 0 or more, got {value}", name)
        warn(f"{option} {value} has no effect (one machine)")
        return {}
    if option in ("--lora-quantize-dtype", "--4-bit-quant"):
        raise NotImplementedYet(_QLORA, option)
    if option == "--fsdp-cpu-offload-optimizer":
        raise NotImplementedYet(_MULTI_GPU, option)
    if option == "--strategy":
        raise NotImplementedYet(_MULTIPHASE, f"{option} {value}")
    if flag.status == "not yet":
        raise NotImplementedYet(_MULTIPHASE, option)
    if flag.status == "refused":
        raise UsageError(f"{name}: {flag.note}", name)
    warn(f"{option} has no effect here: {flag.note.removeprefix('no effect: ')}")
    return {}
