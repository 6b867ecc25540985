"""Reading a knowledge document as text, the same way for SDG and RAG: Markdown and plain text
as they are (Markdown keeps its headings, which help a model) with no dependency beyond the base
install; PDF by its text layer (:mod:`instructlab.documents.pdf`); HTML, Word and PowerPoint
through Docling's model-free converters (:mod:`instructlab.documents.docling_io`). The last two
need the ``rag`` extra. Nothing is downloaded.
"""

from __future__ import annotations

import re
from pathlib import Path

from instructlab.documents.structure import StructuredDocument
from instructlab.errors import FileError

__all__ = [
    "DOCLING_SUFFIXES",
    "PDF_SUFFIXES",
    "SUPPORTED_SUFFIXES",
    "TEXT_SUFFIXES",
    "convert_document",
    "read_document",
]

TEXT_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".text", ".rst"})
PDF_SUFFIXES = frozenset({".pdf"})
DOCLING_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".docx", ".pptx"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | PDF_SUFFIXES | DOCLING_SUFFIXES

_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def _check_suffix(source: Path) -> str:
    suffix = source.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        kinds = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise FileError(str(source), f"unsupported document type {suffix!r} (supported: {kinds})")
    return suffix


def _read_utf8(source: Path) -> str:
    try:
        return source.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise FileError(str(source), f"not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise FileError(str(source), exc.strerror or str(exc)) from None


def read_document(path: str | Path) -> str:
    """The text of one knowledge document (Markdown, text, PDF, HTML, DOCX or PPTX).

    Raises:
        FileError: the file is missing, unreadable, of an unsupported type, or holds no text.
        MissingExtra: a PDF, HTML or Office file without the ``rag`` extra.
    """
    source = Path(path)
    suffix = _check_suffix(source)
    if suffix in TEXT_SUFFIXES:
        text = _clean_markdown(_read_utf8(source))
    else:
        doc, _ = convert_document(source)
        text = doc.text() if suffix in PDF_SUFFIXES else doc.to_markdown().strip()
    if not text.strip():
        raise FileError(str(source), "the document holds no text")
    return text


def convert_document(path: str | Path) -> tuple[StructuredDocument, object | None]:
    """One document as blocks, with the DoclingDocument it came from when Docling read it.

    Raises:
        FileError: the file is missing, unreadable, unsupported, or holds no text.
        MissingExtra: a PDF, HTML or Office file without the ``rag`` extra.
    """
    source = Path(path)
    suffix = _check_suffix(source)
    native: object | None = None
    if suffix in TEXT_SUFFIXES:
        from instructlab.documents.markdown import parse_markdown

        plain = suffix in (".txt", ".text")
        doc = parse_markdown(_read_utf8(source), source, plain=plain)
    elif suffix in PDF_SUFFIXES:
        from instructlab.documents.pdf import read_pdf

        doc = read_pdf(source)
    else:
        from instructlab.documents.docling_io import convert_with_docling

        doc, native = convert_with_docling(source)
    if not any(b.text.strip() for b in doc.blocks):
        raise FileError(str(source), "the document holds no text")
    return doc, native


def _clean_markdown(raw: str) -> str:
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    text = _FRONT_MATTER.sub("", text, count=1)
    return _HTML_COMMENT.sub("", text).strip()
