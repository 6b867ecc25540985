"""The run report: rows in and out per leaf and block, drops by reason, requests, tokens, time."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from instructlab.fileio import atomic_write_text

if TYPE_CHECKING:
    from rich.console import Console

    from instructlab.llm.client import ClientStats
    from instructlab.sdg.mixclean import MixCleaning
    from instructlab.sdg.runtime import BlockStats

__all__ = ["LeafReport", "RunReport"]


@dataclass
class LeafReport:
    """One leaf: seed rows in, generated rows out, and each block's counters."""

    leaf: str
    kind: str
    pipeline: str
    rows_in: int
    rows_out: int = 0
    blocks: list[BlockStats] = field(default_factory=list)
    resumed: bool = False
    error: str | None = None
    output: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready copy."""
        return {
            "leaf": self.leaf,
            "kind": self.kind,
            "pipeline": self.pipeline,
            "rows_in": self.rows_in,
            "rows_out": self.rows_out,
            "resumed": self.resumed,
            "error": self.error,
            "output": self.output,
            "blocks": [b.as_dict() for b in self.blocks],
        }


@dataclass
class RunReport:
    """The whole run."""

    run_dir: str
    leaves: list[LeafReport] = field(default_factory=list)
    requests: int = 0
    retries: int = 0
    errors: int = 0
    throttled: int = 0
    timeouts: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    sequences: int = 0
    cached_samples: int = 0
    seconds: float = 0.0
    generating_seconds: float = 0.0
    peak_concurrency: float = 0.0
    #: What mixing removed from each training set, and why (set once the run is mixed).
    mixing: dict[str, MixCleaning] = field(default_factory=dict)

    @property
    def failed_leaves(self) -> list[LeafReport]:
        """Leaves that yielded no training rows (an error for the run)."""
        return [leaf for leaf in self.leaves if leaf.rows_out == 0 or leaf.error]

    @property
    def ok(self) -> bool:
        """True when every leaf yielded rows."""
        return not self.failed_leaves

    @property
    def drops(self) -> Counter[str]:
        """Rows dropped on purpose, by reason, over all leaves."""
        total: Counter[str] = Counter()
        for leaf in self.leaves:
            for b in leaf.blocks:
                total.update({f"{b.name}: {k}": v for k, v in b.drops.items()})
        return total

    @property
    def faults(self) -> Counter[str]:
        """Faults (skipped rows) by reason, over all leaves."""
        total: Counter[str] = Counter()
        for leaf in self.leaves:
            for b in leaf.blocks:
                total.update({f"{b.name}: {k}": v for k, v in b.faults.items()})
        return total

    def add_client(self, stats: ClientStats) -> None:
        """Takes the client's counters."""
        self.requests += stats.requests
        self.retries += stats.retries
        self.errors += stats.errors
        self.throttled += stats.throttled
        self.timeouts += stats.timeouts
        self.prompt_tokens += stats.prompt_tokens
        self.completion_tokens += stats.completion_tokens
        self.sequences += stats.sequences
        if stats.first_request is not None and stats.last_reply is not None:
            self.generating_seconds += stats.last_reply - stats.first_request

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready copy."""
        return {
            "run_dir": self.run_dir,
            "ok": self.ok,
            "requests": self.requests,
            "retries": self.retries,
            "errors": self.errors,
            "throttled": self.throttled,
            "timeouts": self.timeouts,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "sequences": self.sequences,
            "cached_samples": self.cached_samples,
            "seconds": round(self.seconds, 3),
            "generating_seconds": round(self.generating_seconds, 3),
            "peak_concurrency": self.peak_concurrency,
            "drops": dict(self.drops),
            "faults": dict(self.faults),
            "leaves": [leaf.as_dict() for leaf in self.leaves],
            "mix_removed": self._mix_removed(),
        }

    def _mix_removed(self) -> dict[str, Any]:
        if not self.mixing:
            return {}
        from instructlab.sdg.mixclean import REASONS

        reasons = {r for cleaning in self.mixing.values() for r in cleaning.removed}
        return {
            "reasons": {r: REASONS.get(r, r) for r in sorted(reasons)},
            "training_sets": {name: c.as_dict() for name, c in self.mixing.items()},
        }

    def write(self, path: str | Path) -> None:
        """Writes the report as JSON."""
        atomic_write_text(path, json.dumps(self.as_dict(), indent=2) + "\n")

    def render(self, console: Console) -> None:
        """Prints the report as tables."""
        from rich.table import Table

        table = Table(title="Generation", show_lines=False)
        for col in ("leaf / block", "rows in", "rows out", "dropped", "faults", "requests"):
            if col == "leaf / block":
                table.add_column(col, overflow="fold")  # a leaf's name is never cut
            else:
                table.add_column(col, justify="right")
        for leaf in self.leaves:
            status = " (resumed)" if leaf.resumed else ""
            style = "red" if leaf.rows_out == 0 or leaf.error else "bold"
            table.add_row(
                f"[{style}]{leaf.leaf}[/] [dim]{leaf.kind}{status}[/]",
                str(leaf.rows_in),
                str(leaf.rows_out),
                "",
                "",
                "",
            )
            for b in leaf.blocks:
                table.add_row(
                    f"  {b.name}",
                    str(b.rows_in),
                    str(b.rows_out),
                    str(sum(b.drops.values()) or ""),
                    str(sum(b.faults.values()) or ""),
                    str(b.sent_samples or ""),
                )
        console.print(table)
        drops, faults = self.drops, self.faults
        for title, counts in (("Dropped", drops), ("Faults (skipped)", faults)):
            if counts:
                console.print(f"[bold]{title}:[/]")
                for reason, count in counts.most_common():
                    console.print(f"  {count:>6}  {reason}")
        console.print(self._totals())
        self._render_mixing(console)
        self._render_errors(console)

    def render_summary(self, console: Console) -> None:
        """Prints the report in a few lines: rows, requests, errors (``--quiet``)."""
        rows = sum(leaf.rows_out for leaf in self.leaves)
        skipped = sum(self.faults.values())
        dropped = sum(self.drops.values())
        console.print(
            f"{rows} rows generated for {len(self.leaves)} leaves ({dropped} dropped by filters, "
            f"{skipped} skipped on faults; see report.json); {self._totals()}"
        )
        self._render_errors(console)

    def _totals(self) -> str:
        return (
            f"{self.requests} requests ({self.retries} retries, {self.errors} errors, "
            f"{self.throttled} throttled), {self.cached_samples} answers from the cache, "
            f"{self.prompt_tokens} prompt + {self.completion_tokens} completion tokens, "
            f"{self.seconds:.1f} s"
        )

    def _render_errors(self, console: Console) -> None:
        for leaf in self.failed_leaves:
            console.print(
                f"[red]Error:[/] leaf {leaf.leaf} yielded no training rows"
                + (f" ({leaf.error})" if leaf.error else "")
            )

    def _render_mixing(self, console: Console) -> None:
        if not self.mixing:
            return
        from rich.markup import escape

        from instructlab.sdg.mixclean import REASONS

        removed = {name: c for name, c in self.mixing.items() if c.removed}
        if not removed:
            kept = ", ".join(f"{name} {c.rows_in}" for name, c in self.mixing.items())
            console.print(f"[bold]Mixing removed nothing[/] (rows checked: {kept})")
            return
        console.print("[bold]Removed while mixing:[/]")
        for name, cleaning in removed.items():
            for reason, count in cleaning.removed.most_common():
                examples = escape(", ".join(cleaning.examples.get(reason, [])))
                console.print(
                    f"  {count:>6}  {name}: {reason} ({REASONS.get(reason, reason)}; "
                    f"of {cleaning.rows_in} rows; e.g. {examples})"
                )
