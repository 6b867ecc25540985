"""The SDK's `RAG`: document conversion and the vector store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from instructlab.core._base import ConfiguredBase
from instructlab.core._checked import checked
from instructlab.core._pending import not_yet


class RAG(ConfiguredBase):
    """Retrieval-augmented generation (v1alpha1). Defaults come from the ``rag`` section."""

    @checked
    def convert(self, input_dir: str | Path, output_dir: str | Path | None = None) -> Any:
        """Converts documents (Markdown, text, PDF) to retrieval-ready text."""
        raise not_yet("RAG.convert")

    @checked
    def ingest(self, input_dir: str | Path | None = None) -> Any:
        """Chunks, embeds and stores converted documents."""
        raise not_yet("RAG.ingest")
