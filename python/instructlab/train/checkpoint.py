"""Checkpoints a user can load, serve and evaluate, and the full state a run resumes from.

Layout of ``ckpt_output_dir``::

    hf_format/samples_<N>/     a Hugging Face model after N samples (safetensors, config,
                               generation config, tokenizer files, chat template) and
                               instructlab_checkpoint.json; adapter/ too when asked for (LoRA)
    state/step_<S>/            the full state after optimizer step S: trained weights,
                               optimizer, schedule, random-number generators, place in the data
    state/latest.json          which state/step_<S> is the newest
    metrics.jsonl              one line per optimizer step
    loss.png                   the loss curve (written at the end, and on interruption)

Every folder is built beside its final place and renamed into it when complete
(:func:`instructlab.fileio.atomic_dir`), so a killed run never leaves a half-written checkpoint or
state that looks finished; ``latest.json`` is switched to a new state only once that state is
complete.
"""

from __future__ import annotations

import datetime
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from instructlab.errors import FileError
from instructlab.fileio import atomic_dir, atomic_write_text, read_text

__all__ = [
    "CHECKPOINT_INFO",
    "CheckpointInfo",
    "list_checkpoints",
    "load_state",
    "newest_checkpoint",
    "prune_checkpoints",
    "save_checkpoint",
    "save_state",
]

#: The file in every checkpoint that says what it is (read by evaluation).
CHECKPOINT_INFO = "instructlab_checkpoint.json"
#: Bumped when the fields of ``instructlab_checkpoint.json`` change meaning.
INFO_VERSION = 1
_STATE_VERSION = 1
_SAMPLES_DIR = re.compile(r"^samples_(\d+)$")
_STEP_DIR = re.compile(r"^step_(\d+)$")


@dataclass(frozen=True)
class CheckpointInfo:
    """A checkpoint on disk and its ``instructlab_checkpoint.json``."""

    path: Path
    samples: int
    info: dict[str, Any]


def hf_dir(ckpt_output_dir: Path) -> Path:
    """Where the Hugging Face checkpoints go."""
    return ckpt_output_dir / "hf_format"


def state_root(ckpt_output_dir: Path) -> Path:
    """Where the full states go."""
    return ckpt_output_dir / "state"


def save_checkpoint(
    model: Any,
    ckpt_output_dir: Path,
    samples: int,
    info: dict[str, Any],
    write_tokenizer: Any,
    *,
    adapter: bool = False,
) -> Path:
    """Writes ``hf_format/samples_<samples>/`` (replacing an older one of the same name)."""
    from instructlab.train import lora
    from instructlab.train.student import quiet_progress

    target = hf_dir(ckpt_output_dir) / f"samples_{samples}"
    if target.exists():
        _remove_ours(target)
    with atomic_dir(target) as partial, quiet_progress():
        partial.mkdir()
        if lora.is_lora(model):
            base = model.get_base_model()
            base.save_pretrained(
                str(partial), state_dict=lora.merged_state_dict(model), safe_serialization=True
            )
            if adapter:
                lora.save_adapter(model, partial / "adapter")
        else:
            model.save_pretrained(str(partial), safe_serialization=True)
        _clean_config(partial / "config.json")
        write_tokenizer(partial)
        full = {
            "format_version": INFO_VERSION,
            "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            **info,
        }
        atomic_write_text(partial / CHECKPOINT_INFO, json.dumps(full, indent=2, ensure_ascii=False))
    return target


def _clean_config(config_file: Path) -> None:
    """A saved config without a quantization marker (a de-quantised GGUF student's) and
    without ``use_cache: false`` (set for training; serving wants the cache)."""
    if not config_file.is_file():
        return
    config = json.loads(read_text(config_file))
    if not isinstance(config, dict):
        return
    config.pop("quantization_config", None)
    if config.get("use_cache") is False:
        config["use_cache"] = True
    atomic_write_text(config_file, json.dumps(config, indent=2, sort_keys=True) + "\n")


def _remove_ours(folder: Path) -> None:
    """Removes a checkpoint folder this trainer wrote (never anything else)."""
    if not (folder / CHECKPOINT_INFO).is_file():
        raise FileError(
            str(folder),
            "exists and is not a checkpoint of this trainer; move it away or choose another "
            "--ckpt-output-dir",
        )
    shutil.rmtree(folder)


