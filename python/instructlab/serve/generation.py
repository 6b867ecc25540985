"""What an inference engine offers the HTTP layer: sampling settings, a running generation, and
the events it yields.

Engines (llama.cpp, transformers) push :class:`Delta` and :class:`Finish` events into a
:class:`Generation`; the HTTP layer turns them into OpenAI responses or server-sent events.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = [
    "Constraint",
    "Delta",
    "Engine",
    "EngineError",
    "Finish",
    "Generation",
    "SamplingParams",
    "Scored",
    "StopMatcher",
    "TokenLogprob",
]


class EngineError(Exception):
    """A request the engine cannot serve; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Constraint:
    """Constrained sampling a request asks for: a llama.cpp grammar (GBNF, the ``grammar`` field
    of llama.cpp's server) or a JSON schema (OpenAI's ``response_format``; ``json_object`` is the
    schema of any object). Engines that cannot constrain refuse a request that carries one."""

    kind: str  # "gbnf" or "json_schema"
    #: The grammar's text, or the schema as JSON text.
    text: str

    @classmethod
    def from_request(cls, body: dict[str, Any]) -> Constraint | None:
        """The constraint of a request body, checked (None: free text)."""
        grammar = body.get("grammar")
        fmt = body.get("response_format")
        if fmt is not None and not isinstance(fmt, dict):
            raise EngineError("'response_format' must be an object")
        kind = (fmt or {}).get("type", "text")
        if kind not in ("text", "json_object", "json_schema"):
            raise EngineError(
                "'response_format.type' must be 'text', 'json_object' or 'json_schema'"
            )
        if grammar is not None and kind != "text":
            raise EngineError("give 'grammar' or 'response_format', not both")
        if grammar is not None:
            if not isinstance(grammar, str) or not grammar.strip():
                raise EngineError("'grammar' must be a non-empty GBNF grammar")
            return cls("gbnf", grammar)
        if kind == "text":
            return None
        schema: Any = {"type": "object"}
        if kind == "json_schema":
            spec = (fmt or {}).get("json_schema")
            schema = spec.get("schema") if isinstance(spec, dict) else None
            if not isinstance(schema, dict):
                raise EngineError("'response_format.json_schema.schema' must be a JSON schema")
        return cls("json_schema", json.dumps(schema))


@dataclass
class SamplingParams:
    """How to sample: OpenAI's fields plus llama.cpp's usual extras (top_k, min_p, repeat)."""

    max_tokens: int | None = None
    temperature: float = 1.0
    top_p: float = 1.0
    top_k: int = 40
    min_p: float = 0.05
    presence_penalty: float = 0.0
    frequency_penalty: float = 0.0
    repeat_penalty: float = 1.0
    seed: int | None = None
    stop: list[str] = field(default_factory=list)
    n: int = 1
    #: Constrained sampling (a grammar or a JSON schema); None: free text.
    constraint: Constraint | None = None

    @classmethod
    def from_request(cls, body: dict[str, Any], default_max_tokens: int | None) -> SamplingParams:
        """Reads and checks the sampling fields of a request body."""

        def number(name: str, default: float, low: float, high: float) -> float:
            value = body.get(name)
            if value is None:
                return default
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise EngineError(f"'{name}' must be a number")
            if not low <= value <= high:
                raise EngineError(f"'{name}' must be between {low} and {high}")
            return float(value)

        def integer(name: str, default: int | None, low: int) -> int | None:
            value = body.get(name)
            if value is None:
                return default
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise EngineError(f"'{name}' must be an integer >= {low}")
            return value

        stop = body.get("stop")
        if stop is None:
            stops: list[str] = []
        elif isinstance(stop, str):
            stops = [stop]
        elif isinstance(stop, list) and all(isinstance(s, str) for s in stop):
            stops = [s for s in stop if s]
        else:
            raise EngineError("'stop' must be a string or a list of strings")
        max_tokens = integer("max_completion_tokens", None, 1)
        if max_tokens is None:
            max_tokens = integer("max_tokens", default_max_tokens, 1)
        return cls(
            max_tokens=max_tokens,
            temperature=number("temperature", 1.0, 0.0, 100.0),
            top_p=number("top_p", 1.0, 0.0, 1.0),
            top_k=integer("top_k", 40, 0) or 0,
            min_p=number("min_p", 0.05, 0.0, 1.0),
            presence_penalty=number("presence_penalty", 0.0, -2.0, 2.0),
            frequency_penalty=number("frequency_penalty", 0.0, -2.0, 2.0),
            repeat_penalty=number("repeat_penalty", 1.0, 0.0, 10.0),
            seed=integer("seed", None, 0),
            stop=stops,
            n=integer("n", 1, 1) or 1,
            constraint=Constraint.from_request(body),
        )


