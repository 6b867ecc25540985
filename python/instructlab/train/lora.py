"""The LoRA recipe: low-rank adapters (through peft) on a frozen student.

Adapters go on the modules named by ``target_modules`` (each name must match at least one
module, else the run stops before it starts, listing the model's linear layers), or on every
linear layer but the output layer when none are named. Checkpoints hold the merged model (the
base weights plus each adapter's scaled product), a plain model anyone can load and serve; the
adapter alone is saved beside it on request. Merging happens on a copy of the weights: the
weights being trained are never merged and unmerged (that is not exact in floating point, and a
resumed run must continue from exactly where it stopped).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from instructlab import extras
from instructlab.errors import UsageError
from instructlab.train.options import LoraOptions

__all__ = ["is_lora", "linear_module_names", "merged_state_dict", "save_adapter", "wrap"]

_ADAPTER = "default"


def _peft() -> Any:
    return extras.require("peft", "train", "LoRA training")


def _linear_layers(model: Any) -> Iterator[tuple[str, Any]]:
    """The model's linear layers with their last names (``q_proj``), output layer aside: what
    adapters can go on."""
    import torch

    output = model.get_output_embeddings() if hasattr(model, "get_output_embeddings") else None
    for name, module in model.named_modules():
        if module is not output and isinstance(module, torch.nn.Linear):
            yield name.rsplit(".", 1)[-1], module


def linear_module_names(model: Any) -> list[str]:
    """The distinct last names (``q_proj``) of the model's linear layers, output layer aside."""
    return list(dict.fromkeys(name for name, _ in _linear_layers(model)))


def _check_targets(model: Any, targets: tuple[str, ...]) -> None:
    module_names = [name for name, _ in model.named_modules() if name]
    missing = [t for t in targets if not any(n == t or n.endswith(f".{t}") for n in module_names)]
    if missing:
        known = ", ".join(linear_module_names(model)) or "none"
        noun = "matches" if len(missing) == 1 else "match"
        raise UsageError(
            f"lora_target_modules: {', '.join(repr(m) for m in missing)} {noun} no module of "
            f"the model; its linear layers are: {known}",
            "lora_target_modules",
        )


def _check_rank(model: Any, rank: int, targets: tuple[str, ...]) -> None:
    """A rank above the smallest side of an adapted layer adds nothing but memory (and a huge
    one would fail deep inside torch's allocator): refuse it before anything is allocated."""
    sides = [
        min(module.in_features, module.out_features)
        for name, module in _linear_layers(model)
        if not targets or name in targets
    ]
    if sides and rank > min(sides):
        raise UsageError(
            f"lora_rank: {rank} is above the smallest dimension of the adapted layers "
            f"({min(sides)}); a rank that high adds nothing: use at most {min(sides)}",
            "lora_rank",
        )


def wrap(model: Any, options: LoraOptions) -> Any:
    """The model with trainable adapters; every other weight frozen."""
    peft = _peft()
    if options.target_modules:
        _check_targets(model, options.target_modules)
    _check_rank(model, options.rank, options.target_modules)
    targets: Any = list(options.target_modules) if options.target_modules else "all-linear"
    config = peft.LoraConfig(
        r=options.rank,
        lora_alpha=options.alpha,
        lora_dropout=options.dropout,
        target_modules=targets,
        bias="none",
        task_type="CAUSAL_LM",
    )
    try:
        return peft.get_peft_model(model, config)
    except ValueError as exc:  # peft's own check, e.g. a target that is no supported layer
        raise UsageError(f"lora_target_modules: {exc}", "lora_target_modules") from None


def is_lora(model: Any) -> bool:
    """Whether ``model`` carries peft adapters."""
    return hasattr(model, "peft_config") and hasattr(model, "get_base_model")


def merged_state_dict(model: Any) -> dict[str, Any]:
    """The base model's state with every adapter merged in, under the base model's own names
    (the trained weights are left as they are)."""
    from peft.tuners.lora import LoraLayer

    base = model.get_base_model()
    deltas: dict[str, Any] = {}
    for name, module in base.named_modules():
        if isinstance(module, LoraLayer) and _ADAPTER in module.lora_A:
            layer: Any = module
            deltas[name] = layer.get_delta_weight(_ADAPTER).detach()
    merged: dict[str, Any] = {}
    for key, value in base.state_dict().items():
        owner, _, leaf = key.rpartition(".")
        parts = owner.split(".")
        if any(p.startswith("lora_") for p in parts):
            continue
        if owner.endswith(".base_layer"):
            owner = owner.removesuffix(".base_layer")
            key = f"{owner}.{leaf}"
            if leaf == "weight" and owner in deltas:
                value = value.detach() + deltas[owner].to(value.dtype)
        merged[key] = value.detach()
    return merged


def save_adapter(model: Any, folder: Path) -> None:
    """The adapter alone (``adapter_model.safetensors`` + ``adapter_config.json``)."""
    model.save_pretrained(str(folder), safe_serialization=True)
