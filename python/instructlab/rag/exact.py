"""The embedded exact store: one folder per store, one subfolder per collection, holding

- ``store.json``: format version, the embedding model's id and dimension, counts, and the
  names of the current generation's files;
- ``chunks-N.jsonl``: one chunk per line (document, index, headings, page, text, tokens, hash);
- ``vectors-N.f32``: the unit vectors, ``chunks x dimension`` little-endian ``float32``, in the
  same order (absent in a text-only store).

An update writes a new generation's files, then replaces ``store.json`` (atomically: that is
the commit), then removes the old generation — a crash at any point leaves the last complete
store readable. Search is exact (every vector scored, in Rust); BM25 is built in memory when
first needed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from instructlab.errors import FileError
from instructlab.fileio import atomic_open, atomic_write_text, ensure_dir, read_bytes, read_text
from instructlab.rag.chunker import Chunk
from instructlab.rag.store import ModelMismatch, StoreInfo

__all__ = ["ExactStore"]

FORMAT = 1
_META = "store.json"


def _chunk_record(chunk: Chunk) -> dict[str, Any]:
    return {
        "hash": chunk.hash,
        "document": chunk.document,
        "index": chunk.index,
        "headings": list(chunk.headings),
        "page": chunk.page,
        "text": chunk.text,
        "tokens": chunk.tokens,
    }


def _chunk(record: dict[str, Any]) -> Chunk:
    return Chunk(
        str(record["document"]),
        int(record["index"]),
        tuple(str(h) for h in record.get("headings") or ()),
        record.get("page"),
        str(record["text"]),
        int(record.get("tokens", 0)),
    )


class ExactStore:
    """A collection of the embedded store (see the module documentation)."""

    def __init__(self, root: Path, collection: str, meta: dict[str, Any]) -> None:
        self.root = root
        self.collection = collection
        self.folder = root / collection
        self._meta = meta
        self._chunks: list[Chunk] | None = None
        self._vectors: bytes | None = None
        self._index: Any = None

    @classmethod
    def open(cls, root: Path, collection: str, *, create: bool = False) -> ExactStore:
        """Opens (or with ``create`` makes) ``collection`` in the store folder ``root``."""
        if not collection or "/" in collection or collection.startswith("."):
            raise FileError(str(root), f"'{collection}' is not a usable collection name")
        if root.exists() and not root.is_dir():
            raise FileError(str(root), "is a file, not a document store folder")
        folder = root / collection
        meta_path = folder / _META
        if not meta_path.exists():
            if not create:
                what = (
                    "no document store here"
                    if not root.exists()
                    else f"no collection '{collection}'"
                )
                raise FileError(str(root), f"{what}: run `ilab rag ingest` first")
            return cls(
                root,
                collection,
                {
                    "format": FORMAT,
                    "model_id": None,
                    "dimension": None,
                    "chunks": 0,
                    "documents": 0,
                    "generation": 0,
                },
            )
        try:
            meta = json.loads(read_text(meta_path, what="a document store"))
            if not isinstance(meta, dict) or meta.get("format") != FORMAT:
                raise ValueError("unknown format")
        except ValueError as exc:
            raise FileError(
                str(meta_path),
                f"not a document store of this version ({exc}); ingest again into a new folder",
            ) from None
        return cls(root, collection, meta)

    # -- reading -------------------------------------------------------------------------

    def _file(self, kind: str) -> Path:
        ext = "jsonl" if kind == "chunks" else "f32"
        return self.folder / f"{kind}-{self._meta['generation']}.{ext}"

    def info(self) -> StoreInfo:
        return StoreInfo(
            str(self.root),
            self.collection,
            self._meta.get("model_id"),
            self._meta.get("dimension"),
            int(self._meta.get("chunks", 0)),
            int(self._meta.get("documents", 0)),
        )

    def chunks(self) -> list[Chunk]:
        if self._chunks is None:
            if not self._meta.get("chunks"):
                self._chunks = []
            else:
                path = self._file("chunks")
                lines = read_text(path, what="a document store").splitlines()
                try:
                    self._chunks = [_chunk(json.loads(line)) for line in lines if line.strip()]
                except (ValueError, KeyError, TypeError) as exc:
                    raise FileError(str(path), f"damaged ({exc}); ingest again") from None
                if len(self._chunks) != self._meta["chunks"]:
                    raise FileError(
                        str(path), "damaged (chunk count differs from store.json); ingest again"
                    )
        return self._chunks

    def _vector_bytes(self) -> bytes:
        if self._vectors is None:
            if not self._meta.get("dimension") or not self._meta.get("chunks"):
                self._vectors = b""
            else:
                path = self._file("vectors")
                self._vectors = read_bytes(path)
                want = self._meta["chunks"] * self._meta["dimension"] * 4
                if len(self._vectors) != want:
                    raise FileError(
                        str(path), "damaged (size differs from store.json); ingest again"
                    )
        return self._vectors

    def document_hashes(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for chunk in self.chunks():
            out.setdefault(chunk.document, []).append(chunk.hash)
        return out

    def known_vectors(self, hashes: Sequence[str]) -> dict[str, bytes]:
        dim = self._meta.get("dimension")
        if not dim:
            return {}
        wanted = set(hashes)
        raw = self._vector_bytes()
        width = dim * 4
        return {
            c.hash: raw[i * width : (i + 1) * width]
            for i, c in enumerate(self.chunks())
            if c.hash in wanted
        }

    def search_vectors(self, query: bytes, k: int) -> list[tuple[int, float]]:
        from array import array

        from instructlab._native import VectorIndex

        if not self._meta.get("chunks") or not self._meta.get("dimension"):
            return []
        if self._index is None:
            self._index = VectorIndex(self._vector_bytes(), self._meta["dimension"])
        ids, scores = self._index.search(query, k)
        return list(zip(array("I", ids), array("f", scores), strict=False))

    # -- writing -------------------------------------------------------------------------

    def replace(
        self,
        documents: Mapping[str, Sequence[Chunk]],
        vectors: Mapping[str, bytes],
        model_id: str | None,
        dimension: int | None,
    ) -> None:
        current = self._meta.get("model_id")
        if self._meta.get("chunks") and current != model_id:
            raise ModelMismatch(current)
        old = self.chunks()
        old_vectors = self._vector_bytes()
        width = (dimension or 0) * 4
        kept = [(i, c) for i, c in enumerate(old) if c.document not in documents]
        new_chunks = [c for _, c in kept] + [c for name in documents for c in documents[name]]
        ensure_dir(self.folder)
        generation = int(self._meta.get("generation", 0)) + 1
        chunk_path = self.folder / f"chunks-{generation}.jsonl"
        with atomic_open(chunk_path) as handle:
            for chunk in new_chunks:
                handle.write(json.dumps(_chunk_record(chunk), ensure_ascii=False) + "\n")
        if dimension:
            with atomic_open(self.folder / f"vectors-{generation}.f32", "wb") as handle:
                for i, _ in kept:
                    handle.write(old_vectors[i * width : (i + 1) * width])
                for name in documents:
                    for chunk in documents[name]:
                        handle.write(vectors[chunk.hash])
        previous = int(self._meta.get("generation", 0))
        self._meta = {
            "format": FORMAT,
            "model_id": model_id,
            "dimension": dimension,
            "chunks": len(new_chunks),
            "documents": len({c.document for c in new_chunks}),
            "generation": generation,
        }
        atomic_write_text(self.folder / _META, json.dumps(self._meta, indent=2) + "\n")
        for stale in (f"chunks-{previous}.jsonl", f"vectors-{previous}.f32"):
            (self.folder / stale).unlink(missing_ok=True)
        self._chunks, self._vectors, self._index = new_chunks, None, None

    def close(self) -> None:
        self._index = None
