"""Markdown and plain text as blocks, with no dependency: ATX and underlined headings, fenced
code, list items, tables (kept as Markdown) and paragraphs. Front matter and HTML comments go,
as they do in :func:`instructlab.documents.read_document`."""

from __future__ import annotations

import re
from pathlib import Path

from instructlab.documents.structure import Block, StructuredDocument

__all__ = ["parse_markdown"]

_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_ATX = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_LIST = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_TABLE = re.compile(r"^\s*\|")


def parse_markdown(text: str, source: Path, plain: bool = False) -> StructuredDocument:
    """The blocks of Markdown ``text`` (``plain``: text, where only blank lines mean something)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    doc = StructuredDocument(source)
    if plain:
        for para in re.split(r"\n\s*\n", text):
            if para.strip():
                doc.blocks.append(Block("paragraph", " ".join(para.split())))
        return doc
    text = _HTML_COMMENT.sub("", _FRONT_MATTER.sub("", text, count=1))
    lines = text.split("\n")
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            joined = " ".join(line.strip() for line in paragraph).strip()
            if joined:
                doc.blocks.append(Block("paragraph", joined))
            paragraph.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        if _FENCE.match(line):
            flush()
            fence = _FENCE.match(line).group(1)  # type: ignore[union-attr]
            body: list[str] = []
            i += 1
            while i < len(lines) and not lines[i].lstrip().startswith(fence):
                body.append(lines[i])
                i += 1
            if "\n".join(body).strip():
                doc.blocks.append(Block("code", "\n".join(body).strip("\n")))
            i += 1
            continue
        heading = _ATX.match(line)
        if heading:
            flush()
            if heading.group(2):
                doc.blocks.append(Block("heading", heading.group(2), len(heading.group(1))))
            i += 1
            continue
        if paragraph and len(paragraph) == 1 and _SETEXT.match(line):
            title = paragraph[0].strip()
            paragraph.clear()
            doc.blocks.append(Block("heading", title, 1 if line.strip()[0] == "=" else 2))
            i += 1
            continue
        if _TABLE.match(line):
            flush()
            rows = []
            while i < len(lines) and _TABLE.match(lines[i]):
                rows.append(lines[i].strip())
                i += 1
            doc.blocks.append(Block("table", "\n".join(rows)))
            continue
        item = _LIST.match(line)
        if item:
            flush()
            parts = [item.group(1).strip()]
            i += 1
            # A list item goes on over indented continuation lines.
            while i < len(lines) and lines[i].startswith((" ", "\t")) and lines[i].strip():
                if _LIST.match(lines[i]):
                    break
                parts.append(lines[i].strip())
                i += 1
            if " ".join(parts).strip():
                doc.blocks.append(Block("list_item", " ".join(parts)))
            continue
        if not line.strip():
            flush()
        else:
            paragraph.append(line)
        i += 1
    flush()
    return doc
