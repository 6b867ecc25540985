"""A terminal chat with a model behind an OpenAI-compatible endpoint.

:class:`ChatSession` holds the conversation and talks to the endpoint; :func:`run_terminal` is the
interactive loop (streaming replies, history through readline, multi-line input, ``/commands``).
"""

from __future__ import annotations

import contextlib
import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from instructlab.errors import FileError, ServerError
from instructlab.fileio import atomic_write_text, read_text
from instructlab.llm.endpoint import Endpoint

__all__ = ["HELP", "ChatSession", "run_terminal", "source_lines"]

HELP = """\
Type a message and press Enter. End a line with \\ to continue on the next line.
  /help             this help
  /ml               multi-line mode on or off (end a message with a line holding only '.')
  /clear            forget the conversation so far
  /system [TEXT]    set the system prompt (no TEXT: remove it)
  /model [NAME]     switch model (no NAME: list the endpoint's models)
  /save [FILE]      save the transcript as JSON
  /quit             leave (also /exit, /q or Ctrl-D)"""


@dataclass
class ChatSession:
    """A conversation with one endpoint and model."""

    endpoint: Endpoint
    model: str
    system_prompt: str | None = None
    max_tokens: int | None = None
    temperature: float | None = None
    logs_dir: Path | None = None
    messages: list[dict[str, str]] = field(default_factory=list)
    #: With RAG: turns a question (and the tokens the conversation takes) into the prompt sent
    #: in its place (an :class:`instructlab.rag.RagPrompt`); the history keeps the question.
    augment: Callable[[str, int], Any] | None = None
    #: The RAG prompt of the last question, when ``augment`` is set.
    last_rag: Any = None

    def _options(self) -> dict[str, Any]:
        options: dict[str, Any] = {}
        if self.max_tokens is not None:
            options["max_tokens"] = self.max_tokens
        if self.temperature is not None:
            options["temperature"] = self.temperature
        return options

    def conversation(self) -> list[dict[str, str]]:
        """What is sent: the system prompt, then the turns so far."""
        system = [{"role": "system", "content": self.system_prompt}] if self.system_prompt else []
        return system + self.messages

    def ask(self, question: str, on_text: Callable[[str], None] | None = None) -> str:
        """Sends ``question``; streams the reply to ``on_text``; returns it and keeps both turns."""
        sent = [*self.conversation(), {"role": "user", "content": question}]
        if self.augment is not None:
            used = sum(len(m["content"]) for m in sent[:-1]) // 3
            self.last_rag = self.augment(question, used)
            sent[-1] = {"role": "user", "content": self.last_rag.content}
        self.messages.append({"role": "user", "content": question})
        try:
            if on_text is None:
                reply = self.endpoint.chat(self.model, sent, **self._options())
            else:
                parts = []
                for text in self.endpoint.chat_stream(self.model, sent, **self._options()):
                    parts.append(text)
                    on_text(text)
                reply = "".join(parts)
        except BaseException:
            self.messages.pop()
            raise
        self.messages.append({"role": "assistant", "content": reply})
        return reply

    def clear(self) -> None:
        """Forgets the turns (keeps the system prompt)."""
        self.messages.clear()

    def save(self, path: Path | None = None) -> Path:
        """Writes the transcript as JSON; the default name is under the chat logs directory."""
        if path is None:
            stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
            path = (self.logs_dir or Path.cwd()) / f"chat_{stamp}.json"
        payload = {"model": self.model, "messages": self.conversation()}
        atomic_write_text(path, json.dumps(payload, indent=2, ensure_ascii=False))
        return path

    def load(self, path: Path) -> None:
        """Resumes a transcript saved by :meth:`save`."""
        try:
            payload = json.loads(read_text(path, what="a saved chat transcript"))
            messages = list(payload["messages"])
        except (ValueError, KeyError, TypeError) as exc:
            raise FileError(str(path), f"not a saved chat transcript ({exc})") from None
        if messages and messages[0].get("role") == "system":
            self.system_prompt = messages.pop(0).get("content")
        self.messages = [
            {"role": str(m["role"]), "content": str(m.get("content", ""))} for m in messages
        ]


def source_lines(passages: Any) -> list[str]:
    """``Sources:`` and one line per passage put into the question (none: no lines)."""
    if not passages:
        return []
    return ["Sources:"] + [f"  [{n}] {p.source}" for n, p in enumerate(passages, 1)]


def _read_message(read: Callable[[str], str], multiline: bool) -> str:
    lines: list[str] = []
    prompt = ">>> "
    while True:
        line = read(prompt)
        prompt = "... "
        if multiline and not lines and line.strip().startswith("/"):
            return line  # commands work in multi-line mode too
        if multiline:
            if line.strip() == ".":
                return "\n".join(lines)
            lines.append(line)
        elif line.endswith("\\"):
            lines.append(line[:-1])
        else:
            lines.append(line)
            return "\n".join(lines)


def _command(session: ChatSession, line: str, say: Callable[[str], None]) -> bool | None:
    """Runs a /command; returns False to quit, True if handled, None if not a command."""
    name, _, arg = line[1:].partition(" ")
    arg = arg.strip()
    if name in ("q", "quit", "exit"):
        return False
    if name == "help":
        say(HELP)
    elif name == "clear":
        session.clear()
        say("Conversation cleared.")
    elif name == "system":
        session.system_prompt = arg or None
        say(f"System prompt set to: {arg}" if arg else "System prompt removed.")
    elif name == "model":
        if arg:
            session.model = arg
            say(f"Now chatting with {arg}.")
        else:
            say("Models: " + ", ".join(session.endpoint.models()))
    elif name == "save":
        saved = session.save(Path(arg).expanduser() if arg else None)
        say(f"Saved to {saved}")
    else:
        say(f"Unknown command /{name}; /help lists them.")
    return True


def run_terminal(session: ChatSession, read: Callable[[str], str] | None = None) -> None:
    """The interactive loop, until /quit or end of input."""
    from rich.console import Console

    console = Console(highlight=False)
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401  (arrow keys and history for input())
    reader = read or input

    def say(text: str) -> None:
        console.print(text, style="cyan", markup=False)

    console.print(
        f"Chatting with [bold]{session.model}[/] at {session.endpoint.base_url}. "
        "Type /help for commands, /quit to leave."
    )
    multiline = False
    while True:
        try:
            text = _read_message(reader, multiline)
        except EOFError:
            console.print()
            return
        except KeyboardInterrupt:
            console.print()
            continue
        stripped = text.strip()
        if not stripped:
            continue
        if stripped == "/ml":
            multiline = not multiline
            say(
                "Multi-line mode "
                + ("on: end with a line holding only '.'" if multiline else "off")
            )
            continue
        if stripped.startswith("/"):
            try:
                handled = _command(session, stripped, say)
            except (ServerError, FileError) as exc:
                console.print(f"Error: {exc}", style="red", markup=False)
                continue
            if handled is False:
                return
            continue
        try:
            session.ask(text, lambda t: console.print(t, end="", markup=False, soft_wrap=True))
            console.print()
            if session.last_rag is not None:
                for line in source_lines(session.last_rag.used):
                    console.print(line, style="dim", markup=False)
        except KeyboardInterrupt:
            console.print("\n[interrupted]", style="yellow", markup=False)
        except ServerError as exc:
            console.print(f"\nError: {exc}", style="red", markup=False)