def list_checkpoints(ckpt_output_dir: Path) -> list[CheckpointInfo]:
    """The complete checkpoints in ``ckpt_output_dir``, oldest (fewest samples) first."""
    root = hf_dir(ckpt_output_dir)
    if not root.is_dir():
        return []
    found = []
    for child in root.iterdir():
        match = _SAMPLES_DIR.match(child.name)
        info_file = child / CHECKPOINT_INFO
        if match and info_file.is_file():
            try:
                info = json.loads(read_text(info_file))
            except (ValueError, FileError):
                continue
            found.append(CheckpointInfo(child, int(match.group(1)), info))
    return sorted(found, key=lambda c: c.samples)


def newest_checkpoint(ckpt_output_dir: Path) -> CheckpointInfo | None:
    """The checkpoint written last in ``ckpt_output_dir`` (by its ``created`` time, then by
    samples), or None when there is none."""
    found = list_checkpoints(ckpt_output_dir)
    if not found:
        return None
    return max(found, key=lambda c: (str(c.info.get("created", "")), c.samples))


def prune_checkpoints(ckpt_output_dir: Path, keep: int) -> list[Path]:
    """Removes all but the newest ``keep`` checkpoints (0: keep all); returns what went."""
    if keep <= 0:
        return []
    existing = list_checkpoints(ckpt_output_dir)
    gone = [c.path for c in existing[:-keep]]
    for path in gone:
        _remove_ours(path)
    return gone


def save_state(
    ckpt_output_dir: Path,
    step: int,
    *,
    trainable: dict[str, Any],
    optimizer: Any,
    scheduler: Any,
    rng: dict[str, Any],
    trainer: dict[str, Any],
) -> Path:
    """Writes ``state/step_<step>/``, points ``latest.json`` at it, removes older states."""
    import torch
    from safetensors.torch import save_file

    root = state_root(ckpt_output_dir)
    target = root / f"step_{step}"
    if target.exists():
        shutil.rmtree(target)
    with atomic_dir(target) as partial:
        partial.mkdir()
        save_file(
            {k: v.detach().contiguous().cpu() for k, v in trainable.items()},
            str(partial / "trainable.safetensors"),
        )
        torch.save(
            {"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(), "rng": rng},
            partial / "optimizer.pt",
        )
        atomic_write_text(
            partial / "trainer.json",
            json.dumps({"format_version": _STATE_VERSION, **trainer}, indent=2),
        )
    atomic_write_text(root / "latest.json", json.dumps({"state": target.name}, indent=2))
    for child in root.iterdir():
        if child != target and child.is_dir() and _STEP_DIR.match(child.name):
            shutil.rmtree(child, ignore_errors=True)
    return target


@dataclass
class SavedState:
    """A full state read back."""

    path: Path
    trainer: dict[str, Any]

    def tensors(self, device: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        """``(trained weights, {"optimizer", "scheduler", "rng"})``."""
        import torch
        from safetensors.torch import load_file

        weights = load_file(str(self.path / "trainable.safetensors"), device=str(device))
        rest = torch.load(self.path / "optimizer.pt", map_location=device, weights_only=True)
        return weights, rest


def load_state(ckpt_output_dir: Path) -> SavedState | None:
    """The newest complete state in ``ckpt_output_dir``, if any."""
    root = state_root(ckpt_output_dir)
    pointer = root / "latest.json"
    if not pointer.is_file():
        return None
    try:
        name = json.loads(read_text(pointer)).get("state", "")
    except (ValueError, AttributeError):
        raise FileError(
            str(pointer), "is damaged; remove the state folder to start afresh"
        ) from None
    folder = root / str(name)
    trainer_file = folder / "trainer.json"
    if not _STEP_DIR.match(str(name)) or not trainer_file.is_file():
        raise FileError(str(pointer), f"names {name!r}, which is not a complete saved state")
    trainer = json.loads(read_text(trainer_file))
    if not isinstance(trainer, dict) or trainer.get("format_version") != _STATE_VERSION:
        raise FileError(str(trainer_file), "was written by another version; start afresh")
    return SavedState(folder, trainer)


def clear_run(ckpt_output_dir: Path) -> None:
    """Removes what a previous run wrote here (its checkpoints, state, metrics), to start
    afresh; files this trainer did not write are left alone."""
    for checkpoint in list_checkpoints(ckpt_output_dir):
        _remove_ours(checkpoint.path)
    shutil.rmtree(state_root(ckpt_output_dir), ignore_errors=True)
    for name in ("metrics.jsonl", "loss.png"):
        (ckpt_output_dir / name).unlink(missing_ok=True)
