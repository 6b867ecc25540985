"""The terminal chat, driven through a pseudo-terminal, and the one-shot mode."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from instructlab.core import Model
from instructlab.errors import ServerError
from instructlab.llm.endpoint import Endpoint
from instructlab.serve.chat import ChatSession

ILAB = [str(Path(sys.executable).with_name("ilab"))]


class Terminal:
    """A child process on a pseudo-terminal, read until expected text shows up."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True
        )
        os.close(slave)
        self.seen = ""

    def expect(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while text not in self.seen:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"never saw {text!r}; the terminal shows:\n{self.seen}")
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:
                    chunk = b""
                if not chunk:
                    raise AssertionError(f"terminal closed before {text!r}:\n{self.seen}")
                self.seen += chunk.decode("utf-8", "replace").replace("\r\n", "\n")
        found = self.seen
        self.seen = self.seen[self.seen.index(text) + len(text) :]
        return found

    def send(self, line: str) -> None:
        os.write(self.master, line.encode() + b"\n")

    def close(self) -> int:
        try:
            return self.process.wait(20)
        finally:
            os.close(self.master)


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(HOME=str(home), NO_COLOR="1", TERM="dumb", COLUMNS="200")
    return env


@pytest.fixture
def terminal():
    started: list[Terminal] = []

    def spawn(argv: list[str], env: dict[str, str]) -> Terminal:
        started.append(Terminal(argv, env))
        return started[-1]

    yield spawn
    for term in started:
        if term.process.poll() is None:
            term.process.kill()
            term.process.wait()


def test_interactive_chat_through_a_pty(
    isolated_dirs, tmp_path, serve_engine, echo_engine, terminal
) -> None:
    engine = echo_engine
    server = serve_engine(engine)
    url = f"http://127.0.0.1:{server.port}/v1"
    transcript = tmp_path / "transcript.json"
    term = terminal([*ILAB, "model", "chat", "--endpoint-url", url], _env(isolated_dirs))
    term.expect("Chatting with echo")
    term.expect(">>> ")
    term.send("hello world")
    term.expect("reply 0: world")
    term.expect(">>> ")
    term.send("/system be brief")
    term.expect("System prompt set to: be brief")
    term.send("/ml")
    term.expect("Multi-line mode on")
    term.send("line one")
    term.send("line two")
    term.send(".")
    term.expect("reply 0: two")
    term.send("/ml")
    term.expect("Multi-line mode off")
    term.send("continued \\")
    term.send("here")
    term.expect("reply 0: here")
    term.send(f"/save {transcript}")
    term.expect("Saved to")
    term.send("/model")
    term.expect("Models: echo")
    term.send("/nonsense")
    term.expect("Unknown command /nonsense")
    term.send("/clear")
    term.expect("Conversation cleared.")
    term.send("/quit")
    assert term.close() == 0
    saved = json.loads(transcript.read_text())
    roles = [m["role"] for m in saved["messages"]]
    assert roles == ["system", "user", "assistant", "user", "assistant", "user", "assistant"]
    assert saved["messages"][3]["content"] == "line one\nline two"
    assert saved["messages"][5]["content"] == "continued \nhere"
    # The history went to the model: the last prompt held every earlier turn.
    assert "user: hello world" in engine.prompts[-1]
    assert "system: be brief" in engine.prompts[-1]


def test_one_shot_answer_against_an_endpoint(isolated_dirs, serve_engine, echo_engine) -> None:
    server = serve_engine(echo_engine)
    url = f"http://127.0.0.1:{server.port}/v1"
    reply = Model().chat("what is up", endpoint_url=url)
    assert reply == "reply 0: up"
    result = subprocess.run(
        [*ILAB, "model", "chat", "-qq", "say hi", "--endpoint-url", url],
        capture_output=True,
        text=True,
        env=_env(isolated_dirs),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "reply 0: hi"


def test_an_unreachable_endpoint_is_a_clear_error() -> None:
    session = ChatSession(Endpoint("http://127.0.0.1:9/v1"), "m")
    with pytest.raises(ServerError, match=r"cannot reach http://127\.0\.0\.1:9/v1"):
        session.ask("hi")
    assert session.messages == []  # the failed turn is not kept


@pytest.mark.slow
def test_one_shot_with_the_embedded_model_starts_and_stops_it(isolated_dirs) -> None:
    result = subprocess.run(
        [*ILAB, "model", "chat", "-qq", "Say hello.", "--max-tokens", "12", "--temperature", "0"],
        capture_output=True,
        text=True,
        env=_env(isolated_dirs),
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
