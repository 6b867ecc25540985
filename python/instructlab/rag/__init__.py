"""Retrieval-augmented generation, offline: convert documents, chunk them by tokens under
their headings, embed them without torch, store them (an exact store in a folder, or Milvus),
and retrieve passages by BM25, vectors or both.

Heavy modules (Docling, pymilvus) load inside the functions that need them.
"""

from __future__ import annotations

from instructlab.rag.chunker import DEFAULT_CHUNK_TOKENS, Chunk, chunk_document, estimate_tokens
from instructlab.rag.convert import ConvertResult, collect_inputs, convert_files
from instructlab.rag.embed import Embedder, find_model, model_id
from instructlab.rag.ingest import IngestResult, gather_documents, ingest_into
from instructlab.rag.progress import NO_PROGRESS, Progress, RichProgress
from instructlab.rag.prompt import RagPrompt, build_prompt
from instructlab.rag.retrieve import Passage, Retriever
from instructlab.rag.store import DocumentStore, StoreInfo, is_milvus_uri, open_store

__all__ = [
    "DEFAULT_CHUNK_TOKENS",
    "NO_PROGRESS",
    "Chunk",
    "ConvertResult",
    "DocumentStore",
    "Embedder",
    "IngestResult",
    "Passage",
    "Progress",
    "RagPrompt",
    "Retriever",
    "RichProgress",
    "StoreInfo",
    "build_prompt",
    "chunk_document",
    "collect_inputs",
    "convert_files",
    "estimate_tokens",
    "find_model",
    "gather_documents",
    "ingest_into",
    "is_milvus_uri",
    "model_id",
    "open_store",
]
