"""The live view of ``ilab data generate``: rows per leaf and block, requests in flight,
tokens/s, ETA, drawn from the run's events.

It holds the last copy each event carried (a shard's counters, the teacher's) and never
reads the run's own state, so it works the same for shards run anywhere.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from instructlab.core import BlockReport, GenerateEvent, ShardStarted, TeacherReport

__all__ = ["LiveProgress"]


class LiveProgress:
    """A listener for ``Data.generate_data(on_event=...)``: on a terminal, a table refreshed
    twice a second (:meth:`shown`); elsewhere (the log of a detached run, a pipe), a progress
    line every ``log_every`` seconds."""

    def __init__(self, console: Console, log_every: float = 15.0) -> None:
        self.console = console
        #: Seconds between progress lines where the console is not a terminal (a log file).
        self.log_every = log_every
        self.shards: dict[str, ShardStarted] = {}
        self.blocks: dict[str, tuple[BlockReport, ...]] = {}
        self.finished: set[str] = set()
        self.teacher: TeacherReport | None = None
        self.started = time.monotonic()
        self._last_line = self.started
        self._last_tokens = 0
        self._last_time = self.started
        self._rate = 0.0

    def __call__(self, event: GenerateEvent) -> None:
        """Takes one event (called in the run's thread)."""
        from instructlab.core import ShardFinished, ShardProgress, ShardStarted, TeacherProgress

        if isinstance(event, ShardStarted):
            self.shards[event.key] = event
        elif isinstance(event, ShardProgress):
            self.blocks[event.key] = event.blocks
        elif isinstance(event, ShardFinished):
            if event.key not in self.shards:  # finished by an earlier run
                names = tuple(b.name for b in event.blocks)
                self.shards[event.key] = ShardStarted(
                    event.key, event.name, event.kind, event.rows_in, names
                )
            self.blocks[event.key] = event.blocks
            self.finished.add(event.key)
        elif isinstance(event, TeacherProgress):
            self.teacher = event.teacher
            now = time.monotonic()
            if not self.console.is_terminal and now - self._last_line >= self.log_every:
                self._last_line = now
                self.console.print(f"progress: {self.summary()}", soft_wrap=True)

    def _fraction(self) -> float:
        done = total = 0
        for key, shard in list(self.shards.items()):
            total += shard.rows_in
            if key in self.finished:
                done += shard.rows_in
                continue
            blocks = self.blocks.get(key)
            if blocks:
                done += max(0, blocks[0].rows_in - blocks[0].active)
        return done / total if total else 0.0

    def render(self) -> RenderableType:
        """The current table."""
        from rich.table import Table

        table = Table(box=None, pad_edge=False, show_edge=False)
        for col in ("leaf / block", "in", "out", "active", "dropped", "faults"):
            table.add_column(col, justify="left" if col == "leaf / block" else "right")
        for key, shard in list(self.shards.items()):
            table.add_row(
                f"[bold]{shard.name}[/] [dim]{shard.kind}[/]", str(shard.rows_in), "", "", "", ""
            )
            counts = {b.name: b for b in self.blocks.get(key, ())}
            for name in shard.blocks:
                b = counts.get(name)
                if b is None:
                    table.add_row(f"  {name}", "0", "0", "", "", "")
                    continue
                table.add_row(
                    f"  {name}",
                    str(b.rows_in),
                    str(b.rows_out),
                    str(b.active or ""),
                    str(sum(b.drops.values()) or ""),
                    str(sum(b.faults.values()) or ""),
                )
        table.caption = self.summary()
        return table

    def summary(self) -> str:
        """One line: requests in flight, requests, retries, tokens/s, time, ETA."""
        now = time.monotonic()
        elapsed = now - self.started
        teacher = self.teacher
        tokens = teacher.completion_tokens if teacher else 0
        if now - self._last_time >= 1.0:
            self._rate = (tokens - self._last_tokens) / (now - self._last_time)
            self._last_tokens, self._last_time = tokens, now
        fraction = self._fraction()
        eta = f"{elapsed * (1 - fraction) / fraction:.0f} s" if fraction > 0.02 else "-"
        line = f"{fraction:.0%} of the seed rows done · {elapsed:.0f} s · ETA {eta}"
        if teacher is not None:
            line = (
                f"in flight {teacher.inflight} (limit {teacher.limit:.0f}) · "
                f"{teacher.requests} requests · {teacher.retries} retries · "
                f"{self._rate:.0f} tokens/s · " + line
            )
        return line

    @contextlib.contextmanager
    def shown(self) -> Iterator[None]:
        """Shows the table while the block runs, on a terminal (rich refreshes it from a
        thread of its own); elsewhere the lines come with the events."""
        if not self.console.is_terminal:
            yield
            return
        from rich.live import Live

        with Live(
            console=self.console,
            refresh_per_second=2,
            transient=True,
            get_renderable=self.render,
        ):
            yield
