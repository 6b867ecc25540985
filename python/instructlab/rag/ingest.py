"""``ilab rag ingest``: documents to chunks, chunks to vectors, both into a store.

Inputs are Docling JSON files (what ``ilab rag convert`` writes; the Markdown beside each is
its rendering and is skipped) or any supported document, converted on the way. Ingestion is
incremental: a document whose chunks are unchanged costs nothing, a changed one replaces its
chunks, and a chunk whose text is already in the store keeps its vector. A document that fails
is named and the others are still ingested.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from instructlab.documents import StructuredDocument, convert_document
from instructlab.errors import FileError, InstructLabError
from instructlab.rag.chunker import (
    DEFAULT_CHUNK_TOKENS,
    SPECIAL_TOKENS,
    Chunk,
    chunk_document,
    estimate_tokens,
)
from instructlab.rag.convert import collect_inputs, source_name
from instructlab.rag.embed import Embedder
from instructlab.rag.progress import NO_PROGRESS, Progress
from instructlab.rag.store import DocumentStore, ModelMismatch

__all__ = ["IngestResult", "gather_documents", "ingest_into"]


@dataclass
class IngestResult:
    """What an ingestion did."""

    uri: str
    collection: str
    model_id: str | None
    dimension: int | None
    #: Documents read now, and those whose chunks were already in the store.
    documents: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    chunks: int = 0
    tokens: int = 0
    #: Chunks embedded now, and chunks whose vector was already stored.
    embedded: int = 0
    reused_vectors: int = 0
    store_chunks: int = 0
    unsupported: list[Path] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    #: Seconds per stage: reading, chunking, embedding, writing.
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def retrieval(self) -> str:
        """``hybrid`` (vectors and BM25) or ``bm25``."""
        return "hybrid" if self.model_id else "bm25"


def gather_documents(
    inputs: Sequence[Path], progress: Progress = NO_PROGRESS
) -> tuple[list[tuple[str, StructuredDocument]], list[Path], list[tuple[str, str]]]:
    """Reads every document under ``inputs`` (folders recursively): named documents,
    unsupported files and failures."""
    from instructlab.documents.docling_io import load_docling_json

    files: list[tuple[Path, Path | None]] = []
    unsupported: list[Path] = []
    for item in inputs:
        if item.is_dir():
            jsons = sorted(p for p in item.rglob("*.json") if not p.name.startswith("."))
            supported, other = collect_inputs(item)
            exported = {p.with_suffix(".md") for p in jsons}
            files.extend((p, item) for p in supported if p not in exported)
            files.extend((p, item) for p in jsons)
            unsupported.extend(p for p in other if p.suffix != ".json")
        elif item.exists():
            if item.suffix.lower() == ".json" or collect_inputs(item)[0]:
                files.append((item, None))
            else:
                unsupported.append(item)
        else:
            raise FileError(str(item), "no such file or folder")
    docs: list[tuple[str, StructuredDocument]] = []
    failed: list[tuple[str, str]] = []
    progress.start("read", len(files))
    for path, root in sorted(files, key=lambda f: str(f[0])):
        try:
            if path.suffix.lower() == ".json":
                doc = load_docling_json(path)
                name = str(doc.source)
            else:
                doc, _ = convert_document(path)
                name = source_name(path, root)
            if not any(b.text.strip() for b in doc.blocks):
                raise FileError(str(path), "the document holds no text")
            docs.append((name, doc))
        except InstructLabError as exc:
            failed.append((str(path), str(exc)))
        progress.advance("read")
    return docs, unsupported, failed


def ingest_into(
    store: DocumentStore,
    docs: Sequence[tuple[str, StructuredDocument]],
    embedder: Embedder | None,
    chunk_tokens: int | None = None,
    progress: Progress = NO_PROGRESS,
) -> IngestResult:
    """Chunks ``docs``, embeds what is new and updates ``store``.

    Raises:
        FileError: the store holds vectors of another model (or none, or some, where the
            other was asked for).
    """
    info = store.info()
    model_id = embedder.id if embedder is not None else None
    dimension = embedder.dimension if embedder is not None else None
    if info.chunks and info.model_id != model_id:
        have = info.model_id or "no embedding model (BM25 only)"
        want = model_id or "no embedding model"
        raise FileError(
            info.uri,
            f"collection '{info.collection}' was built with {have}; this ingest has {want}: "
            "use the same model, or another --document-store-uri or collection",
        )
    result = IngestResult(info.uri, info.collection, model_id, dimension)
    if embedder is not None:
        limit = embedder.max_tokens - SPECIAL_TOKENS
        size = min(chunk_tokens or limit, limit)
        count = embedder.count_tokens
    else:
        size = chunk_tokens or DEFAULT_CHUNK_TOKENS
        count = estimate_tokens
    started = time.perf_counter()
    progress.start("chunk", len(docs))
    existing = store.document_hashes()
    changed: dict[str, list[Chunk]] = {}
    for name, doc in docs:
        chunks = chunk_document(doc, size, count, name)
        result.chunks += len(chunks)
        result.tokens += sum(c.tokens for c in chunks)
        if existing.get(name) == [c.hash for c in chunks]:
            result.unchanged.append(name)
        else:
            changed[name] = chunks
            result.documents.append(name)
        progress.advance("chunk")
    result.seconds["chunking"] = time.perf_counter() - started
    vectors: dict[str, bytes] = {}
    started = time.perf_counter()
    if embedder is not None and changed:
        wanted = {c.hash: c for chunks in changed.values() for c in chunks}
        vectors = store.known_vectors(list(wanted))
        result.reused_vectors = len(vectors)
        todo = [c for h, c in wanted.items() if h not in vectors]
        progress.start("embed", len(todo))
        raw = embedder.encode([c.embedded for c in todo], lambda n: progress.advance("embed", n))
        width = embedder.dimension * 4
        for i, chunk in enumerate(todo):
            vectors[chunk.hash] = raw[i * width : (i + 1) * width]
        result.embedded = len(todo)
    result.seconds["embedding"] = time.perf_counter() - started
    started = time.perf_counter()
    if changed:
        try:
            store.replace(changed, vectors, model_id, dimension)
        except ModelMismatch as exc:
            raise FileError(
                info.uri,
                f"collection '{info.collection}' was built with {exc.args[0]}; this ingest has "
                f"{model_id}: use the same model, or another --document-store-uri or collection",
            ) from None
    result.seconds["writing"] = time.perf_counter() - started
    result.store_chunks = store.info().chunks
    return result
