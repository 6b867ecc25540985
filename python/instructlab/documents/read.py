"""Reading a knowledge document as text: Markdown and plain text as they are (Markdown keeps its
headings, which help a model), PDF by its text layer through ``pypdf``. Nothing is downloaded.
"""

from __future__ import annotations

import re
from pathlib import Path

from instructlab.errors import FileError, MissingExtra

__all__ = ["PDF_SUFFIXES", "SUPPORTED_SUFFIXES", "TEXT_SUFFIXES", "read_document"]

TEXT_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".text", ".rst"})
PDF_SUFFIXES = frozenset({".pdf"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | PDF_SUFFIXES

_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def read_document(path: str | Path) -> str:
    """The text of one knowledge document (Markdown, plain text or PDF).

    Raises:
        FileError: the file is missing, unreadable, of an unsupported type, or holds no text.
    """
    source = Path(path)
    suffix = source.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        kinds = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise FileError(str(source), f"unsupported document type {suffix!r} (supported: {kinds})")
    if suffix in PDF_SUFFIXES:
        text = _read_pdf(source)
    else:
        try:
            raw = source.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise FileError(str(source), f"not UTF-8 text ({exc.reason})") from None
        except OSError as exc:
            raise FileError(str(source), exc.strerror or str(exc)) from None
        text = _clean_markdown(raw)
    if not text.strip():
        raise FileError(str(source), "the document holds no text")
    return text


def _clean_markdown(raw: str) -> str:
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    text = _FRONT_MATTER.sub("", text, count=1)
    return _HTML_COMMENT.sub("", text).strip()


def _read_pdf(source: Path) -> str:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError:
        raise MissingExtra(f"reading the PDF document {source}", "rag", "pypdf") from None
    try:
        reader = PdfReader(source)
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, OSError, ValueError) as exc:
        raise FileError(str(source), f"cannot read the PDF: {exc}") from None
    # Lines inside a PDF paragraph are hard-wrapped; blank lines between pages keep them apart.
    return "\n\n".join(page.strip() for page in pages if page.strip())
