"""Reply rules of the mock server: which prompts a rule answers, what it says, how it fails.

A test scripts the mock with a list of :class:`Rule`; the first rule whose ``match`` fits the
request answers it. ``match`` is a substring of the prompt ("" matches everything), a compiled
regular expression searched in the prompt, or a function of the :class:`Call`; ``replies`` is a
list of texts (one is picked per choice, deterministically) or a function of the :class:`Call`
that computes the text, e.g. a judge's score derived from the question id and turn in the prompt.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Call", "Rule", "digest", "rules_from_file"]


def digest(*parts: Any) -> int:
    """A stable 64-bit number from ``parts`` (the mock's only source of variety)."""
    text = "\x1f".join(map(str, parts)).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")


@dataclass(frozen=True)
class Call:
    """What a scripted reply can look at."""

    prompt: str
    choice: int
    seed: int | None
    model: str
    kind: str
    body: dict[str, Any]

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The chat messages of the request (``[]`` for a completion)."""
        messages = self.body.get("messages")
        return [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []

    @property
    def last_user(self) -> str:
        """The text of the last user message (the whole prompt for a completion)."""
        for message in reversed(self.messages):
            if message.get("role") == "user":
                return str(message.get("content") or "")
        return self.prompt


Matcher = str | re.Pattern[str] | Callable[[Call], bool]


@dataclass
class Rule:
    """Replies for requests ``match`` fits, plus fault rates."""

    match: Matcher
    replies: Sequence[str] | Callable[[Call], str]
    error_rate: float = 0.0
    rate_429: float = 0.0
    hang_rate: float = 0.0
    #: Reply with HTTP 400 "context length exceeded" (every time).
    overflow: bool = False
    #: A listed reply is repeated this many times; ``{k}`` in it is the repetition's index and
    #: ``{h}`` a hash of the prompt, seed and choice (so different prompts get different text).
    repeat: int = 1

    @property
    def name(self) -> str:
        """How the server's statistics count this rule's requests."""
        if isinstance(self.match, str):
            return self.match
        if isinstance(self.match, re.Pattern):
            return self.match.pattern
        return getattr(self.match, "__name__", "rule")

    def fits(self, call: Call) -> bool:
        """Whether this rule answers ``call``."""
        if isinstance(self.match, str):
            return self.match in call.prompt
        if isinstance(self.match, re.Pattern):
            return self.match.search(call.prompt) is not None
        return bool(self.match(call))

    def reply(self, call: Call) -> str:
        """The text for one choice."""
        if callable(self.replies):
            return self.replies(call)
        replies = list(self.replies)
        if not replies:
            return ""
        number = digest(call.prompt, call.seed, call.choice)
        text = replies[number % len(replies)]
        if "{" not in text:
            return text * self.repeat if self.repeat > 1 else text
        h = f"{number & 0xFFFFFFFF:08x}"
        return "".join(text.replace("{h}", h).replace("{k}", str(k)) for k in range(self.repeat))


def rules_from_file(path: Path) -> list[Rule]:
    """Rules from a YAML list of ``{match, replies, error_rate, rate_429, hang_rate, overflow,
    repeat}`` (``match`` is a substring; ``regex: true`` makes it a regular expression)."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    rules = []
    for r in data:
        match: Matcher = str(r.get("match", ""))
        if r.get("regex"):
            match = re.compile(str(match))
        rules.append(
            Rule(
                match,
                [str(x) for x in r.get("replies", [])],
                float(r.get("error_rate", 0)),
                float(r.get("rate_429", 0)),
                float(r.get("hang_rate", 0)),
                bool(r.get("overflow", False)),
                int(r.get("repeat", 1)),
            )
        )
    return rules
