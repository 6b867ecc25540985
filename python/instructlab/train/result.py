"""What a run is about to do (:class:`RunInfo`) and what it did (:class:`TrainResult`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["RunInfo", "TrainResult"]


@dataclass(frozen=True)
class RunInfo:
    """What a run is about to do."""

    total_steps: int
    num_epochs: int
    steps_per_epoch: list[int]
    samples: int
    tokens: int
    start_step: int
    device: str
    recipe: str
    trainable_parameters: int
    parameters: int

    def headline(self) -> str:
        """One line for people."""
        resumed = f", resuming after step {self.start_step}" if self.start_step else ""
        return (
            f"Training {self.recipe} on {self.device}: {self.samples} samples "
            f"({self.tokens} tokens), {self.num_epochs} epochs, {self.total_steps} steps, "
            f"{self.trainable_parameters:,} of {self.parameters:,} parameters trained{resumed}"
        )


@dataclass
class TrainResult:
    """What a run did (also for a run that was already complete, or interrupted)."""

    output_dir: Path
    checkpoints: list[Path]
    final_model: Path | None
    metrics_file: Path
    loss_curve: Path | None
    num_epochs: int
    epochs_done: float
    steps: int
    samples_seen: int
    #: Tokens of every packed micro-batch trained on (this process, this session).
    tokens: int
    learned_tokens: int
    #: ``tokens`` per second of optimizer steps (data loading and saving excluded).
    tokens_per_second: float
    seconds: float
    final_loss: float | None
    #: The mean of the step losses of the last epoch.
    last_epoch_mean_loss: float | None
    peak_rss_bytes: int
    device: str
    recipe: str
    completed: bool
    interrupted: bool = False
    resumed_from_step: int = 0
    already_complete: bool = False
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {
            k: (str(v) if isinstance(v, Path) else [str(p) for p in v] if k == "checkpoints" else v)
            for k, v in self.__dict__.items()
        }
