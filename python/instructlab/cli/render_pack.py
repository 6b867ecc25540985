"""How ``ilab model process-data`` shows its summary: a table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from instructlab.core import ProcessSummary


def print_summary(summary: ProcessSummary) -> None:
    """The summary as a table on stdout."""
    table = Table(title="Training data", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    reused = " (reused: input, tokenizer and settings unchanged)" if summary.reused else ""
    table.add_row("records", f"{summary.records:,}")
    table.add_row("kept", f"{summary.kept:,}")
    for reason, count in summary.dropped.items():
        if count:
            table.add_row(f"dropped: {reason.replace('_', ' ')}", f"{count:,}")
    table.add_row("tokens", f"{summary.tokens:,}")
    table.add_row("learned tokens", f"{summary.learned_tokens:,}")
    table.add_row("longest sample", f"{summary.max_length:,}")
    table.add_row("mean length", f"{summary.mean_length:,.1f}")
    if summary.packing:
        p = summary.packing
        table.add_row(
            "packing",
            f"{p['steps']:,} steps of {p['effective_batch_size']} samples on {p['ranks']} rank(s)",
        )
        table.add_row("packing fill", f"{p['fill']:.1%}")
        table.add_row("rank balance (max/mean)", f"{p['rank_imbalance']:.3f}")
    table.add_row("seconds", f"{summary.seconds:.2f}")
    console = Console()
    console.print(table)
    for example in summary.drop_examples:
        console.print(
            f"  dropped {example['file']}:{example['line']}: {example['detail']}",
            highlight=False,
        )
    console.print(f"Wrote {summary.dataset}{reused}", highlight=False)
