"""Milvus as a document store, through ``pymilvus``: a milvus-lite file (``*.db``) or a Milvus
server (``http://host:19530``), with the same collection semantics as the embedded store.

Every row records the embedding model's id (milvus-lite keeps no collection description), and
the vector field its dimension; vectors are
searched with an exact (FLAT) inner-product index, which on unit vectors is the cosine. Milvus
holds vectors only, so a Milvus store needs an embedding model. BM25 runs over the collection's
texts, read once per session.
"""

from __future__ import annotations

import hashlib
import json
from array import array
from collections.abc import Mapping, Sequence
from typing import Any

from instructlab.errors import FileError, ServerError
from instructlab.extras import require
from instructlab.rag.chunker import Chunk
from instructlab.rag.store import ModelMismatch, StoreInfo

__all__ = ["MilvusStore"]

_FIELDS = ["pk", "hash", "document", "position", "headings", "page", "text", "tokens"]
_MAX_TEXT = 65535


def _pk(document: str, index: int) -> str:
    return hashlib.sha1(f"{document}\0{index}".encode()).hexdigest()


class MilvusStore:
    """One Milvus collection."""

    def __init__(self, client: Any, uri: str, collection: str) -> None:
        self._client = client
        self.uri = uri
        self.collection = collection
        self._chunks: list[Chunk] | None = None
        self._pks: dict[str, int] = {}

    @classmethod
    def open(cls, uri: str, collection: str, *, create: bool = False) -> MilvusStore:
        require("pymilvus", "rag", f"the Milvus document store {uri}")
        from pymilvus import MilvusClient
        from pymilvus.exceptions import MilvusException

        if uri.endswith(".db") and not uri.startswith(("http", "tcp", "grpc", "unix")):
            from pathlib import Path

            path = Path(uri).expanduser()
            if not path.exists() and not create:
                raise FileError(str(path), "no document store here: run `ilab rag ingest` first")
            if create:
                from instructlab.fileio import ensure_dir

                ensure_dir(path.parent)
            uri = str(path)
        import logging

        # pymilvus logs its own retries and fallbacks as warnings; our errors say what matters.
        logging.getLogger("pymilvus").setLevel(logging.ERROR)
        try:
            client = MilvusClient(uri=uri, timeout=5)
        except MilvusException as exc:
            raise ServerError(f"{uri}: Milvus does not answer ({exc.message})") from None
        except Exception as exc:  # pymilvus wraps connection failures in many types
            raise ServerError(f"{uri}: Milvus does not answer ({exc})") from None
        store = cls(client, uri, collection)
        if not client.has_collection(collection) and not create:
            raise FileError(uri, f"no collection '{collection}': run `ilab rag ingest` first")
        return store

    def _meta(self) -> dict[str, Any]:
        """The model id and dimension, read from a row (every row records its model: milvus-lite
        keeps no collection description)."""
        if not self._client.has_collection(self.collection):
            return {}
        rows = self._client.query(
            self.collection, filter="", limit=1, output_fields=["model", "vector"]
        )
        if not rows:
            return {"empty": True}
        return {"model_id": rows[0]["model"], "dimension": len(rows[0]["vector"])}

    def info(self) -> StoreInfo:
        meta = self._meta()
        chunks = self.chunks()
        return StoreInfo(
            self.uri,
            self.collection,
            meta.get("model_id"),
            meta.get("dimension"),
            len(chunks),
            len({c.document for c in chunks}),
        )

    def chunks(self) -> list[Chunk]:
        if self._chunks is None:
            rows: list[dict[str, Any]] = []
            if self._client.has_collection(self.collection):
                iterator = self._client.query_iterator(
                    self.collection, batch_size=1000, filter="", output_fields=_FIELDS
                )
                while True:
                    batch = iterator.next()
                    if not batch:
                        iterator.close()
                        break
                    rows.extend(batch)
            rows.sort(key=lambda r: (r["document"], r["position"]))
            self._chunks = [
                Chunk(
                    r["document"],
                    int(r["position"]),
                    tuple(json.loads(r["headings"])),
                    int(r["page"]) if int(r["page"]) > 0 else None,
                    r["text"],
                    int(r["tokens"]),
                )
                for r in rows
            ]
            self._pks = {r["pk"]: i for i, r in enumerate(rows)}
        return self._chunks

    def document_hashes(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for chunk in self.chunks():
            out.setdefault(chunk.document, []).append(chunk.hash)
        return out

    def known_vectors(self, hashes: Sequence[str]) -> dict[str, bytes]:
        wanted = sorted(set(hashes))
        found: dict[str, bytes] = {}
        if not self._client.has_collection(self.collection):
            return found
        for start in range(0, len(wanted), 500):
            part = wanted[start : start + 500]
            rows = self._client.query(
                self.collection,
                filter=f"hash in {json.dumps(part)}",
                output_fields=["hash", "vector"],
            )
            for row in rows:
                found[row["hash"]] = array("f", row["vector"]).tobytes()
        return found

    def replace(
        self,
        documents: Mapping[str, Sequence[Chunk]],
        vectors: Mapping[str, bytes],
        model_id: str | None,
        dimension: int | None,
    ) -> None:
        from pymilvus import DataType

        if not model_id or not dimension:
            raise FileError(self.uri, "a Milvus store holds vectors: it needs an embedding model")
        meta = self._meta()
        if meta.get("model_id") not in (None, model_id):
            raise ModelMismatch(meta.get("model_id"))
        if not meta:
            schema = self._client.create_schema(auto_id=False, description="instructlab chunks")
            schema.add_field("pk", DataType.VARCHAR, is_primary=True, max_length=64)
            schema.add_field("model", DataType.VARCHAR, max_length=512)
            schema.add_field("hash", DataType.VARCHAR, max_length=64)
            schema.add_field("document", DataType.VARCHAR, max_length=4096)
            schema.add_field("position", DataType.INT64)
            schema.add_field("headings", DataType.VARCHAR, max_length=_MAX_TEXT)
            schema.add_field("page", DataType.INT64)
            schema.add_field("text", DataType.VARCHAR, max_length=_MAX_TEXT)
            schema.add_field("tokens", DataType.INT64)
            schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dimension)
            index = self._client.prepare_index_params()
            index.add_index(field_name="vector", index_type="FLAT", metric_type="IP")
            self._client.create_collection(self.collection, schema=schema, index_params=index)
        for name in documents:
            self._client.delete(self.collection, filter=f"document == {json.dumps(name)}")
        rows = [
            {
                "pk": _pk(c.document, c.index),
                "model": model_id,
                "hash": c.hash,
                "document": c.document,
                "position": c.index,
                "headings": json.dumps(list(c.headings), ensure_ascii=False)[:_MAX_TEXT],
                "page": c.page or 0,
                "text": c.text[: _MAX_TEXT // 4],
                "tokens": c.tokens,
                "vector": list(array("f", vectors[c.hash])),
            }
            for name in documents
            for c in documents[name]
        ]
        for start in range(0, len(rows), 1000):
            self._client.insert(self.collection, rows[start : start + 1000])
        self._client.flush(self.collection)
        self._chunks = None

    def search_vectors(self, query: bytes, k: int) -> list[tuple[int, float]]:
        self.chunks()
        self._client.load_collection(self.collection)
        hits = self._client.search(
            self.collection,
            data=[list(array("f", query))],
            limit=k,
            output_fields=["pk"],
            search_params={"metric_type": "IP"},
        )
        out = []
        for hit in hits[0]:
            # The hit carries the primary key under its field's name (pymilvus 2.x said "id").
            key = hit.get("pk", hit.get("id")) or hit.get("entity", {}).get("pk")
            if key in self._pks:
                out.append((self._pks[key], float(hit["distance"])))
        return out

    def close(self) -> None:
        self._client.close()
