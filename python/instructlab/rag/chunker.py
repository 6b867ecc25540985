"""Heading-aware, token-bounded chunks.

A chunk holds whole sentences of one section (a heading and what follows it, up to the next
heading of the same or a higher level), never more than ``max_tokens`` tokens *including* the
heading path it is embedded with, counted by the embedding model's own tokenizer — Docling's
HybridChunker, which InstructLab uses, can overshoot its limit. Sentences longer than the limit
are cut between words. Every text is tokenised once, in one batch per document (the counts add
up: BERT's tokenizer splits on whitespace first), so chunking is linear in the document's
length; every finished chunk is counted again and split if the sum was off.

Without an embedding model (BM25 only), tokens are estimated: 1.3 per word plus punctuation.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from instructlab.documents.structure import StructuredDocument

__all__ = ["DEFAULT_CHUNK_TOKENS", "Chunk", "chunk_document", "estimate_tokens"]

#: Chunk size without an embedding model (InstructLab's default, in tokens).
DEFAULT_CHUNK_TOKENS = 150
#: Tokens the model adds around every text ([CLS] and [SEP]).
SPECIAL_TOKENS = 2

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+")
_WORD = re.compile(r"\w+|[^\w\s]")

TokenCounter = Callable[[Sequence[str]], list[int]]


def estimate_tokens(texts: Sequence[str]) -> list[int]:
    """Token estimates without a tokenizer: 1.3 per word, 1 per punctuation mark."""
    counts = []
    for text in texts:
        pieces = _WORD.findall(text)
        words = sum(1 for p in pieces if p[0].isalnum() or p[0] == "_")
        counts.append(int(words * 1.3 + (len(pieces) - words) + 0.999))
    return counts


@dataclass(frozen=True)
class Chunk:
    """A piece of a document, as stored and retrieved."""

    #: The document's name (its path relative to the input folder).
    document: str
    #: Position in the document (0-based).
    index: int
    #: The headings above the chunk, outermost first.
    headings: tuple[str, ...]
    #: The page of its first block, when the format has pages.
    page: int | None
    #: Its text.
    text: str
    #: Tokens of :attr:`embedded` (counted or estimated, special tokens excluded).
    tokens: int

    @property
    def embedded(self) -> str:
        """What is embedded and indexed: the heading path, then the text."""
        if not self.headings:
            return self.text
        return " > ".join(self.headings) + "\n" + self.text

    @property
    def hash(self) -> str:
        """SHA-256 of what is embedded (32 hex digits): equal texts share their vector."""
        return hashlib.sha256(self.embedded.encode("utf-8")).hexdigest()[:32]


@dataclass
class _Unit:
    text: str
    page: int | None
    tokens: int
    block: int


def _units(
    doc: StructuredDocument,
) -> list[tuple[tuple[str, ...], list[tuple[str, int | None, int]]]]:
    """Sections: the heading path, and the sentences (text, page, block number) under it."""
    sections: list[tuple[tuple[str, ...], list[tuple[str, int | None, int]]]] = []
    path: list[tuple[int, str]] = []
    current: list[tuple[str, int | None, int]] = []
    for number, block in enumerate(doc.blocks):
        if block.kind == "heading":
            if current:
                sections.append((tuple(t for _, t in path), current))
                current = []
            while path and path[-1][0] >= block.level:
                path.pop()
            path.append((block.level, block.text))
            continue
        if block.kind in ("table", "code"):
            pieces = [line for line in block.text.split("\n") if line.strip()]
        else:
            pieces = [s.strip() for s in _SENTENCE_END.split(block.text) if s.strip()]
        current.extend((piece, block.page, number) for piece in pieces)
    if current:
        sections.append((tuple(t for _, t in path), current))
    return sections


def _join(units: list[_Unit]) -> str:
    out: list[str] = []
    for i, unit in enumerate(units):
        if i:
            out.append("\n\n" if unit.block != units[i - 1].block else " ")
        out.append(unit.text)
    return "".join(out)


def chunk_document(
    doc: StructuredDocument,
    max_tokens: int,
    count: TokenCounter = estimate_tokens,
    name: str | None = None,
) -> list[Chunk]:
    """The chunks of ``doc``: each at most ``max_tokens`` tokens as ``count`` counts them
    (heading path included, the model's special tokens excluded)."""
    sections = _units(doc)
    flat = [text for _, units in sections for text, _, _ in units]
    heads = [" > ".join(h) + "\n" if h else "" for h, _ in sections]
    counts = count(flat + heads) if flat else []
    unit_counts, head_counts = counts[: len(flat)], counts[len(flat) :]
    label = name or doc.name
    chunks: list[tuple[tuple[str, ...], list[_Unit]]] = []
    position = 0
    for (headings, units), head_tokens in zip(sections, head_counts, strict=False):
        budget = max(max_tokens - head_tokens, 8)
        current: list[_Unit] = []
        used = 0
        for text, page, block in units:
            tokens = unit_counts[position]
            position += 1
            if tokens > budget:
                if current:
                    chunks.append((headings, current))
                    current, used = [], 0
                for part in _split_words(text, budget, count):
                    chunks.append((headings, [_Unit(part, page, 0, block)]))
                continue
            if current and used + tokens > budget:
                chunks.append((headings, current))
                current, used = [], 0
            current.append(_Unit(text, page, tokens, block))
            used += tokens
        if current:
            chunks.append((headings, current))
    return _finish(label, chunks, max_tokens, count)


def _split_words(text: str, budget: int, count: TokenCounter) -> list[str]:
    words = text.split()
    sizes = count(words)
    parts: list[str] = []
    current: list[str] = []
    used = 0
    for word, size in zip(words, sizes, strict=False):
        if current and used + size > budget:
            parts.append(" ".join(current))
            current, used = [], 0
        if size > budget:  # one "word" longer than a chunk (a URL, a hash): cut its characters
            step = max(1, len(word) * budget // (size + 1))
            parts.extend(word[i : i + step] for i in range(0, len(word), step))
            continue
        current.append(word)
        used += size
    if current:
        parts.append(" ".join(current))
    return parts


def _finish(
    label: str,
    pieces: list[tuple[tuple[str, ...], list[_Unit]]],
    max_tokens: int,
    count: TokenCounter,
) -> list[Chunk]:
    """Chunks from their units, counted again in one batch; any over the limit (the sum of its
    sentences' counts was off) is halved until it fits."""
    drafts = [Chunk(label, 0, h, units[0].page, _join(units), 0) for h, units in pieces]
    real = count([d.embedded for d in drafts]) if drafts else []
    out: list[Chunk] = []
    for (headings, units), tokens in zip(pieces, real, strict=False):
        out.extend(_fit(label, headings, units, tokens, max_tokens, count))
    return [Chunk(c.document, i, c.headings, c.page, c.text, c.tokens) for i, c in enumerate(out)]


def _fit(
    label: str,
    headings: tuple[str, ...],
    units: list[_Unit],
    tokens: int,
    max_tokens: int,
    count: TokenCounter,
) -> list[Chunk]:
    draft = Chunk(label, 0, headings, units[0].page, _join(units), tokens)
    if tokens <= max_tokens:
        return [draft]
    if len(units) == 1:
        return [_truncated(draft, max_tokens, count)]
    half = len(units) // 2
    out: list[Chunk] = []
    for part in (units[:half], units[half:]):
        text = _join(part)
        probe = Chunk(label, 0, headings, part[0].page, text, 0)
        out.extend(_fit(label, headings, part, count([probe.embedded])[0], max_tokens, count))
    return out


def _truncated(draft: Chunk, max_tokens: int, count: TokenCounter) -> Chunk:
    """A single over-long unit (rare: a tokenizer whose counts do not add up): drop words from
    its end until it fits."""
    words = draft.text.split()
    while len(words) > 1:
        words = words[: max(1, len(words) * 9 // 10)]
        text = " ".join(words)
        candidate = Chunk(draft.document, 0, draft.headings, draft.page, text, 0)
        tokens = count([candidate.embedded])[0]
        if tokens <= max_tokens:
            return Chunk(draft.document, 0, draft.headings, draft.page, text, tokens)
    return Chunk(draft.document, 0, draft.headings, draft.page, " ".join(words), max_tokens)
