"""Where chunks (and their vectors) live: the protocol every store follows, and the URI rule
that picks one.

- a path ending in ``.db`` is a milvus-lite file, ``http(s)://``, ``tcp://`` or ``unix:`` a
  Milvus server (:mod:`instructlab.rag.milvus`);
- any other path is the embedded exact store, a folder (:mod:`instructlab.rag.exact`).

A store records the embedding model its vectors came from (id and dimension) and refuses
vectors of another model; a store without a model holds text only and is searched by BM25.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from instructlab.rag.chunker import Chunk

__all__ = ["DocumentStore", "ModelMismatch", "StoreInfo", "is_milvus_uri", "open_store"]

_SERVER_SCHEMES = ("http://", "https://", "tcp://", "grpc://", "unix:")


@dataclass(frozen=True)
class StoreInfo:
    """What a collection holds."""

    uri: str
    collection: str
    #: The embedding model's id (``name@digest``), or ``None`` for a text-only (BM25) store.
    model_id: str | None
    dimension: int | None
    chunks: int
    documents: int


class ModelMismatch(Exception):
    """Internal: vectors of one model offered to a store of another (the caller words it)."""


class DocumentStore(Protocol):
    """One collection of chunks."""

    def info(self) -> StoreInfo:
        """Its model, dimension and counts."""

    def document_hashes(self) -> dict[str, list[str]]:
        """Per document name, its chunks' hashes in order."""

    def known_vectors(self, hashes: Sequence[str]) -> dict[str, bytes]:
        """The stored vectors of those chunk hashes the store already holds."""

    def replace(
        self,
        documents: Mapping[str, Sequence[Chunk]],
        vectors: Mapping[str, bytes],
        model_id: str | None,
        dimension: int | None,
    ) -> None:
        """Replaces the chunks of ``documents`` (by name) with the ones given; ``vectors`` has
        one per new chunk hash when the store holds vectors."""

    def chunks(self) -> list[Chunk]:
        """Every chunk, in store order (the ids searches return)."""

    def search_vectors(self, query: bytes, k: int) -> list[tuple[int, float]]:
        """Ids (positions in :meth:`chunks`) and cosine similarities of the best ``k``."""

    def close(self) -> None:
        """Releases connections and files."""


def is_milvus_uri(uri: str) -> bool:
    """Whether ``uri`` names Milvus (a milvus-lite ``.db`` file or a server)."""
    return uri.startswith(_SERVER_SCHEMES) or uri.endswith(".db")


def open_store(uri: str | Path, collection: str, *, create: bool = False) -> DocumentStore:
    """The collection ``collection`` of the store at ``uri``; with ``create``, made when
    missing.

    Raises:
        FileError: the store cannot be read (a file where a folder should be, a damaged
            store, a collection that does not exist and ``create`` is false).
        ServerError: a Milvus server that does not answer.
    """
    text = str(uri)
    if is_milvus_uri(text):
        from instructlab.rag.milvus import MilvusStore

        return MilvusStore.open(text, collection, create=create)
    from instructlab.rag.exact import ExactStore

    return ExactStore.open(Path(text).expanduser(), collection, create=create)
