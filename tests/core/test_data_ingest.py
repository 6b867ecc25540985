"""`Data.ingest`: SDG reads documents through the same conversion as RAG (PDF, Office, HTML)."""

from __future__ import annotations

from pathlib import Path

import pytest

from documents.pdfs import write_pdf
from instructlab.config import Config as ConfigModel
from instructlab.core import Data
from instructlab.errors import FileError


def test_a_folder_of_mixed_documents_is_chunked(tmp_path: Path) -> None:
    import docx

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "bees.md").write_text("# Bees\n\nBees carry pollen between flowers.\n")
    write_pdf(docs / "bats.pdf", [[(18, "Bats"), (11, "Bats pollinate agave at night.")]])
    word = docx.Document()
    word.add_heading("Moths", 1)
    word.add_paragraph("Moths visit pale flowers that open at night.")
    word.save(str(docs / "moths.docx"))
    (docs / "notes.xyz").write_text("skipped: not a document type")
    results = Data(configuration=ConfigModel()).ingest([docs], chunk_word_count=50)
    by_name = {r.source.name: r for r in results}
    assert sorted(by_name) == ["bats.pdf", "bees.md", "moths.docx"]
    assert "Bats pollinate agave at night." in by_name["bats.pdf"].chunks[0]
    assert "# Moths" in by_name["moths.docx"].chunks[0]


def test_a_folder_without_documents_is_named(tmp_path: Path) -> None:
    with pytest.raises(FileError, match="holds no documents"):
        Data(configuration=ConfigModel()).ingest([tmp_path])
