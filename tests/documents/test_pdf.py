"""PDF by its text layer: headings by font size, paragraphs by spacing, pages, bad files named."""

from __future__ import annotations

from pathlib import Path

import pytest

from instructlab.documents import convert_document, read_document
from instructlab.documents.pdf import read_pdf
from instructlab.errors import FileError

from .pdfs import encrypt_pdf, write_pdf

BODY = 11.0


def _report(path: Path) -> Path:
    return write_pdf(
        path,
        [
            [
                (24, "Pollinators"),
                (16, "Bees"),
                (BODY, "Honey bees live in colonies of many workers."),
                (BODY, "They are moved between farms in hives."),
            ],
            [(16, "Bats"), (BODY, "Bats pollinate agave at night.")],
        ],
    )


def test_headings_paragraphs_and_pages(tmp_path: Path) -> None:
    doc = read_pdf(_report(tmp_path / "r.pdf"))
    kinds = [(b.kind, b.level, b.page) for b in doc.blocks]
    assert kinds == [
        ("heading", 1, 1),
        ("heading", 2, 1),
        ("paragraph", 0, 1),
        ("heading", 2, 2),
        ("paragraph", 0, 2),
    ]
    assert doc.blocks[2].text == (
        "Honey bees live in colonies of many workers. They are moved between farms in hives."
    )
    assert doc.to_markdown().startswith("# Pollinators\n\n## Bees\n\n")


def test_sdg_reads_pdf_text_through_the_same_reader(tmp_path: Path) -> None:
    text = read_document(_report(tmp_path / "r.pdf"))
    assert "Bats pollinate agave at night." in text and "Pollinators" in text


def test_a_scan_is_named_not_read_as_empty(tmp_path: Path) -> None:
    scan = write_pdf(tmp_path / "scan.pdf", [[], []])
    with pytest.raises(FileError, match="no text layer") as caught:
        convert_document(scan)
    assert "scan.pdf" in str(caught.value)


def test_an_encrypted_pdf_is_named(tmp_path: Path) -> None:
    locked = encrypt_pdf(_report(tmp_path / "r.pdf"), tmp_path / "locked.pdf")
    with pytest.raises(FileError, match="encrypted") as caught:
        read_pdf(locked)
    assert "locked.pdf" in str(caught.value)


def test_a_damaged_pdf_is_named(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n1 0 obj <<\n")
    with pytest.raises(FileError, match="not a readable PDF") as caught:
        read_pdf(broken)
    assert "broken.pdf" in str(caught.value)
