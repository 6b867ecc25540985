"""Knowledge documents to chunks: read each file, cut its text to fit the teacher's context."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from instructlab.documents.chunk import DEFAULT_CHUNK_WORD_COUNT, chunk_text, fit_chunk_word_count
from instructlab.documents.read import read_document
from instructlab.errors import FileError

__all__ = ["IngestedDocument", "chunk_documents", "ingest_document", "ingest_documents"]


@dataclass(frozen=True)
class IngestedDocument:
    """A document converted to text and cut into chunks."""

    source: Path
    text: str
    chunks: tuple[str, ...]
    chunk_word_count: int

    @property
    def words(self) -> int:
        """Words in the whole text."""
        return len(self.text.split())


def ingest_document(
    path: str | Path,
    chunk_word_count: int = DEFAULT_CHUNK_WORD_COUNT,
    server_ctx_size: int | None = None,
) -> IngestedDocument:
    """Reads one document and chunks it to fit the teacher (see :func:`fit_chunk_word_count`)."""
    words = fit_chunk_word_count(chunk_word_count, server_ctx_size)
    text = read_document(path)
    return IngestedDocument(Path(path), text, tuple(chunk_text(text, words)), words)


def ingest_documents(
    paths: Iterable[str | Path],
    chunk_word_count: int = DEFAULT_CHUNK_WORD_COUNT,
    server_ctx_size: int | None = None,
) -> list[IngestedDocument]:
    """Reads and chunks every document, reporting all unreadable ones at once.

    Raises:
        FileError: one or more documents could not be read (all are named).
    """
    results: list[IngestedDocument] = []
    problems: list[FileError] = []
    for path in paths:
        try:
            results.append(ingest_document(path, chunk_word_count, server_ctx_size))
        except FileError as exc:
            problems.append(exc)
    if len(problems) == 1:
        raise problems[0]
    if problems:
        listed = "\n  ".join(p.message for p in problems)
        raise FileError(f"{len(problems)} documents", f"could not be read:\n  {listed}")
    return results


def chunk_documents(
    paths: Sequence[str | Path],
    chunk_word_count: int = DEFAULT_CHUNK_WORD_COUNT,
    server_ctx_size: int | None = None,
) -> list[str]:
    """All chunks of all documents, in document order (what knowledge seed rows are built from)."""
    return [
        chunk
        for doc in ingest_documents(paths, chunk_word_count, server_ctx_size)
        for chunk in doc.chunks
    ]
