"""Document reading (Markdown, text, PDF, Office, HTML) and word-count chunking."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from instructlab import documents
from instructlab.errors import FileError, UsageError


def _pdf(path: Path, lines: list[str]) -> Path:
    """A minimal one-page PDF with the given text lines (Helvetica), built byte by byte."""
    stream = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({line}) '" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    path.write_bytes(bytes(out))
    return path


def test_markdown_loses_front_matter_and_comments(tmp_path: Path) -> None:
    doc = tmp_path / "a.md"
    doc.write_text("---\ntitle: x\n---\n# Bees\n\n<!-- hidden -->Bees fly.\r\n", encoding="utf-8")
    assert documents.read_document(doc) == "# Bees\n\nBees fly."


def test_plain_text_is_read_as_is(tmp_path: Path) -> None:
    doc = tmp_path / "a.txt"
    doc.write_text("One line.\nTwo lines.\n", encoding="utf-8")
    assert documents.read_document(doc) == "One line.\nTwo lines."


def test_pdf_text_is_extracted(tmp_path: Path) -> None:
    doc = _pdf(tmp_path / "bees.pdf", ["Honey bees live in colonies.", "Moths fly at night."])
    text = documents.read_document(doc)
    assert "Honey bees live in colonies." in text
    assert "Moths fly at night." in text


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.xlsx", b"x", "unsupported document type '.xlsx'"),
        ("empty.md", b"  \n", "holds no text"),
        ("bad.md", b"\xff\xfe\x00", "not UTF-8"),
        ("broken.pdf", b"%PDF-1.4 nonsense", "not a readable PDF"),
    ],
)
def test_unreadable_documents_are_named(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    doc = tmp_path / name
    doc.write_bytes(content)
    with pytest.raises(FileError, match=message) as caught:
        documents.read_document(doc)
    assert str(doc) in caught.value.message


def test_a_missing_document_is_named(tmp_path: Path) -> None:
    with pytest.raises(FileError, match=r"gone\.md"):
        documents.read_document(tmp_path / "gone.md")


def test_every_bad_document_is_reported_at_once(tmp_path: Path) -> None:
    good = tmp_path / "good.md"
    good.write_text("Fine text here.", encoding="utf-8")
    with pytest.raises(FileError, match="2 documents") as caught:
        documents.ingest_documents([good, tmp_path / "a.md", tmp_path / "b.md"])
    assert "a.md" in caught.value.message and "b.md" in caught.value.message


def test_chunks_respect_the_word_limit_and_sentences() -> None:
    sentences = [f"Sentence number {i} has exactly seven words." for i in range(30)]
    text = " ".join(sentences)
    chunks = documents.chunk_text(text, 50)
    assert all(len(c.split()) <= 50 for c in chunks)
    # 7 words per sentence, so 7 sentences (49 words) per chunk, none cut in half.
    assert [len(c.split()) for c in chunks] == [49, 49, 49, 49, 14]
    assert all(c.endswith("words.") for c in chunks)


def test_a_heading_stays_with_its_paragraph() -> None:
    text = "# Part one\n\n" + "Alpha beta gamma. " * 10 + "\n\n## Part two\n\n" + "Delta. " * 5
    chunks = documents.chunk_text(text, 35)
    assert chunks[0].startswith("# Part one\nAlpha")
    assert chunks[1].startswith("## Part two\nDelta.")


def test_a_paragraph_starts_a_new_chunk_when_the_chunk_is_half_full() -> None:
    first = "One two three four five six. " * 2  # 12 words
    chunks = documents.chunk_text(f"{first}\n\nSeven eight nine.", 20)
    assert len(chunks) == 2
    small = documents.chunk_text("Short one.\n\nShort two.", 20)
    assert small == ["Short one.\n\nShort two."]


def test_an_overlong_sentence_is_cut_between_words() -> None:
    text = " ".join(f"w{i}" for i in range(25))
    chunks = documents.chunk_text(text, 10)
    assert [len(c.split()) for c in chunks] == [10, 10, 5]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text(alphabet="abc .!?\n#", min_size=0, max_size=80), min_size=0, max_size=12).map(
        "\n\n".join
    ),
    st.integers(min_value=1, max_value=40),
)
def test_chunking_keeps_every_word_in_order(text: str, limit: int) -> None:
    chunks = documents.chunk_text(text, limit)
    assert [w for c in chunks for w in c.split()] == text.split()
    assert all(0 < len(c.split()) <= limit for c in chunks)


def test_chunk_size_fits_the_server_context() -> None:
    assert documents.fit_chunk_word_count(1000) == 1000
    assert documents.fit_chunk_word_count(3000, 4096) == int((4096 - 1024) / 1.3)
    assert documents.fit_chunk_word_count(100, 4096) == 100
    # A small context gives half of itself to the chunk.
    assert documents.fit_chunk_word_count(1000, 1024) == int(512 / 1.3)
    with pytest.raises(UsageError, match="--server-ctx-size 20"):
        documents.fit_chunk_word_count(1000, 20)
    with pytest.raises(UsageError, match="--chunk-word-count"):
        documents.fit_chunk_word_count(0)


def test_ingest_reports_chunks(tmp_path: Path) -> None:
    doc = tmp_path / "d.md"
    doc.write_text("Word. " * 300, encoding="utf-8")
    (ingested,) = documents.ingest_documents([doc], chunk_word_count=1000, server_ctx_size=512)
    assert ingested.chunk_word_count == int(256 / 1.3)
    assert ingested.words == 300
    assert len(ingested.chunks) == -(-300 // ingested.chunk_word_count)
    assert documents.chunk_documents([doc, doc], 100) == list(ingested_chunks(doc, 100)) * 2


def ingested_chunks(doc: Path, words: int) -> tuple[str, ...]:
    return documents.ingest_document(doc, words).chunks
