"""What a run shows while it trains: a live view on a terminal, a line per step in a log (a
detached run, a pipe), nothing at all on request; and the summary table at the end.

The trainer talks to a :class:`Reporter`; the views here are the three kinds there are.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from instructlab.train.result import RunInfo, TrainResult

__all__ = ["LineView", "LiveView", "Reporter", "SilentView", "default_view", "summary_table"]

log = logging.getLogger("instructlab.train")


class Reporter(Protocol):
    """Receives what happens during a run."""

    def status(self, message: str) -> None:
        """A stage begins (preparing data, loading the model...)."""

    def warning(self, message: str) -> None:
        """Something the user should know (a mapped option, a setting that has no effect)."""

    def start(self, info: RunInfo) -> None:
        """Training begins (or resumes)."""

    def step(self, row: dict[str, Any]) -> None:
        """An optimizer step ended (its ``metrics.jsonl`` line)."""

    def checkpoint(self, path: str) -> None:
        """A checkpoint was written."""

    def finish(self, result: TrainResult) -> None:
        """The run ended (completed, stopped at ``max_steps``, or interrupted and saved)."""

    def close(self) -> None:
        """The run failed: leave the terminal tidy (the error is reported elsewhere)."""


def _gib(value: float) -> str:
    return f"{value / 2**30:.2f} GiB"


def _duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _memory(row: dict[str, Any]) -> str:
    if row.get("cuda_mem_allocated"):
        return f"GPU {_gib(row['cuda_mem_allocated'])}"
    return f"RSS {_gib(row.get('rss_bytes', 0))}"


def _eta(info: RunInfo | None, row: dict[str, Any], started: float, first_step: int) -> str:
    if info is None:
        return "?"
    done = row["step"] - first_step
    left = info.total_steps - row["step"]
    if done <= 0:
        return "?"
    return _duration((time.monotonic() - started) / done * left)


def step_line(info: RunInfo | None, row: dict[str, Any], eta: str) -> str:
    """One step in words."""
    total = f"/{info.total_steps}" if info else ""
    epochs = f"/{info.num_epochs}" if info else ""
    return (
        f"epoch {row['epoch'] + 1}{epochs}  step {row['step']}{total}  "
        f"loss {row['total_loss']:.4f}  lr {row['lr']:.3g}  "
        f"{row['tokens_per_second']:.0f} tokens/s  {_memory(row)}  ETA {eta}"
    )


def summary_table(result: TrainResult) -> Any:
    """The end-of-run table (a ``rich`` table)."""
    from rich.table import Table

    table = Table(title="Training", show_header=False, title_justify="left")
    table.add_column("", style="bold")
    table.add_column("")
    state = "complete" if result.completed else "stopped"
    if result.interrupted:
        state = "interrupted (state saved; the same command resumes)"
    table.add_row("run", state)
    table.add_row("device", result.device)
    table.add_row("recipe", result.recipe)
    table.add_row("epochs", f"{result.epochs_done:g} of {result.num_epochs}")
    table.add_row("steps", str(result.steps))
    table.add_row("samples seen", str(result.samples_seen))
    table.add_row("tokens", f"{result.tokens} ({result.learned_tokens} learned)")
    table.add_row("tokens/s", f"{result.tokens_per_second:.1f}")
    table.add_row(
        "final loss", f"{result.final_loss:.4f}" if result.final_loss is not None else "-"
    )
    if result.last_epoch_mean_loss is not None:
        table.add_row("last epoch mean loss", f"{result.last_epoch_mean_loss:.4f}")
    table.add_row("time", _duration(result.seconds))
    table.add_row("peak memory", _gib(result.peak_rss_bytes) + " RSS")
    table.add_row("checkpoints", str(len(result.checkpoints)))
    if result.final_model is not None:
        table.add_row("final model", str(result.final_model))
    table.add_row("metrics", str(result.metrics_file))
    if result.loss_curve is not None:
        table.add_row("loss curve", str(result.loss_curve))
    return table


class SilentView:
    """Shows nothing; warnings go to the ``instructlab.train`` logger."""

    def status(self, message: str) -> None:
        log.info("%s", message)

    def warning(self, message: str) -> None:
        log.warning("%s", message)

    def start(self, info: RunInfo) -> None:
        pass

    def step(self, row: dict[str, Any]) -> None:
        pass

    def checkpoint(self, path: str) -> None:
        log.info("checkpoint %s", path)

    def finish(self, result: TrainResult) -> None:
        pass

    def close(self) -> None:
        pass


class LineView:
    """A line per event on stdout (warnings on stderr): for logs, pipes and detached runs."""

    def __init__(self) -> None:
        from rich.console import Console

        self.out = Console(soft_wrap=True, highlight=False)
        self.err = Console(stderr=True, soft_wrap=True, highlight=False)
        self.info: RunInfo | None = None
        self.started = time.monotonic()
        self.first_step = 0

    def status(self, message: str) -> None:
        self.out.print(message)

    def warning(self, message: str) -> None:
        self.err.print(f"[yellow]Warning: {message}[/yellow]")

    def start(self, info: RunInfo) -> None:
        self.info = info
        self.started = time.monotonic()
        self.first_step = info.start_step
        self.out.print(info.headline())

    def step(self, row: dict[str, Any]) -> None:
        eta = _eta(self.info, row, self.started, self.first_step)
        self.out.print(step_line(self.info, row, eta))

    def checkpoint(self, path: str) -> None:
        self.out.print(f"Saved checkpoint {path}")

    def finish(self, result: TrainResult) -> None:
        self.out.print(summary_table(result))

    def close(self) -> None:
        pass


class LiveView(LineView):
    """A live progress bar with the latest step's figures (on a terminal)."""

    def __init__(self) -> None:
        super().__init__()
        self.progress: Any = None
        self.task: Any = None
        self.latest = "starting"

    def start(self, info: RunInfo) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.info = info
        self.started = time.monotonic()
        self.first_step = info.start_step
        self.out.print(info.headline())
        self.progress = Progress(
            TextColumn("[bold]training"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[latest]}"),
            console=self.out,
            transient=False,
        )
        self.task = self.progress.add_task(
            "train", total=info.total_steps, completed=info.start_step, latest=""
        )
        self.progress.start()

    def step(self, row: dict[str, Any]) -> None:
        if self.progress is None:
            super().step(row)
            return
        eta = _eta(self.info, row, self.started, self.first_step)
        latest = (
            f"epoch {row['epoch'] + 1}/{self.info.num_epochs if self.info else '?'}  "
            f"loss {row['total_loss']:.4f}  lr {row['lr']:.3g}  "
            f"{row['tokens_per_second']:.0f} tok/s  {_memory(row)}  ETA {eta}"
        )
        self.progress.update(self.task, completed=row["step"], latest=latest)

    def checkpoint(self, path: str) -> None:
        if self.progress is not None:
            self.progress.console.print(f"Saved checkpoint {path}")
        else:
            super().checkpoint(path)

    def warning(self, message: str) -> None:
        if self.progress is not None:
            self.progress.console.print(f"[yellow]Warning: {message}[/yellow]")
        else:
            super().warning(message)

    def finish(self, result: TrainResult) -> None:
        self.close()
        super().finish(result)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None


def default_view() -> Reporter:
    """The live view on a terminal, lines otherwise."""
    return LiveView() if sys.stdout.isatty() else LineView()
