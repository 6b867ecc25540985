"""Documents for SDG and RAG alike: reading files as text and cutting text into chunks.

Markdown and plain text are read with no dependency beyond the base install; PDF (by its text
layer, through PDFium), HTML, Word and PowerPoint need the ``rag`` extra. Nothing is downloaded.
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
    DOCLING_SUFFIXES,
    PDF_SUFFIXES,
    SUPPORTED_SUFFIXES,
    TEXT_SUFFIXES,
    convert_document,
    read_document,
)
from instructlab.documents.structure import Block, StructuredDocument

__all__ = [
    "DEFAULT_CHUNK_WORD_COUNT",
    "DEFAULT_RESERVED_TOKENS",
    "DOCLING_SUFFIXES",
    "MIN_CHUNK_WORDS",
    "PDF_SUFFIXES",
    "SUPPORTED_SUFFIXES",
    "TEXT_SUFFIXES",
    "TOKENS_PER_WORD",
    "Block",
    "IngestedDocument",
    "StructuredDocument",
    "chunk_documents",
    "chunk_text",
    "convert_document",
    "fit_chunk_word_count",
    "ingest_document",
    "ingest_documents",
    "read_document",
]
