"""``ilab rag``: document conversion, the document store and retrieval."""

from __future__ import annotations

from pathlib import Path

import click

from instructlab.cli._common import POSITIVE, group, state

_STORE_URI = click.option(
    "--document-store-uri",
    help="A folder (the embedded store), a milvus-lite file (*.db) or a Milvus server URI.",
)
_COLLECTION = click.option("--document-store-collection-name", "collection", help="Collection.")
_MODEL = click.option(
    "--embedding-model",
    help="Folder of a sentence-transformers model (default: the packaged all-MiniLM-L6-v2; "
    "none: no vectors, BM25 only).",
)


def _fail_if_partial(failed: int, total: int, what: str) -> None:
    """Exit 1 when some documents failed (the others were kept; each failure was printed)."""
    from instructlab.errors import InstructLabError

    if failed:
        raise InstructLabError(
            f"{failed} of {total} documents could not be {what} (named above); the others were kept"
        )


@group("rag", "Convert documents, build the document store, retrieve passages.")
def rag() -> None:
    pass


@rag.command()
@click.option(
    "--input-dir",
    type=click.Path(exists=True, path_type=Path),
    help="Documents to convert (recursively). Default: the changed leaves' knowledge documents.",
)
@click.option("--output-dir", type=click.Path(path_type=Path), help="Where converted files go.")
@click.option("--taxonomy-path", type=click.Path(path_type=Path), help="Taxonomy repository.")
@click.option("--taxonomy-base", help="Git ref the taxonomy diff compares against.")
@click.pass_context
def convert(
    ctx: click.Context,
    input_dir: Path | None,
    output_dir: Path | None,
    taxonomy_path: Path | None,
    taxonomy_base: str | None,
) -> None:
    """Convert documents (Markdown, text, PDF, HTML, DOCX, PPTX) to Docling JSON and Markdown."""
    from rich.console import Console

    from instructlab.cli.rag_views import print_converted
    from instructlab.core import RAG

    result = RAG(configuration=state(ctx).config_path).convert(
        input_dir,
        output_dir,
        taxonomy_path=taxonomy_path,
        taxonomy_base=taxonomy_base,
        console=Console(stderr=True),
    )
    print_converted(result)
    _fail_if_partial(len(result.failed), len(result.failed) + len(result.outputs), "converted")


@rag.command()
@click.option(
    "--input-dir",
    type=click.Path(exists=True, path_type=Path),
    help="Converted (or any supported) documents. Default: rag.convert.output_dir.",
)
@_STORE_URI
@_COLLECTION
@_MODEL
@click.option("--chunk-tokens", type=POSITIVE, help="Most tokens per chunk (default: the model's).")
@click.pass_context
def ingest(
    ctx: click.Context,
    input_dir: Path | None,
    document_store_uri: str | None,
    collection: str | None,
    embedding_model: str | None,
    chunk_tokens: int | None,
) -> None:
    """Chunk, embed and store documents (incrementally)."""
    from rich.console import Console

    from instructlab.cli.rag_views import print_ingested
    from instructlab.core import RAG

    sdk = RAG(document_store_uri, collection, embedding_model, state(ctx).config_path)
    result = sdk.ingest(input_dir, chunk_tokens=chunk_tokens, console=Console(stderr=True))
    print_ingested(result)
    done = len(result.documents) + len(result.unchanged)
    _fail_if_partial(len(result.failed), len(result.failed) + done, "ingested")


@rag.command()
@click.argument("query")
@_STORE_URI
@_COLLECTION
@_MODEL
@click.option("--top-k", type=POSITIVE, help="Passages (default: rag.retriever.top_k).")
@click.pass_context
def retrieve(
    ctx: click.Context,
    query: str,
    document_store_uri: str | None,
    collection: str | None,
    embedding_model: str | None,
    top_k: int | None,
) -> None:
    """Print the passages the store gives for QUERY, best first, with their sources."""
    from instructlab.cli.rag_views import print_passages
    from instructlab.core import RAG

    sdk = RAG(document_store_uri, collection, embedding_model, state(ctx).config_path)
    print_passages(sdk.retrieve(query, top_k))
