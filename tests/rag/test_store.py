"""The embedded exact store: incremental by chunk hash, collections apart, model recorded and
enforced, crash-safe generations, bad paths named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from instructlab.documents.markdown import parse_markdown
from instructlab.errors import FileError
from instructlab.rag import Embedder, Retriever, ingest_into, open_store
from instructlab.rag.exact import ExactStore

from .tiny import write_sentence_model


class CountingEmbedder:
    """The tiny model, counting the texts it embeds."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.id, self.dimension, self.max_tokens = inner.id, inner.dimension, inner.max_tokens
        self.embedded = 0

    def count_tokens(self, texts):
        return self.inner.count_tokens(texts)

    def encode(self, texts, progress=None):
        self.embedded += len(texts)
        return self.inner.encode(texts, progress)


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sentence_model(tmp_path_factory.mktemp("model") / "m", max_seq_length=64)


def _doc(name: str, body: str):
    return name, parse_markdown(body, Path(name))


BEES = "# Bees\n\nBees pollinate flowers.\n\n## Honey\n\nHoney bees live in a hive.\n"
BATS = "# Bats\n\nBats pollinate agave at night.\n"


def test_reingesting_costs_nothing_and_a_change_replaces_chunks(
    tmp_path: Path, model: Path
) -> None:
    embedder = CountingEmbedder(Embedder.load(model, "native"))
    store = open_store(tmp_path / "s", "ilab", create=True)
    first = ingest_into(store, [_doc("bees.md", BEES), _doc("bats.md", BATS)], embedder)  # type: ignore[arg-type]
    assert first.chunks == 3 and embedder.embedded == 3 and first.store_chunks == 3
    again = ingest_into(open_store(tmp_path / "s", "ilab"), [_doc("bees.md", BEES)], embedder)  # type: ignore[arg-type]
    assert again.unchanged == ["bees.md"] and again.documents == [] and embedder.embedded == 3
    changed = BEES.replace("live in a hive", "make honey")
    third = ingest_into(open_store(tmp_path / "s", "ilab"), [_doc("bees.md", changed)], embedder)  # type: ignore[arg-type]
    # One chunk changed: only it is embedded; the unchanged one keeps its vector.
    assert third.embedded == 1 and third.reused_vectors == 1 and embedder.embedded == 4
    reopened = open_store(tmp_path / "s", "ilab")
    texts = [c.text for c in reopened.chunks()]
    assert "Honey bees make honey." in texts and "Honey bees live in a hive." not in texts
    assert len(texts) == 3
    files = sorted(p.name for p in (tmp_path / "s" / "ilab").iterdir())
    assert files == ["chunks-2.jsonl", "store.json", "vectors-2.f32"]  # the no-op wrote nothing


def test_the_store_records_the_model_and_refuses_another(tmp_path: Path, model: Path) -> None:
    embedder = Embedder.load(model, "native")
    store = open_store(tmp_path / "s", "ilab", create=True)
    ingest_into(store, [_doc("bees.md", BEES)], embedder)
    meta = json.loads((tmp_path / "s" / "ilab" / "store.json").read_text())
    assert meta["model_id"] == embedder.id and meta["dimension"] == 32
    other = Embedder.load(write_sentence_model(tmp_path / "other", seed=7), "native")
    with pytest.raises(FileError, match="was built with the embedding model"):
        Retriever(open_store(tmp_path / "s", "ilab"), other)
    with pytest.raises(FileError, match="not installed or not given"):
        Retriever(open_store(tmp_path / "s", "ilab"), None)
    with pytest.raises(FileError, match="was built with"):
        ingest_into(open_store(tmp_path / "s", "ilab"), [_doc("bats.md", BATS)], other)
    with pytest.raises(FileError, match="was built with"):
        ingest_into(open_store(tmp_path / "s", "ilab"), [_doc("bats.md", BATS)], None)


def test_collections_are_kept_apart(tmp_path: Path) -> None:
    ingest_into(open_store(tmp_path / "s", "a", create=True), [_doc("bees.md", BEES)], None)
    ingest_into(open_store(tmp_path / "s", "b", create=True), [_doc("bats.md", BATS)], None)
    a = Retriever(open_store(tmp_path / "s", "a"), None)
    b = Retriever(open_store(tmp_path / "s", "b"), None)
    assert {p.chunk.document for p in a.retrieve("pollinate", 5)} == {"bees.md"}
    assert {p.chunk.document for p in b.retrieve("pollinate", 5)} == {"bats.md"}
    assert a.mode == "bm25"


def test_bad_store_paths_are_named(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(FileError, match="is a file, not a document store"):
        open_store(tmp_path / "file", "ilab", create=True)
    with pytest.raises(FileError, match="run `ilab rag ingest` first"):
        open_store(tmp_path / "nothing", "ilab")
    with pytest.raises(FileError, match="collection name"):
        open_store(tmp_path / "s", "../x", create=True)
    ingest_into(open_store(tmp_path / "s", "ilab", create=True), [_doc("bees.md", BEES)], None)
    with pytest.raises(FileError, match="no collection 'other'"):
        open_store(tmp_path / "s", "other")
    chunks = next((tmp_path / "s" / "ilab").glob("chunks-*.jsonl"))
    chunks.write_text("{not json\n")
    with pytest.raises(FileError, match="damaged"):
        ExactStore.open(tmp_path / "s", "ilab").chunks()
