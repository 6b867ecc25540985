"""System profiles: sensible settings for the hardware `ilab config init` finds.

In the spirit of InstructLab's system profiles, but picked from what the machine has rather than
from a list of named accelerator cards. A user can bring their own with ``--profile FILE``: any
partial ``config.yaml``, laid over the defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from instructlab.system.hardware import Hardware


@dataclass(frozen=True)
class Profile:
    """A named set of overrides for the default configuration."""

    name: str
    description: str
    overrides: dict[str, Any]


def _metadata(hw: Hardware) -> dict[str, Any]:
    return {
        "cpu_info": hw.cpu_model,
        "gpu_count": len(hw.gpus),
        "gpu_manufacturer": hw.gpus[0].manufacturer if hw.gpus else None,
        "gpu_family": hw.gpus[0].name.split()[-1] if hw.gpus else None,
        "gpu_sku": [g.name for g in hw.gpus] or None,
    }


def pick_profile(hw: Hardware) -> Profile:
    """The profile for this hardware."""
    nvidia = [g for g in hw.gpus if g.manufacturer in ("NVIDIA", "AMD")]
    if nvidia:
        count = len(nvidia)
        memory = min((g.memory_gib or 0.0) for g in nvidia)
        # Tokens per micro-batch scale with GPU memory; 80 GiB cards fit ~60k tokens of a 7B model.
        budget = 60_000 if memory >= 70 else 30_000 if memory >= 40 else 10_000
        return Profile(
            f"gpu-x{count}",
            f"{count} x {nvidia[0].name}",
            {
                "train": {
                    "pipeline": "accelerated",
                    "device": "cuda",
                    "nproc_per_node": count,
                    "max_batch_len": budget,
                    "effective_batch_size": 128,
                    "is_padding_free": True,
                },
                "serve": {"vllm": {"gpus": count}},
                "generate": {"teacher": {"vllm": {"gpus": count}}},
                "metadata": _metadata(hw),
            },
        )
    if hw.apple_silicon:
        return Profile(
            "apple-silicon",
            hw.cpu_model,
            {
                "train": {"pipeline": "full", "device": "mps", "max_batch_len": 5_000},
                "metadata": _metadata(hw),
            },
        )
    lora = hw.memory_gib < 32
    return Profile(
        "cpu",
        f"{hw.cpu_count} CPU cores, {hw.memory_gib:g} GiB",
        {
            "train": {
                "pipeline": "simple" if lora else "full",
                "device": "cpu",
                "max_seq_len": 2048,
                "max_batch_len": 4_096,
                "effective_batch_size": 8,
                "num_epochs": 1,
                # Few steps on a CPU: a short warm-up, and rates that move a small model in them
                # (adapters take a higher one than the whole model).
                "learning_rate": 2e-4 if lora else 1e-4,
                "warmup_steps": 2,
            },
            "metadata": _metadata(hw),
        },
    )


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Deep-merges ``over`` onto ``base`` (mappings merge, everything else is replaced)."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out
