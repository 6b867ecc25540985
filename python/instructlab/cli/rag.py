"""``ilab rag``: document conversion and the vector store."""

from __future__ import annotations

from pathlib import Path

import click

from instructlab.cli._common import group, state


@group("rag", "Convert documents and build the retrieval store.")
def rag() -> None:
    pass


@rag.command()
@click.argument("input_dir", type=click.Path(exists=True, path_type=Path))
@click.option("--output-dir", type=click.Path(path_type=Path))
@click.pass_context
def convert(ctx: click.Context, input_dir: Path, output_dir: Path | None) -> None:
    """Convert documents to retrieval-ready text."""
    from instructlab.core import RAG

    RAG(state(ctx).config_path).convert(input_dir, output_dir)


@rag.command()
@click.option("--input-dir", type=click.Path(exists=True, path_type=Path))
@click.pass_context
def ingest(ctx: click.Context, input_dir: Path | None) -> None:
    """Chunk, embed and store converted documents."""
    from instructlab.core import RAG

    RAG(state(ctx).config_path).ingest(input_dir)
