"""Documents for SDG and RAG alike: reading files as text and cutting text into chunks.

Markdown and plain text are read with no dependency beyond the base install; PDF needs ``pypdf``
(the ``rag`` extra).
"""

from __future__ import annotations

from instructlab.documents.chunk import (
    DEFAULT_CHUNK_WORD_COUNT,
    DEFAULT_RESERVED_TOKENS,
    MIN_CHUNK_WORDS,
    TOKENS_PER_WORD,
    chunk_text,
    fit_chunk_word_count,
)
from instructlab.documents.ingest import (
    IngestedDocument,
    chunk_documents,
    ingest_document,
    ingest_documents,
)
from instructlab.documents.read import (
    PDF_SUFFIXES,
    SUPPORTED_SUFFIXES,
    TEXT_SUFFIXES,
    read_document,
)

__all__ = [
    "DEFAULT_CHUNK_WORD_COUNT",
    "DEFAULT_RESERVED_TOKENS",
    "MIN_CHUNK_WORDS",
    "PDF_SUFFIXES",
    "SUPPORTED_SUFFIXES",
    "TEXT_SUFFIXES",
    "TOKENS_PER_WORD",
    "IngestedDocument",
    "chunk_documents",
    "chunk_text",
    "fit_chunk_word_count",
    "ingest_document",
    "ingest_documents",
    "read_document",
]
