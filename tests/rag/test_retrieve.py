"""BM25 in Rust, exact vector search, and their fusion."""

from __future__ import annotations

from array import array
from pathlib import Path

import pytest

from instructlab._native import Bm25Index, VectorIndex
from instructlab.documents.markdown import parse_markdown
from instructlab.errors import UsageError
from instructlab.rag import Embedder, Retriever, build_prompt, ingest_into, open_store

from .tiny import write_sentence_model

DOCS = {
    "bees.md": "# Bees\n\nHoney bees live in a hive and make honey.\n",
    "bats.md": "# Bats\n\nBats pollinate agave at night.\n",
    "market.md": "# Market\n\nThe stock market fell today.\n",
}


def test_bm25_ranks_by_shared_terms() -> None:
    index = Bm25Index(list(DOCS.values()))
    ids, scores = index.search("Which animals pollinate agave?", 3)
    assert list(array("I", ids)) == [1]
    assert array("f", scores)[0] > 0
    with pytest.raises(UsageError, match="k"):
        index.search("bees", 0)
    with pytest.raises(UsageError, match="b"):
        Bm25Index(["x"], b=2.0)


def test_vector_search_is_exact() -> None:
    rows = array("f", [1, 0, 0, 1, 0.6, 0.8]).tobytes()
    index = VectorIndex(rows, 2)
    ids, scores = index.search(array("f", [0.6, 0.8]).tobytes(), 2)
    assert list(array("I", ids)) == [2, 1]
    assert abs(array("f", scores)[0] - 1.0) < 1e-6
    with pytest.raises(UsageError, match="vectors"):
        VectorIndex(b"\x00" * 6, 2)
    with pytest.raises(UsageError, match="query"):
        index.search(array("f", [1.0]).tobytes(), 1)


def test_hybrid_retrieval_finds_the_answer_and_names_its_source(tmp_path: Path) -> None:
    embedder = Embedder.load(write_sentence_model(tmp_path / "m", max_seq_length=64), "native")
    store = open_store(tmp_path / "s", "ilab", create=True)
    docs = [(n, parse_markdown(t, Path(n))) for n, t in DOCS.items()]
    ingest_into(store, docs, embedder)
    retriever = Retriever(open_store(tmp_path / "s", "ilab"), embedder)
    assert retriever.mode == "hybrid"
    passages = retriever.retrieve("Which animals pollinate agave at night?", 2)
    assert passages[0].chunk.document == "bats.md"
    assert passages[0].source == "bats.md > Bats"
    assert [p.rank for p in passages] == [1, 2]
    vectors_only = Retriever(open_store(tmp_path / "s", "ilab"), embedder, "vector")
    assert len(vectors_only.retrieve("bees", 3)) == 3


@pytest.mark.parametrize("mode", ["hybrid", "vector", "bm25"])
def test_a_top_k_past_the_store_returns_every_chunk(tmp_path: Path, mode: str) -> None:
    embedder = Embedder.load(write_sentence_model(tmp_path / "m", max_seq_length=64), "native")
    store = open_store(tmp_path / "s", "ilab", create=True)
    ingest_into(store, [(n, parse_markdown(t, Path(n))) for n, t in DOCS.items()], embedder)
    retriever = Retriever(open_store(tmp_path / "s", "ilab"), embedder, mode)
    every = [(p.chunk.document, p.rank) for p in retriever.retrieve("bees", len(DOCS))]
    # 10**22 once reached the native index and failed there ("k is too large").
    assert [(p.chunk.document, p.rank) for p in retriever.retrieve("bees", 10**22)] == every
    if mode != "bm25":  # BM25 lists only the chunks that share a term with the query
        assert len(every) == len(DOCS)


def test_the_prompt_fits_the_context_and_says_what_was_cut(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s", "ilab", create=True)
    long = "# Long\n\n" + " ".join(["Bees pollinate flowers."] * 60) + "\n"
    ingest_into(store, [("long.md", parse_markdown(long, Path("long.md")))], None, 400)
    passages = Retriever(open_store(tmp_path / "s", "ilab"), None).retrieve("bees", 3)
    roomy = build_prompt("Do bees pollinate?", passages, 4000)
    assert roomy.note() is None and "[1] long.md > Long" in roomy.content
    assert roomy.content.endswith("Question: Do bees pollinate?")
    tight = build_prompt("Do bees pollinate?", passages, 300)
    assert tight.shortened and "shortened" in (tight.note() or "")
    nothing = build_prompt("Do bees pollinate?", passages, 10)
    assert nothing.content == "Do bees pollinate?" and nothing.dropped == len(passages)
