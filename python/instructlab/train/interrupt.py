"""Ctrl-C and SIGTERM during training: finish nothing half-way, save, stop.

While training runs, SIGINT and SIGTERM only set a flag; the loop checks it between
micro-batches, drops the gradients of the step it was in, saves the state of the last finished
step and raises :class:`TrainingInterrupted` (exit code 130 in the CLI, for both signals: either
way the run stopped on request with its state saved). A second signal while that happens stops
at once (every file is written atomically, so nothing half-written is left looking finished).
"""

from __future__ import annotations

import signal
from types import FrameType
from typing import Any

__all__ = ["StopRequests", "TrainingInterrupted"]


class TrainingInterrupted(KeyboardInterrupt):
    """Training stopped on SIGINT or SIGTERM after saving its state; ``result`` says where."""

    def __init__(self, signum: int, result: Any = None) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.result = result

    @property
    def exit_code(self) -> int:
        """130: the run was stopped on request (SIGINT's code, for SIGTERM too)."""
        return 130


class StopRequests:
    """A context in which SIGINT and SIGTERM are recorded instead of raised (main thread only;
    elsewhere signals cannot arrive and nothing is installed)."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self._previous: dict[int, Any] = {}

    def _handler(self, signum: int, _frame: FrameType | None) -> None:
        if self.signum is not None:
            raise KeyboardInterrupt(signal.Signals(signum).name)
        self.signum = signum

    def __enter__(self) -> StopRequests:
        try:
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._previous[sig] = signal.signal(sig, self._handler)
        except ValueError:  # not the main thread
            self._restore()
        return self

    def _restore(self) -> None:
        for sig, old in self._previous.items():
            signal.signal(sig, old)
        self._previous.clear()

    def __exit__(self, *exc: object) -> None:
        self._restore()

    @property
    def requested(self) -> bool:
        """Whether a stop was asked for."""
        return self.signum is not None
