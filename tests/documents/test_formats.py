"""Markdown and text keep their structure; HTML, Word and PowerPoint go through Docling's
model-free converters (nothing downloaded); the Docling JSON round trip keeps the blocks."""

from __future__ import annotations

from pathlib import Path

from instructlab.documents import convert_document
from instructlab.documents.docling_io import from_docling, to_docling
from instructlab.documents.markdown import parse_markdown

MARKDOWN = """---
title: front matter goes
---
# Pollinators

Bees carry pollen.
They fly by day.

## Lists

- honey bees
- bumble bees
  that buzz

| a | b |
|---|---|
| 1 | 2 |

```
code stays
```

Setext heading
--------------
Last words.
"""


def test_markdown_blocks() -> None:
    doc = parse_markdown(MARKDOWN, Path("p.md"))
    assert [(b.kind, b.level) for b in doc.blocks] == [
        ("heading", 1),
        ("paragraph", 0),
        ("heading", 2),
        ("list_item", 0),
        ("list_item", 0),
        ("table", 0),
        ("code", 0),
        ("heading", 2),
        ("paragraph", 0),
    ]
    assert doc.blocks[1].text == "Bees carry pollen. They fly by day."
    assert doc.blocks[4].text == "bumble bees that buzz"


def test_plain_text_is_paragraphs() -> None:
    doc = parse_markdown("# not a heading\n\nsecond\nline\n", Path("t.txt"), plain=True)
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("paragraph", "# not a heading"),
        ("paragraph", "second line"),
    ]


def test_docling_json_round_trip_keeps_blocks() -> None:
    doc = parse_markdown(MARKDOWN, Path("p.md"))
    back = from_docling(to_docling(doc), Path("p.md"))
    assert [b.kind for b in back.blocks] == [b.kind for b in doc.blocks]
    texts = [b.text for b in back.blocks if b.kind != "table"]
    assert texts == [b.text for b in doc.blocks if b.kind != "table"]
    table = next(b.text for b in back.blocks if b.kind == "table")
    assert [c.strip() for c in table.splitlines()[2].strip("|").split("|")] == ["1", "2"]


def test_html_docx_and_pptx_convert_without_models(tmp_path: Path) -> None:
    import docx
    from pptx import Presentation

    html = tmp_path / "page.html"
    html.write_text(
        "<html><body><h1>Bees</h1><p>Bees carry pollen.</p><ul><li>honey</li></ul></body></html>",
        encoding="utf-8",
    )
    word = docx.Document()
    word.add_heading("Bats", 1)
    word.add_paragraph("Bats pollinate agave at night.")
    word.save(str(tmp_path / "bats.docx"))
    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = "Moths"
    slide.placeholders[1].text = "Moths visit pale flowers."
    deck.save(str(tmp_path / "moths.pptx"))

    page, _ = convert_document(html)
    assert [(b.kind, b.text) for b in page.blocks] == [
        ("heading", "Bees"),
        ("paragraph", "Bees carry pollen."),
        ("list_item", "honey"),
    ]
    bats, native = convert_document(tmp_path / "bats.docx")
    assert native is not None
    assert ("heading", "Bats") in [(b.kind, b.text) for b in bats.blocks]
    assert "Bats pollinate agave at night." in bats.text()
    moths, _ = convert_document(tmp_path / "moths.pptx")
    assert "Moths visit pale flowers." in moths.text()
    assert all(b.page == 1 for b in moths.blocks)
