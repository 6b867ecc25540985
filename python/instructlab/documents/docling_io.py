"""The bridge to Docling (the ``rag`` extra): its model-free converters for HTML, Word and
PowerPoint files, and its JSON document format (DoclingDocument v2), which conversion writes and
ingestion reads back. Docling's layout and OCR models are never used, so nothing is downloaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from instructlab.documents.structure import Block, StructuredDocument
from instructlab.errors import FileError
from instructlab.extras import require

__all__ = [
    "DOCLING_SUFFIXES",
    "convert_with_docling",
    "from_docling",
    "load_docling_json",
    "to_docling",
]

#: Formats converted by Docling's model-free backends.
DOCLING_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".docx", ".pptx"})

_FEATURE = "converting HTML, Word and PowerPoint documents"


def convert_with_docling(path: str | Path) -> tuple[StructuredDocument, Any]:
    """An HTML, DOCX or PPTX file as blocks, with the DoclingDocument it was read from.

    Raises:
        FileError: Docling could not read the file.
        MissingExtra: Docling is not installed.
    """
    source = Path(path)
    require("docling.document_converter", "rag", _FEATURE)
    from docling.datamodel.base_models import ConversionStatus, InputFormat
    from docling.document_converter import DocumentConverter

    converter = DocumentConverter(
        allowed_formats=[InputFormat.HTML, InputFormat.DOCX, InputFormat.PPTX]
    )
    try:
        result = converter.convert(source, raises_on_error=False)
    except Exception as exc:  # Docling raises many kinds for a broken file; name the file.
        raise FileError(str(source), f"cannot be converted ({exc})") from None
    if result.status not in (ConversionStatus.SUCCESS, ConversionStatus.PARTIAL_SUCCESS):
        reasons = "; ".join(e.error_message for e in result.errors) or str(result.status.value)
        raise FileError(str(source), f"cannot be converted ({reasons})")
    return from_docling(result.document, source), result.document


def from_docling(document: Any, source: Path) -> StructuredDocument:
    """The blocks of a DoclingDocument, in reading order."""
    from docling_core.types.doc import (
        CodeItem,
        ListItem,
        SectionHeaderItem,
        TableItem,
        TextItem,
        TitleItem,
    )

    doc = StructuredDocument(source)
    for item, _depth in document.iterate_items():
        page = item.prov[0].page_no if getattr(item, "prov", None) else None
        if isinstance(item, TableItem):
            text = item.export_to_markdown(document).strip()
            if text:
                doc.blocks.append(Block("table", text, 0, page))
            continue
        if not isinstance(item, TextItem) or not item.text.strip():
            continue
        text = item.text.strip()
        if isinstance(item, TitleItem):
            doc.blocks.append(Block("heading", text, 1, page))
        elif isinstance(item, SectionHeaderItem):
            # Docling counts section levels from 1 below the title.
            doc.blocks.append(Block("heading", text, item.level + 1, page))
        elif isinstance(item, ListItem):
            doc.blocks.append(Block("list_item", text, 0, page))
        elif isinstance(item, CodeItem):
            doc.blocks.append(Block("code", text, 0, page))
        else:
            doc.blocks.append(Block("paragraph", text, 0, page))
    return doc


def to_docling(doc: StructuredDocument) -> Any:
    """A DoclingDocument (v2) holding the blocks of ``doc``, pages included."""
    require("docling_core", "rag", "writing Docling JSON documents")
    from docling_core.types.doc import (
        BoundingBox,
        DocItemLabel,
        DoclingDocument,
        ProvenanceItem,
        Size,
    )

    out = DoclingDocument(name=doc.source.stem)
    for page in sorted({b.page for b in doc.blocks if b.page is not None}):
        out.add_page(page_no=page, size=Size(width=612, height=792))
    group = None
    for block in doc.blocks:
        prov = None
        if block.page is not None:
            prov = ProvenanceItem(
                page_no=block.page,
                bbox=BoundingBox(l=0, t=0, r=612, b=792),
                charspan=(0, len(block.text)),
            )
        if block.kind != "list_item":
            group = None
        if block.kind == "heading":
            if block.level <= 1:
                out.add_title(text=block.text, prov=prov)
            else:
                out.add_heading(text=block.text, level=block.level - 1, prov=prov)
        elif block.kind == "list_item":
            if group is None:
                group = out.add_list_group()
            out.add_list_item(text=block.text, parent=group, prov=prov)
        elif block.kind == "code":
            out.add_code(text=block.text, prov=prov)
        elif block.kind == "table":
            out.add_table(data=_table_data(block.text), prov=prov)
        else:
            out.add_text(label=DocItemLabel.TEXT, text=block.text, prov=prov)
    return out


def _table_data(markdown: str) -> Any:
    """A Markdown table as Docling's table data (the first row is the header)."""
    from docling_core.types.doc import TableCell, TableData

    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in markdown.splitlines()
        if line.strip() and not set(line.strip()) <= set("|-: ")
    ]
    width = max((len(r) for r in rows), default=0)
    cells = [
        TableCell(
            text=text,
            start_row_offset_idx=r,
            end_row_offset_idx=r + 1,
            start_col_offset_idx=c,
            end_col_offset_idx=c + 1,
            column_header=r == 0,
        )
        for r, row in enumerate(rows)
        for c, text in enumerate(row)
    ]
    return TableData(num_rows=len(rows), num_cols=width, table_cells=cells)


def load_docling_json(path: str | Path) -> StructuredDocument:
    """The blocks of a Docling JSON file (as ``ilab rag convert`` writes them).

    Raises:
        FileError: the file is not a Docling document.
    """
    from instructlab.fileio import read_text

    source = Path(path)
    require("docling_core", "rag", "reading Docling JSON documents")
    from docling_core.types.doc import DoclingDocument
    from pydantic import ValidationError

    text = read_text(source, what="a Docling JSON document")
    try:
        document = DoclingDocument.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]["msg"] if exc.errors() else str(exc)
        raise FileError(str(source), f"not a Docling JSON document ({first})") from None
    origin = document.origin.filename if document.origin is not None else f"{document.name}"
    return from_docling(document, Path(origin or source.name))
