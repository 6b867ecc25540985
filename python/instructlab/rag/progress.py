"""Progress of conversion, chunking and embedding: the SDK reports stages to a
:class:`Progress`; :class:`RichProgress` draws them as bars on a console."""

from __future__ import annotations

from typing import Any, Protocol

__all__ = ["NO_PROGRESS", "Progress", "RichProgress"]


class Progress(Protocol):
    """Told when a stage starts (with its size) and each time work in it is done."""

    def start(self, stage: str, total: int) -> None:
        """A stage of ``total`` steps begins."""

    def advance(self, stage: str, steps: int = 1) -> None:
        """``steps`` more steps of ``stage`` are done."""

    def close(self) -> None:
        """No more stages."""


class _Silent:
    def start(self, stage: str, total: int) -> None:
        pass

    def advance(self, stage: str, steps: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


#: Reports nothing.
NO_PROGRESS: Progress = _Silent()


class RichProgress:
    """Bars on ``console`` (a rich Console), one per stage."""

    def __init__(self, console: Any) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as Bars

        self._bars = Bars(
            TextColumn("{task.description:<10}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self._tasks: dict[str, Any] = {}
        self._bars.start()

    def start(self, stage: str, total: int) -> None:
        self._tasks[stage] = self._bars.add_task(stage, total=total)

    def advance(self, stage: str, steps: int = 1) -> None:
        task = self._tasks.get(stage)
        if task is not None:
            self._bars.advance(task, steps)

    def close(self) -> None:
        self._bars.stop()
