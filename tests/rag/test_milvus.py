"""Milvus for real, through milvus-lite: the same semantics as the embedded store."""

from __future__ import annotations

from pathlib import Path

import pytest

from instructlab.documents.markdown import parse_markdown
from instructlab.errors import FileError, ServerError
from instructlab.rag import Embedder, Retriever, ingest_into, is_milvus_uri, open_store

from .tiny import write_sentence_model

BEES = "# Bees\n\nHoney bees live in a hive and make honey.\n"
BATS = "# Bats\n\nBats pollinate agave at night.\n"


def test_uris_pick_the_store() -> None:
    assert is_milvus_uri("/x/embeddings.db") and is_milvus_uri("http://127.0.0.1:19530")
    assert not is_milvus_uri("/x/rag_store")


def test_milvus_lite_ingests_retrieves_and_is_incremental(tmp_path: Path) -> None:
    embedder = Embedder.load(write_sentence_model(tmp_path / "m", max_seq_length=64), "native")
    uri = str(tmp_path / "milvus.db")
    docs = [(n, parse_markdown(t, Path(n))) for n, t in (("bees.md", BEES), ("bats.md", BATS))]
    store = open_store(uri, "ilab", create=True)
    try:
        first = ingest_into(store, docs, embedder)
    finally:
        store.close()
    assert first.embedded == 2 and first.store_chunks == 2
    store = open_store(uri, "ilab")
    try:
        assert store.info().model_id == embedder.id and store.info().dimension == 32
        again = ingest_into(store, docs[:1], embedder)
        assert again.unchanged == ["bees.md"] and again.embedded == 0
        passages = Retriever(store, embedder).retrieve("Which animals pollinate agave?", 1)
        assert passages[0].chunk.document == "bats.md"
        other = Embedder.load(write_sentence_model(tmp_path / "o", seed=5), "native")
        with pytest.raises(FileError, match="was built with"):
            Retriever(store, other)
    finally:
        store.close()
    with pytest.raises(FileError, match="no collection 'nope'"):
        open_store(uri, "nope")


def test_milvus_needs_an_embedding_model(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "m.db"), "ilab", create=True)
    try:
        with pytest.raises(FileError, match="needs an embedding model"):
            ingest_into(store, [("b.md", parse_markdown(BEES, Path("b.md")))], None)
    finally:
        store.close()


def test_a_server_that_does_not_answer_is_named() -> None:
    with pytest.raises(ServerError, match=r"127\.0\.0\.1:9"):
        open_store("http://127.0.0.1:9", "ilab")
