"""`ilab model chat --rag` in the terminal: passages go into the question sent, the sources are
printed under each answer, and the history keeps the question as typed."""

from __future__ import annotations

from pathlib import Path

from instructlab.core import RAG, Model

from .test_chat import ILAB, Terminal, _env


def _store(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "bees.md").write_text("# Bees\n\nHoney bees live in a hive and make honey.\n")
    (docs / "bats.md").write_text("# Bats\n\nBats pollinate agave at night.\n")
    store = tmp_path / "store"
    RAG(store, embedding_model="none").ingest(docs)
    return store


def test_interactive_chat_with_rag(isolated_dirs, tmp_path, serve_engine, echo_engine):
    store = _store(tmp_path)
    server = serve_engine(echo_engine)
    url = f"http://127.0.0.1:{server.port}/v1"
    argv = [*ILAB, "model", "chat", "--endpoint-url", url, "--rag", "--document-store-uri",
            str(store), "--top-k", "1"]  # fmt: skip
    term = Terminal(argv, _env(isolated_dirs))
    term.expect("BM25")
    term.expect(">>> ")
    term.send("Which animals pollinate agave?")
    term.expect("Sources:")
    term.expect("[1] bats.md > Bats")
    term.expect(">>> ")
    term.send("/quit")
    try:
        assert term.close() == 0
    finally:
        if term.process.poll() is None:
            term.process.kill()
    sent = echo_engine.prompts[-1]
    assert "[1] bats.md > Bats\nBats pollinate agave at night." in sent
    assert "Question: Which animals pollinate agave?" in sent


def test_one_shot_reply_carries_its_passages(isolated_dirs, tmp_path, serve_engine, echo_engine):
    store = _store(tmp_path)
    server = serve_engine(echo_engine)
    url = f"http://127.0.0.1:{server.port}/v1"
    notes: list[str] = []
    reply = Model().chat(
        "Where do honey bees live?", endpoint_url=url, rag=True, top_k=2,
        document_store_uri=store, notify=notes.append,
    )  # fmt: skip
    assert reply.passages[0].chunk.document == "bees.md"  # type: ignore[union-attr]
    assert len(notes) == 1 and "BM25" in notes[0]
