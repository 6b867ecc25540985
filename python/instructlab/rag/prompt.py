"""Retrieved passages in a chat: put into the user's turn with their sources, trimmed to what
the model's context leaves, and the sources listed under the answer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from instructlab.rag.retrieve import Passage

__all__ = ["CHARS_PER_TOKEN", "RagPrompt", "build_prompt"]

#: Characters per token assumed when fitting passages (a low guess, so the fit is safe).
CHARS_PER_TOKEN = 3.0

_INTRO = (
    "Answer the question using the numbered passages below when they help; they come from "
    "the user's documents.\n\n"
)


@dataclass(frozen=True)
class RagPrompt:
    """What is sent in place of the question, and what was used or cut."""

    content: str
    used: tuple[Passage, ...]
    #: Passages left out whole, and the one cut short (if any), to fit the context.
    dropped: int
    shortened: bool

    def note(self) -> str | None:
        """A line saying what was cut, or ``None``."""
        if not self.dropped and not self.shortened:
            return None
        parts = []
        if self.dropped:
            parts.append(f"{self.dropped} passage{'s' * (self.dropped != 1)} left out")
        if self.shortened:
            parts.append("1 passage shortened")
        return "RAG: " + " and ".join(parts) + " to fit the model's context"


def _tokens(text: str) -> int:
    return int(len(text) / CHARS_PER_TOKEN) + 1


def build_prompt(question: str, passages: Sequence[Passage], room_tokens: int) -> RagPrompt:
    """The question with as many passages (best first) as fit in ``room_tokens``."""
    budget = room_tokens - _tokens(_INTRO) - _tokens(question) - 16
    blocks: list[str] = []
    used: list[Passage] = []
    shortened = False
    for number, passage in enumerate(passages, 1):
        block = f"[{number}] {passage.source}\n{passage.text}\n\n"
        cost = _tokens(block)
        if cost <= budget:
            blocks.append(block)
            used.append(passage)
            budget -= cost
            continue
        if budget > 64 and not shortened:
            keep = int(budget * CHARS_PER_TOKEN) - len(passage.source) - 16
            blocks.append(f"[{number}] {passage.source}\n{passage.text[:keep]}...\n\n")
            used.append(passage)
            shortened = True
        break
    content = _INTRO + "".join(blocks) + f"Question: {question}" if blocks else question
    return RagPrompt(content, tuple(used), len(passages) - len(used), shortened)
