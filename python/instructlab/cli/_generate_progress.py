"""The live view of a run: rows per leaf and block, requests in flight, tokens/s, ETA."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from instructlab.llm.client import LLMClient
    from instructlab.sdg.runner import LeafJob
    from instructlab.sdg.runtime import BlockStats

__all__ = ["LiveProgress"]


class LiveProgress:
    """Refreshes a rich table twice a second while the run's leaves are generating."""

    def __init__(self, console: Console, client: LLMClient | None, log_every: float = 15.0) -> None:
        self.console = console
        self.client = client
        #: Seconds between progress lines where the console is not a terminal (a log file).
        self.log_every = log_every
        self.leaves: list[tuple[LeafJob, dict[str, BlockStats]]] = []
        self.started = time.monotonic()
        self._last_tokens = 0
        self._last_time = self.started
        self._rate = 0.0

    def attach(self, leaves: list[tuple[LeafJob, dict[str, BlockStats]]]) -> None:
        """Called by the runner with the counters it will update."""
        self.leaves = leaves

    def _fraction(self) -> float:
        done = total = 0
        for job, stats in self.leaves:
            first = next(iter(stats.values()), None)
            total += len(job.rows)
            if first is not None:
                done += max(0, first.rows_in - first.active)
        return done / total if total else 0.0

    def render(self) -> RenderableType:
        """The current table."""
        from rich.table import Table

        table = Table(box=None, pad_edge=False, show_edge=False)
        for col in ("leaf / block", "in", "out", "active", "dropped", "faults"):
            table.add_column(col, justify="left" if col == "leaf / block" else "right")
        for job, stats in self.leaves:
            table.add_row(
                f"[bold]{job.name}[/] [dim]{job.kind}[/]", str(len(job.rows)), "", "", "", ""
            )
            for s in stats.values():
                table.add_row(
                    f"  {s.name}",
                    str(s.rows_in),
                    str(s.rows_out),
                    str(s.active or ""),
                    str(sum(s.drops.values()) or ""),
                    str(sum(s.faults.values()) or ""),
                )
        table.caption = self.summary()
        return table

    def summary(self) -> str:
        """One line: requests in flight, requests, retries, tokens/s, time, ETA."""
        now = time.monotonic()
        elapsed = now - self.started
        tokens = self.client.stats.completion_tokens if self.client else 0
        if now - self._last_time >= 1.0:
            self._rate = (tokens - self._last_tokens) / (now - self._last_time)
            self._last_tokens, self._last_time = tokens, now
        fraction = self._fraction()
        eta = f"{elapsed * (1 - fraction) / fraction:.0f} s" if fraction > 0.02 else "-"
        line = f"{fraction:.0%} of the seed rows done · {elapsed:.0f} s · ETA {eta}"
        if self.client is not None:
            st = self.client.stats
            lim = self.client.limiter
            line = (
                f"in flight {lim.inflight} (limit {lim.limit:.0f}) · {st.requests} requests · "
                f"{st.retries} retries · {self._rate:.0f} tokens/s · " + line
            )
        return line

    async def run(self) -> None:
        """Shows the table until cancelled; on a console that is not a terminal (the log of a
        detached run, a pipe), prints a progress line every ``log_every`` seconds instead."""
        from rich.live import Live

        if not self.console.is_terminal:
            try:
                while True:
                    await asyncio.sleep(self.log_every)
                    self.console.print(f"progress: {self.summary()}", soft_wrap=True)
            except asyncio.CancelledError:
                pass
            return

        with Live(
            self.render(), console=self.console, refresh_per_second=2, transient=True
        ) as live:
            try:
                while True:
                    await asyncio.sleep(0.5)
                    live.update(self.render())
            except asyncio.CancelledError:
                pass