@dataclass(frozen=True)
class Delta:
    """New text of choice ``index``."""

    index: int
    text: str


@dataclass(frozen=True)
class Finish:
    """Choice ``index`` is done: ``reason`` is "stop" or "length"."""

    index: int
    reason: str
    completion_tokens: int


@dataclass(frozen=True)
class TokenLogprob:
    """One token of a scored text: its text, where it starts (in characters), its
    log-probability given the tokens before it (None for the first) and the ``top`` most likely
    tokens at its place."""

    token: str
    offset: int
    logprob: float | None
    top: dict[str, float] | None = None


@dataclass(frozen=True)
class Scored:
    """The tokens of a text scored by :meth:`score` (an engine's optional method)."""

    tokens: tuple[TokenLogprob, ...]


_END = object()


class Generation:
    """One request in flight: the engine puts events, the HTTP thread iterates them."""

    def __init__(self, prompt_tokens: int, n: int) -> None:
        self.prompt_tokens = prompt_tokens
        self.n = n
        self._events: queue.Queue[object] = queue.Queue()
        self._cancelled = threading.Event()

    # Engine side.
    def put(self, event: Delta | Finish | Scored) -> None:
        """Hands an event to the reader."""
        self._events.put(event)

    def fail(self, error: EngineError) -> None:
        """Ends the generation with an error the reader raises."""
        self._events.put(error)
        self._events.put(_END)

    def close(self) -> None:
        """Ends the generation (after every choice's :class:`Finish`)."""
        self._events.put(_END)

    @property
    def cancelled(self) -> bool:
        """Whether the client went away."""
        return self._cancelled.is_set()

    # Reader side.
    def cancel(self) -> None:
        """Asks the engine to stop work on this request (the client went away)."""
        self._cancelled.set()

    def __iter__(self) -> Iterator[Delta | Finish]:
        for event in self.events():
            assert isinstance(event, Delta | Finish)
            yield event

    def events(self) -> Iterator[Delta | Finish | Scored]:
        """Every event, :class:`Scored` included (a scoring request yields only that)."""
        while True:
            event = self._events.get()
            if event is _END:
                return
            if isinstance(event, EngineError):
                raise event
            assert isinstance(event, Delta | Finish | Scored)
            yield event


class Engine(Protocol):
    """An inference engine the OpenAI HTTP layer can serve."""

    model_id: str

    @property
    def context_size(self) -> int:
        """Tokens one sequence may hold (prompt and completion)."""
        ...

    def render_chat(self, messages: list[dict[str, Any]]) -> str:
        """The prompt for a conversation, through the model's chat template."""
        ...

    def generate(self, prompt: str, params: SamplingParams) -> Generation:
        """Starts generating ``params.n`` completions of ``prompt``."""
        ...

    # Optional: ``score(text: str, top: int) -> list[TokenLogprob]``, every token of ``text``
    # with its log-probability (what ``echo`` + ``logprobs`` return). The HTTP layer looks for
    # it with ``getattr``; an engine without it answers such requests with HTTP 400.


class StopMatcher:
    """Finds stop strings in growing text, holding back what could be the start of one."""

    def __init__(self, stops: list[str]) -> None:
        self.stops = stops
        self.text = ""
        self.emitted = 0

    def feed(self, piece: str) -> tuple[str, bool]:
        """Adds ``piece``; returns the text safe to emit now and whether a stop string was hit."""
        start = max(0, len(self.text) - max((len(s) for s in self.stops), default=0))
        self.text += piece
        hits = [i for s in self.stops if (i := self.text.find(s, start)) >= 0]
        if hits:
            end = min(hits)
            out = self.text[self.emitted : end]
            self.text = self.text[:end]
            self.emitted = end
            return out, True
        safe = len(self.text)
        for stop in self.stops:
            for k in range(min(len(stop) - 1, len(self.text)), 0, -1):
                if self.text.endswith(stop[:k]):
                    safe = min(safe, len(self.text) - k)
                    break
        out = self.text[self.emitted : safe]
        self.emitted = max(self.emitted, safe)
        return out, False

    def flush(self) -> str:
        """What was held back, at the end of the generation."""
        out = self.text[self.emitted :]
        self.emitted = len(self.text)
        return out
