"""What a scorer is: log-likelihoods of continuations of a context, whatever computes them.

A backend (transformers in-process, vLLM in-process, an OpenAI-compatible endpoint) takes
:class:`Item` s and returns, for each, the log-likelihood of every continuation given the
context: the sum of the log-probabilities of the continuation's tokens. The answer is the
continuation with the highest one (lm-eval's ``acc``).

Tokens are split as lm-eval splits them, so the numbers are comparable: the context and
``context + continuation`` are each tokenised whole (no special tokens added), the continuation's
tokens are what the second has beyond the first, and white space that ends a context moves to
the start of the continuation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

__all__ = ["Item", "Progress", "Scorer", "common_prefix_len", "split_pair"]

#: Called with (items done, items in all) as scoring goes.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Item:
    """A context and the continuations to score after it.

    ``group`` names the text the context shares with others (a subject's few-shot examples):
    a scorer that can reuse work across a group computes that part once.
    """

    group: str
    context: str
    continuations: tuple[str, ...]


class Scorer(Protocol):
    """Something that scores items; ``description`` says what it runs on (for reports)."""

    description: str

    def loglikelihoods(
        self, items: Sequence[Item], progress: Progress | None = None
    ) -> list[tuple[float, ...]]:
        """One tuple per item: the log-likelihood of each of its continuations."""
        ...

    def close(self) -> None:
        """Frees what the scorer holds (a model, a server)."""
        ...


def split_pair(context: str, continuation: str) -> tuple[str, str]:
    """``(context, continuation)`` with the context's trailing white space moved to the
    continuation, as lm-eval tokenises them."""
    spaces = len(context) - len(context.rstrip())
    if spaces:
        return context[:-spaces], context[-spaces:] + continuation
    return context, continuation


def common_prefix_len(sequences: Sequence[Sequence[int]]) -> int:
    """The length of the longest prefix every sequence shares."""
    if not sequences:
        return 0
    first = sequences[0]
    n = min(len(s) for s in sequences)
    for other in sequences[1:]:
        i = 0
        while i < n and other[i] == first[i]:
            i += 1
        n = i
    return n
