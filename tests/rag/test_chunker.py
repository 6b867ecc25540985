"""Chunks are bounded by tokens (headings included), keep their section and page, lose no word."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from instructlab.documents import Block, StructuredDocument
from instructlab.documents.markdown import parse_markdown
from instructlab.rag import Embedder, chunk_document, estimate_tokens

from .tiny import write_sentence_model

DOC = """# Pollinators

## Bees

Honey bees live in colonies. They are moved between farms. Bumble bees buzz.

## Bats

Bats pollinate agave at night.
"""


def test_chunks_keep_their_headings_and_stay_in_their_section() -> None:
    doc = parse_markdown(DOC, Path("p.md"))
    chunks = chunk_document(doc, 200, name="docs/p.md")
    assert [c.headings for c in chunks] == [("Pollinators", "Bees"), ("Pollinators", "Bats")]
    assert chunks[1].embedded == "Pollinators > Bats\nBats pollinate agave at night."
    assert [c.index for c in chunks] == [0, 1] and chunks[0].document == "docs/p.md"
    assert chunks[0].hash != chunks[1].hash and len(chunks[0].hash) == 32


def test_pages_follow_the_first_block() -> None:
    doc = StructuredDocument(
        Path("r.pdf"),
        [Block("heading", "Intro", 1, 1), Block("paragraph", "One.", 0, 1),
         Block("paragraph", "Two.", 0, 2), Block("heading", "Next", 1, 3),
         Block("paragraph", "Three.", 0, 3)],
    )  # fmt: skip
    chunks = chunk_document(doc, 200)
    assert [(c.page, c.text) for c in chunks] == [(1, "One.\n\nTwo."), (3, "Three.")]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.text(alphabet="abcdefg hij.,!?\n", min_size=0, max_size=300), min_size=1, max_size=6
    ),
    st.integers(min_value=12, max_value=80),
)
def test_no_chunk_is_over_the_limit_and_no_word_is_lost(paragraphs: list[str], limit: int) -> None:
    doc = StructuredDocument(
        Path("x.md"),
        [Block("heading", "Title", 1)] + [Block("paragraph", p) for p in paragraphs if p.strip()],
    )
    chunks = chunk_document(doc, limit)
    for chunk in chunks:
        assert estimate_tokens([chunk.embedded])[0] <= limit
        assert chunk.tokens <= limit
    words = "".join("".join(p.split()) for p in paragraphs)
    assert "".join("".join(c.text.split()) for c in chunks) == words


def test_the_models_tokenizer_bounds_chunks(tmp_path: Path) -> None:
    embedder = Embedder.load(write_sentence_model(tmp_path / "m", max_seq_length=24), "native")
    text = " ".join(["Bees pollinate flowers."] * 40)
    doc = StructuredDocument(Path("b.md"), [Block("heading", "Bees", 1), Block("paragraph", text)])
    chunks = chunk_document(doc, 22, embedder.count_tokens)
    assert len(chunks) > 5
    counts = embedder.count_tokens([c.embedded for c in chunks])
    assert max(counts) <= 22
    assert [c.tokens for c in chunks] == counts


def test_a_sentence_longer_than_a_chunk_is_cut_between_words() -> None:
    sentence = " ".join(f"w{i}" for i in range(300)) + "."
    doc = StructuredDocument(Path("l.md"), [Block("paragraph", sentence)])
    chunks = chunk_document(doc, 40)
    assert len(chunks) > 5
    assert " ".join(c.text for c in chunks).split() == sentence.split()
