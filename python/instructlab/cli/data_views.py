"""How ``ilab data ingest|mix|list`` show their results: rich tables, nothing else."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from instructlab.cli._common import human_size

if TYPE_CHECKING:
    from instructlab.core import DataRun, IngestedDocument, MixResult


def print_ingested(documents: Sequence[IngestedDocument]) -> None:
    """One line per document: words and chunks."""
    table = Table(title="Ingested documents")
    table.add_column("document")
    table.add_column("words", justify="right")
    table.add_column("chunks", justify="right")
    table.add_column("words per chunk (max)", justify="right")
    for doc in documents:
        table.add_row(
            doc.source.name, str(doc.words), str(len(doc.chunks)), str(doc.chunk_word_count)
        )
    Console().print(table)


def print_mix(result: MixResult) -> None:
    """What each data set gave, and where the mix went."""
    table = Table(title=f"Mixed {result.recipe}" if result.recipe else "Mixed")
    table.add_column("data set")
    table.add_column("rows", justify="right")
    table.add_column("taken", justify="right")
    for dataset in result.datasets:
        table.add_row(dataset.path.name, str(dataset.available), str(dataset.taken))
    console = Console()
    console.print(table)
    dropped = f" ({result.dropped_empty} empty records dropped)" if result.dropped_empty else ""
    console.print(f"Wrote {result.rows} records to {result.output}{dropped}")
    cleaning = result.cleaning
    if cleaning is not None:
        for reason, count in cleaning.removed.most_common():
            examples = escape(", ".join(cleaning.examples.get(reason, [])))
            meaning = cleaning.meaning(reason)
            console.print(f"Removed {count} rows: {reason} ({meaning}; e.g. {examples})")


def run_status(run: DataRun) -> str:
    """One cell: the state, and for a failed run the leaves (or the error) that failed it."""
    status = run.status
    if status.state == "damaged":
        return f"damaged: {status.error}"
    if status.state != "failed":
        return status.state
    if status.failed_leaves:
        return f"failed: {', '.join(status.failed_leaves)}"
    return f"failed: {status.error}" if status.error else "failed"


def print_runs(
    runs: Sequence[DataRun], show_files: bool = False, folder: Path | None = None
) -> None:
    """Runs newest first, with their status; with ``show_files``, every file and its rows."""
    console = Console()
    if not console.is_terminal:  # a pipe: names and leaves in full, one run per line
        console = Console(soft_wrap=True, width=100_000)
    if not runs:
        where = f" in {folder}" if folder is not None else ""
        console.print(f"No generated data yet{where}.", highlight=False)
        return
    table = Table(title="Generated data")
    table.add_column("run", overflow="fold")
    table.add_column("modified (UTC)")
    table.add_column("status", overflow="fold")
    if show_files:
        table.add_column("file")
    else:
        table.add_column("files", justify="right")
    table.add_column("rows", justify="right")
    table.add_column("size", justify="right")
    for run in runs:
        when = run.modified.strftime("%Y-%m-%d %H:%M:%S")
        status = escape(run_status(run))
        if not show_files:
            size = human_size(sum(f.size for f in run.files))
            table.add_row(run.name, when, status, str(len(run.files)), str(run.rows), size)
            continue
        for index, file in enumerate(run.files):
            name = (
                str(file.path.relative_to(run.path))
                if file.path.is_relative_to(run.path)
                else str(file.path)
            )
            rows = "" if file.rows is None else str(file.rows)
            first = index == 0
            table.add_row(
                run.name if first else "",
                when if first else "",
                status if first else "",
                name,
                rows,
                human_size(file.size),
            )
    console.print(table)
