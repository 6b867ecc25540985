"""PDF by its text layer, through PDFium (``pypdfium2``, the ``rag`` extra): lines grouped into
paragraphs by their spacing, headings found by font size, every block with its page number.
Nothing is downloaded and no layout model runs.

A PDF with pages but no text (a scan) is refused by name rather than read as an empty
document: reading it needs OCR, which this reader does not do. Encrypted and damaged files are
named with what is wrong.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from statistics import median
from typing import Any

from instructlab.documents.structure import Block, StructuredDocument
from instructlab.errors import FileError
from instructlab.extras import require

__all__ = ["read_pdf"]

#: A line this much larger than the body text is a heading.
HEADING_RATIO = 1.15
#: Longest heading, in words; a longer line in a large font is text.
HEADING_WORDS = 20


@dataclass
class _Line:
    text: str
    size: float
    top: float
    bottom: float
    page: int


def _open(source: Path) -> Any:
    pdfium = require("pypdfium2", "rag", f"reading the PDF document {source}")
    try:
        return pdfium.PdfDocument(str(source))
    except pdfium.PdfiumError as exc:
        text = str(exc)
        if "password" in text.lower():
            raise FileError(
                str(source), "is encrypted (password-protected); save an unprotected copy"
            ) from None
        raise FileError(str(source), f"is not a readable PDF ({text})") from None
    except OSError as exc:
        raise FileError(str(source), exc.strerror or str(exc)) from None


def _line(chars: list[tuple[str, float, float, float]], page: int) -> _Line | None:
    """A line from its characters (text, font size, top, bottom); ``None`` when blank."""
    text = " ".join("".join(c[0] for c in chars).split())
    if not text:
        return None
    inked = [c for c in chars if not c[0].isspace()]
    return _Line(
        text,
        median(c[1] for c in inked),
        max(c[2] for c in inked),
        min(c[3] for c in inked),
        page,
    )


def _lines(pdf: Any) -> list[_Line]:
    import pypdfium2.raw as raw

    lines: list[_Line] = []
    for number in range(len(pdf)):
        page = pdf[number]
        textpage = page.get_textpage()
        count = textpage.count_chars()
        text = textpage.get_text_range(0, count) if count else ""
        chars: list[tuple[str, float, float, float]] = []
        for index, char in enumerate(text[:count]):
            if char in "\r\n":
                line = _line(chars, number + 1)
                if line is not None:
                    lines.append(line)
                chars = []
                continue
            if char.isspace():
                chars.append((char, 0.0, 0.0, 0.0))
                continue
            size = float(raw.FPDFText_GetFontSize(textpage.raw, index))
            _left, low, _right, high = textpage.get_charbox(index)
            chars.append((char, size, high, low))
        line = _line(chars, number + 1)
        if line is not None:
            lines.append(line)
        textpage.close()
        page.close()
    return lines


def _blocks(lines: list[_Line]) -> list[Block]:
    weights: Counter[float] = Counter()
    for line in lines:
        weights[round(line.size, 1)] += len(line.text)
    body = weights.most_common(1)[0][0] if weights else 0.0
    larger = sorted(
        {round(ln.size, 1) for ln in lines if ln.size > body * HEADING_RATIO}, reverse=True
    )
    level_of = {size: min(index + 1, 6) for index, size in enumerate(larger)}
    blocks: list[Block] = []
    paragraph: list[_Line] = []

    def flush() -> None:
        if paragraph:
            blocks.append(
                Block("paragraph", " ".join(ln.text for ln in paragraph), 0, paragraph[0].page)
            )
            paragraph.clear()

    for line in lines:
        level = level_of.get(round(line.size, 1))
        if level is not None and len(line.text.split()) <= HEADING_WORDS:
            flush()
            blocks.append(Block("heading", line.text, level, line.page))
            continue
        if paragraph:
            last = paragraph[-1]
            height = max(last.top - last.bottom, line.size, 1.0)
            gap = last.bottom - line.top
            if line.page != last.page or gap > 0.8 * height or abs(line.size - last.size) > 0.5:
                flush()
        paragraph.append(line)
    flush()
    return blocks


def read_pdf(path: str | Path) -> StructuredDocument:
    """The blocks of a PDF's text layer.

    Raises:
        FileError: the file is encrypted, damaged, or has no text layer (a scan: named).
        MissingExtra: ``pypdfium2`` is not installed.
    """
    source = Path(path)
    pdf = _open(source)
    try:
        pages = len(pdf)
        lines = _lines(pdf)
    finally:
        pdf.close()
    if not lines:
        if pages:
            raise FileError(
                str(source),
                f"has no text layer ({pages} pages of images: a scan?); it needs OCR, which "
                "conversion does not do: convert it with an OCR tool first",
            )
        raise FileError(str(source), "the document holds no text")
    return StructuredDocument(source, _blocks(lines))
