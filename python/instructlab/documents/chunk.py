"""Cutting text into chunks that fit a model's context.

The chunker counts words, never tokens: it packs whole sentences into chunks of at most
``chunk_word_count`` words, starting a new chunk at paragraph boundaries when the current one is
already half full, and it keeps a heading together with the paragraph under it. A word is taken as
1.3 tokens (the estimate InstructLab's chunker uses), so the chunk size can be capped to what the
teacher's context leaves room for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from instructlab.errors import UsageError

__all__ = [
    "DEFAULT_CHUNK_WORD_COUNT",
    "DEFAULT_RESERVED_TOKENS",
    "MIN_CHUNK_WORDS",
    "TOKENS_PER_WORD",
    "chunk_text",
    "fit_chunk_word_count",
]

#: Tokens per word, the rough English estimate used to fit chunks into a context window.
TOKENS_PER_WORD = 1.3
#: Words per chunk unless asked otherwise (InstructLab's default).
DEFAULT_CHUNK_WORD_COUNT = 1000
#: Tokens kept free beside the chunk for the prompt around it and the generated answer.
DEFAULT_RESERVED_TOKENS = 1024
#: A chunk smaller than this cannot carry enough facts to generate from.
MIN_CHUNK_WORDS = 20

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# A sentence ends at . ! or ? (optionally followed by closing quotes or brackets) and whitespace.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s")


@dataclass
class _Chunker:
    limit: int
    chunks: list[str] = field(default_factory=list)
    current: list[str] = field(default_factory=list)
    words: int = 0

    def flush(self) -> None:
        if self.current:
            self.chunks.append(" ".join(self.current).strip())
        self.current = []
        self.words = 0

    def add(self, piece: str, count: int) -> None:
        if self.words + count > self.limit:
            self.flush()
        self.current.append(piece)
        self.words += count


def fit_chunk_word_count(
    chunk_word_count: int = DEFAULT_CHUNK_WORD_COUNT,
    server_ctx_size: int | None = None,
    reserved_tokens: int = DEFAULT_RESERVED_TOKENS,
) -> int:
    """The chunk size to use: ``chunk_word_count``, capped so a chunk fits the teacher's context.

    ``reserved_tokens`` stay free for the prompt around the chunk and the answer. When the
    reserve takes most of a small context, half of the context is given to the chunk instead.

    Raises:
        UsageError: the word count is not positive, or the context leaves no useful room.
    """
    if chunk_word_count <= 0:
        raise UsageError(f"--chunk-word-count must be positive, not {chunk_word_count}")
    if server_ctx_size is None:
        return chunk_word_count
    if server_ctx_size <= 0:
        raise UsageError(f"--server-ctx-size must be positive, not {server_ctx_size}")
    room = max(server_ctx_size - reserved_tokens, server_ctx_size // 2)
    fitting = int(room / TOKENS_PER_WORD)
    if fitting < MIN_CHUNK_WORDS:
        raise UsageError(
            f"--server-ctx-size {server_ctx_size} leaves room for only {fitting} words of a "
            "document per request; serve the teacher with a larger context"
        )
    return min(chunk_word_count, fitting)


def _paragraphs(text: str) -> list[str]:
    """Paragraphs, with each heading attached to the paragraph that follows it."""
    result: list[str] = []
    pending_heading = ""
    for block in _PARAGRAPH_BREAK.split(text):
        block = block.strip()
        if not block:
            continue
        lines = block.splitlines()
        if all(_HEADING.match(line) for line in lines):
            pending_heading = f"{pending_heading}\n{block}".strip()
            continue
        if pending_heading:
            block = f"{pending_heading}\n{block}"
            pending_heading = ""
        result.append(block)
    if pending_heading:
        result.append(pending_heading)
    return result


def _sentences(paragraph: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(paragraph) if s.strip()]


def chunk_text(text: str, chunk_word_count: int = DEFAULT_CHUNK_WORD_COUNT) -> list[str]:
    """Cuts text into chunks of at most ``chunk_word_count`` words, at sentence boundaries.

    A paragraph starts a new chunk when the current chunk is at least half full, so chunks
    rarely end mid-topic; a sentence longer than the limit is cut between words. Words keep
    their order and none is lost: joining the chunks' words gives the text's words.

    Raises:
        UsageError: ``chunk_word_count`` is not positive.
    """
    if chunk_word_count <= 0:
        raise UsageError(f"--chunk-word-count must be positive, not {chunk_word_count}")
    chunker = _Chunker(chunk_word_count)
    for paragraph in _paragraphs(text):
        if chunker.words * 2 >= chunk_word_count:
            chunker.flush()
        first = True
        for sentence in _sentences(paragraph):
            words = sentence.split()
            if len(words) > chunk_word_count:
                for start in range(0, len(words), chunk_word_count):
                    part = words[start : start + chunk_word_count]
                    chunker.add(" ".join(part), len(part))
            else:
                # Paragraph breaks survive inside a chunk as a blank line.
                piece = f"\n\n{sentence}" if first and chunker.current else sentence
                chunker.add(piece, len(words))
            first = False
    chunker.flush()
    return [c.replace(" \n\n", "\n\n") for c in chunker.chunks if c]
