"""A converted document: its blocks in reading order (headings, paragraphs, list items, tables,
code), each with the page it is on. What RAG chunks and what conversion writes out."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

__all__ = ["Block", "BlockKind", "StructuredDocument"]

BlockKind = Literal["heading", "paragraph", "list_item", "table", "code"]


@dataclass(frozen=True)
class Block:
    """One block of text. ``level`` is a heading's depth (1 = top); ``page`` is 1-based, or
    ``None`` for formats without pages."""

    kind: BlockKind
    text: str
    level: int = 0
    page: int | None = None


@dataclass
class StructuredDocument:
    """A document as blocks, with the file it came from."""

    source: Path
    blocks: list[Block] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The source's file name."""
        return self.source.name

    def text(self) -> str:
        """All the text, blocks apart by blank lines."""
        return "\n\n".join(b.text for b in self.blocks if b.text.strip())

    def to_markdown(self) -> str:
        """The document as Markdown: headings with their level, list items as bullets."""
        parts: list[str] = []
        for block in self.blocks:
            if block.kind == "heading":
                parts.append(f"{'#' * max(1, min(block.level, 6))} {block.text}")
            elif block.kind == "list_item":
                parts.append(f"- {block.text}")
            elif block.kind == "code":
                parts.append(f"```\n{block.text}\n```")
            else:
                parts.append(block.text)
        return "\n\n".join(parts).strip() + "\n"
